// The management subcommands of `tessera` (orgs, clients, secrets, token, verify, keys, audit,
// login): what they share. Each calls a running server through tessera::Client.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "tessera/client/client.hpp"
#include "tessera/result.hpp"

namespace tessera::cli {

// Exit codes, distinct so that scripts can tell what happened.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;      // verify: the token is invalid or lacks a scope
inline constexpr int kExitUsage = 2;        // bad flags or arguments, missing credentials, profile
inline constexpr int kExitServer = 3;       // the server refused the call, or answered nonsense
inline constexpr int kExitUnavailable = 4;  // no answer, connection refused, 503 or 429: retry

// Where to connect and as whom. Flags win over TESSERA_URL / TESSERA_CLIENT_ID /
// TESSERA_CLIENT_SECRET, which win over the profile file.
struct Connection {
  std::string url{};
  std::string client_id{};
  std::string client_secret{};
  std::string profile = "default";
  bool allow_http = false;  // plain http:// to a host other than loopback
  std::string ca_file{};    // PEM CAs for https:// instead of the system's (a private CA)
};

struct CommonFlags {
  Connection connection{};
  bool json = false;
};

// What a parsed leaf command does; chosen by its parse callback, run after parsing.
using Action = std::function<int()>;
using Selected = std::shared_ptr<Action>;

// Registers every management subcommand. The returned function runs the one that was parsed and
// gives its exit code, or -1 when none was.
std::function<int()> add_management_commands(CLI::App& app);

// --- Shared by the subcommand files ------------------------------------------------------------

// --url, --client-id, --client-secret, --profile, --allow-http and --json.
void add_common_options(CLI::App& command, CommonFlags& flags);
// Sets `command`'s callback to select `action` for running after parsing.
void on_parsed(CLI::App& command, const Selected& selected, Action action);

// ~/.config/tessera/profile.toml ($XDG_CONFIG_HOME and $TESSERA_PROFILE_FILE respected).
std::filesystem::path profile_path();
// Completes `given` from the profile; an error message when the URL (or, when needed, the
// credentials) are missing.
Result<Connection, std::string> resolve(const Connection& given, bool need_credentials = true);
// Writes (or replaces) one profile table, creating the file with mode 0600.
Result<void, std::string> save_profile(const Connection& connection);

client::Client make_client(const Connection& connection);

// Prints "tessera <command>: <error>" to stderr and returns the exit code the error maps to.
int report(std::string_view command, const client::Error& error);
int usage_error(std::string_view command, std::string_view message);
// The warning printed (to stderr) with every plain secret.
void warn_secret_shown_once();
// "key=value" (the value may hold '='); nullopt without a '=' or with an empty key.
std::optional<std::pair<std::string, std::string>> split_pair(const std::string& text);

// Runs `body(client)` once the connection is complete; a missing one is a usage error.
template <class Body>
int with_client(std::string_view command, const CommonFlags& common, Body&& body) {
  auto connection = resolve(common.connection);
  if (!connection) return usage_error(command, connection.error());
  return body(make_client(*connection));
}

void add_orgs_commands(CLI::App& app, const Selected& selected);
void add_clients_commands(CLI::App& app, const Selected& selected);
void add_secrets_commands(CLI::App& app, const Selected& selected);
void add_token_command(CLI::App& app, const Selected& selected);
void add_verify_command(CLI::App& app, const Selected& selected);
void add_keys_commands(CLI::App& app, const Selected& selected);
void add_audit_commands(CLI::App& app, const Selected& selected);
void add_login_command(CLI::App& app, const Selected& selected);

}  // namespace tessera::cli
