#include "unit/client/live_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/child_process.hpp"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

// The rest of the first line that starts (after blanks) with `prefix`; empty when none does.
std::string line_value(const std::string& text, std::string_view prefix) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto start = line.find_first_not_of(' ');
    if (start != std::string::npos && std::string_view(line).substr(start).starts_with(prefix)) {
      return line.substr(start + prefix.size());
    }
  }
  return {};
}

pid_t spawn_server(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env,
                   const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> argv_strings{TESSERA_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = child_environment(env);
  auto argv = c_string_array(argv_strings);
  auto envp = c_string_array(env_strings);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " TESSERA_BINARY);
  return pid;
}

}  // namespace

LiveServer::LiveServer(LiveServerOptions options) {
  const bool fixed = options.fixed_admin;
  start(std::move(options));
  client_id_ = fixed ? kAdminId : line_value(output(), "TESSERA_CLIENT_ID=");
  client_secret_ = fixed ? kAdminSecret : line_value(output(), "TESSERA_CLIENT_SECRET=");
  if (client_id_.empty() || client_secret_.empty()) {
    throw std::runtime_error("tessera serve printed no credentials:\n" + output());
  }
}

LiveServer::~LiveServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string LiveServer::output() const {
  std::ifstream in(root() / ("server." + std::to_string(starts_) + ".log"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void LiveServer::start(LiveServerOptions options) {
  ++starts_;
  std::vector<std::string> args{
      "serve",        "--listen", "127.0.0.1:" + port_, "--data-dir", (root() / "data").string(),
      "--io-threads", "2",        "--worker-threads",   "2"};
  args.insert(args.end(), options.args.begin(), options.args.end());
  if (options.fixed_admin) {
    args.insert(args.end(), {"--admin-client-id", kAdminId});
    options.env.emplace("TESSERA_ADMIN_CLIENT_SECRET", kAdminSecret);
  }
  pid_ = spawn_server(args, options.env, root() / ("server." + std::to_string(starts_) + ".log"));
  // ASan builds start slowly on a loaded machine.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while ((url_ = line_value(output(), "tessera: listening on ")).empty()) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("tessera serve exited during start-up:\n" + output());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("tessera serve did not start in time:\n" + output());
    }
    std::this_thread::sleep_for(10ms);
  }
  port_ = url_.substr(url_.rfind(':') + 1);
}

void LiveServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

SeedClient register_seed_client(const client::Client& tessera) {
  auto org = tessera.organizations().create_organization({.display_name = "Acme"});
  if (!org) throw std::runtime_error("create_organization: " + org.error().describe());
  auto created = tessera.m2m().create_client(
      org->id, {.name = "GitHub Actions Deployment Service",
                .description = "Service account for GitHub Actions to deploy applications",
                .scopes = {"deploy:applications", "read:deployments"},
                .expiry = std::chrono::seconds(3600)});
  if (!created) throw std::runtime_error("create_client: " + created.error().describe());
  return {org->id, std::move(*created)};
}

}  // namespace tessera::testing
