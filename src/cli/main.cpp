// tessera: the authorization server and its command-line tools, in one binary.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/management.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tessera: OAuth 2.0 client-credentials authorization server for M2M API access"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tessera 0.1.0");
  auto run_serve = tessera::cli::add_serve_command(app);
  auto run_migrate = tessera::cli::add_migrate_command(app);
  auto run_management = tessera::cli::add_management_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, whatever CLI11 numbers it.
    return app.exit(e) == 0 ? 0 : tessera::cli::kExitUsage;
  }
  if (const int code = run_serve(); code >= 0) return code;
  if (const int code = run_migrate(); code >= 0) return code;
  if (const int code = run_management(); code >= 0) return code;
  std::cerr << app.help() << "\n";
  return 2;
}
