// Credentials and connection settings of the management subcommands, the profile file written by
// `tessera login`, and the mapping of client errors to messages and exit codes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include "cli/management.hpp"

namespace tessera::cli {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// Others must not read a file that holds a secret; say so rather than refuse (like ssh would),
// since the secret may already have leaked and the user needs to know.
void warn_if_readable_by_others(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    std::cerr << "tessera: warning: " << path.string()
              << " is readable by other users; run: chmod 600 " << path.string() << "\n";
  }
}

Result<toml::table, std::string> read_profiles(const std::filesystem::path& path) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) return toml::table{};
  warn_if_readable_by_others(path);
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return fail(path.string() + ":" + std::to_string(where.line) + ": " +
                std::string(e.description()));
  }
}

void fill(std::string& field, const toml::table& profile, const char* key) {
  if (!field.empty()) return;
  if (auto value = profile[key].value<std::string>()) field = *value;
}

// Writes `text` to `path` through a temporary file created 0600 and renamed over it, so that the
// secret is never briefly world-readable and a crash never leaves half a file.
Result<void, std::string> write_private(const std::filesystem::path& path,
                                        const std::string& text) {
  const std::string temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(temporary + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // O_CREAT's mode does not apply to a file that already existed
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::filesystem::remove(temporary);
    return fail(path.string() + ": " + reason);
  }
  return {};
}

bool is_unavailable(client::Code code) {
  return code == client::Code::unavailable || code == client::Code::deadline_exceeded ||
         code == client::Code::resource_exhausted;
}

int exit_code_of(const client::Error& error) {
  switch (error.source) {
    case client::ErrorSource::configuration:
      return kExitUsage;
    case client::ErrorSource::transport:
      return kExitUnavailable;
    case client::ErrorSource::protocol:
      return kExitServer;
    case client::ErrorSource::server:
      break;
  }
  return is_unavailable(error.code) ? kExitUnavailable : kExitServer;
}

}  // namespace

void add_common_options(CLI::App& command, CommonFlags& flags) {
  Connection& c = flags.connection;
  command.add_option("--url", c.url, "Environment URL of the tessera server")
      ->envname("TESSERA_URL")
      ->group("Connection");
  command.add_option("--client-id", c.client_id, "Environment client id (skc_...)")
      ->envname("TESSERA_CLIENT_ID")
      ->group("Connection");
  command
      .add_option("--client-secret", c.client_secret,
                  "Environment client secret (prefer TESSERA_CLIENT_SECRET or a profile: command "
                  "lines are visible to other users)")
      ->envname("TESSERA_CLIENT_SECRET")
      ->group("Connection");
  command.add_option("--profile", c.profile, "Profile in the profile file (written by login)")
      ->envname("TESSERA_PROFILE")
      ->capture_default_str()
      ->group("Connection");
  command.add_flag("--allow-http", c.allow_http, "Allow plain http:// to a non-loopback host")
      ->group("Connection");
  command
      .add_option("--ca-file", c.ca_file,
                  "PEM file of the CAs to trust for https:// (a private CA) instead of the "
                  "system's")
      ->envname("TESSERA_CA_FILE")
      ->check(CLI::ExistingFile)
      ->group("Connection");
  command.add_flag("--json", flags.json, "Print JSON (the API's shapes) instead of tables");
}

void on_parsed(CLI::App& command, const Selected& selected, Action action) {
  command.callback([selected, action = std::move(action)] { *selected = action; });
}

std::filesystem::path profile_path() {
  if (auto file = env("TESSERA_PROFILE_FILE"); !file.empty()) return file;
  if (auto config = env("XDG_CONFIG_HOME"); !config.empty()) {
    return std::filesystem::path(config) / "tessera" / "profile.toml";
  }
  return std::filesystem::path(env("HOME")) / ".config" / "tessera" / "profile.toml";
}

Result<Connection, std::string> resolve(const Connection& given, bool need_credentials) {
  Connection out = given;
  if (out.url.empty() || out.client_id.empty() || out.client_secret.empty()) {
    auto profiles = read_profiles(profile_path());
    if (!profiles) return fail(profiles.error());
    if (const toml::table* profile = (*profiles)[out.profile].as_table()) {
      fill(out.url, *profile, "url");
      fill(out.client_id, *profile, "client_id");
      fill(out.client_secret, *profile, "client_secret");
      fill(out.ca_file, *profile, "ca_file");
      out.allow_http = out.allow_http || (*profile)["allow_http"].value_or(false);
    }
  }
  const char* hint = " (flag, environment variable, or `tessera login`)";
  if (out.url.empty()) return fail("no server URL: set --url or TESSERA_URL" + std::string(hint));
  if (need_credentials && (out.client_id.empty() || out.client_secret.empty())) {
    return fail("no credentials: set --client-id and TESSERA_CLIENT_SECRET" + std::string(hint));
  }
  return out;
}

Result<void, std::string> save_profile(const Connection& connection) {
  const auto path = profile_path();
  auto profiles = read_profiles(path);
  if (!profiles) return fail(profiles.error());
  toml::table profile{{"url", connection.url},
                      {"client_id", connection.client_id},
                      {"client_secret", connection.client_secret}};
  if (connection.allow_http) profile.insert("allow_http", true);
  if (!connection.ca_file.empty()) {
    // Absolute, so that the profile means the same file from any working directory.
    profile.insert("ca_file", std::filesystem::absolute(connection.ca_file).string());
  }
  profiles->insert_or_assign(connection.profile, std::move(profile));
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return fail(path.parent_path().string() + ": " + error.message());
  std::ostringstream text;
  text << "# tessera profiles, written by `tessera login`. Holds secrets: keep it mode 0600.\n"
       << *profiles << "\n";
  return write_private(path, text.str());
}

client::Client make_client(const Connection& connection) {
  return client::Client(connection.url, connection.client_id, connection.client_secret,
                        {.allow_http = connection.allow_http, .ca_file = connection.ca_file});
}

int report(std::string_view command, const client::Error& error) {
  std::cerr << "tessera " << command << ": " << error.describe() << "\n";
  for (const auto& violation : error.field_violations) {
    // The message already names a lone violation.
    if (error.field_violations.size() > 1) {
      std::cerr << "  " << violation.field << ": " << violation.description << "\n";
    }
  }
  if (error.code == client::Code::unauthenticated) {
    std::cerr << "  check the client id and secret (TESSERA_CLIENT_ID, TESSERA_CLIENT_SECRET, "
                 "or `tessera login`)\n";
  }
  if (error.retry_after) {
    std::cerr << "  retry after " << error.retry_after->count() << " s\n";
  }
  return exit_code_of(error);
}

int usage_error(std::string_view command, std::string_view message) {
  std::cerr << "tessera " << command << ": " << message << "\n";
  return kExitUsage;
}

void warn_secret_shown_once() {
  std::cerr << "tessera: this is the only time the plain secret is shown: store it now (e.g. in "
               "your secret manager). tessera keeps only a hash of it.\n";
}

std::optional<std::pair<std::string, std::string>> split_pair(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) return std::nullopt;
  return std::pair{text.substr(0, equals), text.substr(equals + 1)};
}

}  // namespace tessera::cli
