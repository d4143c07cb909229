// `tessera token`: an access token for a client id and secret (client credentials grant). With
// the environment credentials it is a management token, e.g. for curl.
#include <iostream>

#include "cli/management.hpp"
#include "cli/output.hpp"

namespace tessera::cli {
namespace {

struct TokenFlags {
  CommonFlags common;
  std::vector<std::string> scopes;
  bool raw = false;
};

int run(const TokenFlags& flags) {
  auto connection = resolve(flags.common.connection);
  if (!connection) return usage_error("token", connection.error());
  auto token = make_client(*connection)
                   .tokens()
                   .get_token(connection->client_id, connection->client_secret, flags.scopes);
  if (!token) return report("token", token.error());
  const std::string scope = join(token->scopes, " ");
  if (flags.raw) {
    std::cout << token->access_token << "\n";
  } else if (flags.common.json) {
    print_json(std::cout, {{"access_token", token->access_token},
                           {"token_type", token->token_type},
                           {"expires_in", token->expires_in.count()},
                           {"scope", scope}});
  } else {
    print_fields(std::cout, {{"access_token", token->access_token},
                             {"token_type", token->token_type},
                             {"expires_in", std::to_string(token->expires_in.count()) + "s"},
                             {"scope", scope.empty() ? "-" : scope}});
  }
  return kExitOk;
}

}  // namespace

void add_token_command(CLI::App& app, const Selected& selected) {
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* command = app.add_subcommand(
      "token",
      "Get an access token for a client id and secret (--client-id m2morg_... for an API client; "
      "the environment credentials give a management token)");
  command->add_option("--scope", flags->scopes,
                      "Scope to request (repeatable; default: every scope of the client)");
  command->add_flag("--raw", flags->raw, "Print only the token, e.g. for $(tessera token --raw)");
  add_common_options(*command, flags->common);
  on_parsed(*command, selected, [flags] { return run(*flags); });
}

}  // namespace tessera::cli
