// Registers the management subcommands on the `tessera` app.
#include "cli/management.hpp"

namespace tessera::cli {

std::function<int()> add_management_commands(CLI::App& app) {
  auto selected = std::make_shared<Action>();
  add_login_command(app, selected);
  add_orgs_commands(app, selected);
  add_clients_commands(app, selected);
  add_secrets_commands(app, selected);
  add_token_command(app, selected);
  add_verify_command(app, selected);
  add_keys_commands(app, selected);
  add_audit_commands(app, selected);
  app.footer(
      "Management commands read the server URL and environment credentials from --url / "
      "--client-id / --client-secret, TESSERA_URL / TESSERA_CLIENT_ID / TESSERA_CLIENT_SECRET, or "
      "the profile written by `tessera login`.\n"
      "Exit codes: 0 success, 1 token invalid (verify), 2 usage error, 3 server refused the call, "
      "4 server unavailable.");
  return [selected]() -> int { return *selected ? (*selected)() : -1; };
}

}  // namespace tessera::cli
