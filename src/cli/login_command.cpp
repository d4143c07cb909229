// `tessera login`: checks environment credentials against the server and saves them as a profile
// (mode 0600), so that later commands need no flags or variables.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "cli/management.hpp"

namespace tessera::cli {
namespace {

// From stdin, without echo when it is a terminal.
std::string read_secret() {
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {
    std::cerr << "Client secret: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string secret;
  std::getline(std::cin, secret);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' '))
    secret.pop_back();
  return secret;
}

int run(CommonFlags flags) {
  Connection& c = flags.connection;
  if (c.url.empty() || c.client_id.empty()) {
    return usage_error("login", "give --url and --client-id (or TESSERA_URL, TESSERA_CLIENT_ID)");
  }
  if (c.client_secret.empty()) c.client_secret = read_secret();
  if (c.client_secret.empty()) return usage_error("login", "no client secret");
  while (!c.url.empty() && c.url.back() == '/')
    c.url.pop_back();
  // A call that needs a management token proves the credentials before they are saved.
  if (auto keys = make_client(c).keys().list_keys(); !keys) return report("login", keys.error());
  if (auto saved = save_profile(c); !saved) return usage_error("login", saved.error());
  std::cout << "Logged in to " << c.url << " as " << c.client_id << "; saved profile '" << c.profile
            << "' to " << profile_path().string() << "\n";
  return kExitOk;
}

}  // namespace

void add_login_command(CLI::App& app, const Selected& selected) {
  auto flags = std::make_shared<CommonFlags>();
  CLI::App* command = app.add_subcommand(
      "login",
      "Check environment credentials and save them to the profile file (mode 0600); the secret is "
      "read from TESSERA_CLIENT_SECRET or stdin");
  add_common_options(*command, *flags);
  on_parsed(*command, selected, [flags] { return run(*flags); });
}

}  // namespace tessera::cli
