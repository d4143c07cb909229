// `tessera verify`: checks a token the way an API server does (signature against the issuer's
// JWKS, exp/nbf/iat, iss, optional aud, required scopes) with the SDK's Verifier and JwksCache.
// Exit code 0 when it is valid and has every required scope, 1 when not, with the reason.
#include <iostream>

#include "cli/management.hpp"
#include "cli/output.hpp"
#include "net/http.hpp"
#include "tessera/verify/jwks_cache.hpp"
#include "tessera/verify/scopes.hpp"
#include "tessera/verify/verifier.hpp"

namespace tessera::cli {
namespace {

struct VerifyFlags {
  CommonFlags common;
  std::string token;
  std::string jwks_uri;
  std::vector<std::string> scopes;
  std::vector<std::string> audiences;
  std::vector<std::string> algorithms{"RS256", "ES256", "EdDSA"};
  bool accept_plain_jwt = false;
};

std::string read_token(const VerifyFlags& flags) {
  std::string token = flags.token;
  if (token.empty() || token == "-") std::getline(std::cin, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  return token;
}

Result<verify::Verifier, std::string> make_verifier(const VerifyFlags& flags,
                                                    const Connection& connection,
                                                    const std::string& issuer,
                                                    std::shared_ptr<verify::JwksCache>& keys) {
  const bool allow_http = connection.allow_http || net::is_loopback_url(issuer);
  auto cache =
      verify::JwksCache::create({.uri = flags.jwks_uri.empty() ? issuer + "/keys" : flags.jwks_uri,
                                 .allow_http = allow_http,
                                 .ca_file = connection.ca_file});
  if (!cache) return fail("JWKS: " + std::string(verify::to_string(cache.error())));
  keys = *cache;
  std::vector<jose::Algorithm> algorithms;
  for (const auto& name : flags.algorithms) {
    auto algorithm = jose::parse_algorithm(name);
    if (!algorithm) return fail("--alg must be RS256, ES256 or EdDSA, got '" + name + "'");
    algorithms.push_back(*algorithm);
  }
  auto verifier = verify::Verifier::create({.issuer = issuer,
                                            .audiences = flags.audiences,
                                            .algorithms = std::move(algorithms),
                                            .accept_plain_jwt = flags.accept_plain_jwt,
                                            .key_source = keys});
  if (!verifier) return fail(std::string(verify::to_string(verifier.error())));
  return std::move(*verifier);
}

int invalid(const VerifyFlags& flags, const std::string& reason) {
  if (flags.common.json) {
    print_json(std::cout, {{"valid", false}, {"reason", reason}});
  } else {
    std::cout << "invalid: " << reason << "\n";
  }
  return kExitInvalid;
}

void print_valid(const VerifyFlags& flags, const verify::Claims& claims) {
  if (flags.common.json) {
    print_json(std::cout, {{"valid", true}, {"claims", Json::parse(claims.raw_payload)}});
    return;
  }
  std::cout << "valid\n";
  print_fields(std::cout,
               {{"client_id", claims.client_id.empty() ? claims.sub : claims.client_id},
                {"organization", claims.oid.empty() ? "-" : claims.oid},
                {"scopes", claims.scopes.empty() ? "-" : join(claims.scopes, " ")},
                {"audience", claims.aud.empty() ? "-" : join(claims.aud, " ")},
                {"expires", short_time(client::Timestamp(std::chrono::seconds(claims.exp)))},
                {"token_id", claims.jti.empty() ? "-" : claims.jti}});
}

int run(const VerifyFlags& flags) {
  auto connection = resolve(flags.common.connection, false);
  if (!connection) return usage_error("verify", connection.error());
  std::string issuer = connection->url;
  while (!issuer.empty() && issuer.back() == '/')
    issuer.pop_back();
  std::shared_ptr<verify::JwksCache> keys;
  auto verifier = make_verifier(flags, *connection, issuer, keys);
  if (!verifier) return usage_error("verify", verifier.error());
  const std::string token = read_token(flags);
  if (token.empty()) return usage_error("verify", "no token: pass it as an argument or on stdin");

  auto claims = verifier->verify(token);
  if (!claims) {
    // No keys because the JWKS could not be fetched says nothing about the token.
    if (const auto stats = keys->stats(); stats.key_count == 0 && stats.last_error) {
      std::cerr << "tessera verify: cannot fetch the JWKS from " << keys->options().uri << ": "
                << verify::to_string(*stats.last_error) << "\n";
      return kExitUnavailable;
    }
    return invalid(flags, std::string(verify::to_string(claims.error())));
  }
  std::vector<std::string> missing;
  for (const auto& scope : flags.scopes) {
    if (!verify::has_scope(claims->scopes, scope)) missing.push_back(scope);
  }
  if (!missing.empty()) return invalid(flags, "insufficient scope: missing " + join(missing, " "));
  print_valid(flags, *claims);
  return kExitOk;
}

}  // namespace

void add_verify_command(CLI::App& app, const Selected& selected) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* command = app.add_subcommand(
      "verify",
      "Verify an access token as an API server would; exit code 0 valid, 1 invalid (with the "
      "reason)");
  command->add_option("TOKEN", flags->token, "The JWT; read from stdin when absent or -");
  command
      ->add_option("--issuer", flags->common.connection.url,
                   "Expected issuer (iss): the environment URL")
      ->envname("TESSERA_URL");
  command->add_option("--scope", flags->scopes, "Scope the token must grant (repeatable)");
  command->add_option("--audience", flags->audiences,
                      "Audience the token must name, one of (repeatable)");
  command->add_option("--jwks-uri", flags->jwks_uri, "JWKS URL (default: ISSUER/keys)");
  command->add_option("--alg", flags->algorithms, "Accepted algorithms (repeatable)")
      ->capture_default_str();
  command->add_flag("--accept-plain-jwt", flags->accept_plain_jwt,
                    "Also accept typ JWT (issuers other than tessera)");
  command
      ->add_option("--profile", flags->common.connection.profile,
                   "Profile whose URL is the issuer when --issuer is not given")
      ->envname("TESSERA_PROFILE")
      ->capture_default_str();
  command->add_flag("--allow-http", flags->common.connection.allow_http,
                    "Allow a plain http:// JWKS on a non-loopback host");
  command->add_flag("--json", flags->common.json, "Print JSON");
  on_parsed(*command, selected, [flags] { return run(*flags); });
}

}  // namespace tessera::cli
