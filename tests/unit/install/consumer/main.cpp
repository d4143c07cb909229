// Uses the installed SDK end to end: registers an API client with the management client, gets a
// token for it, and verifies the token and its scope with the Verifier and JwksCache.
//   consumer ENV_URL CLIENT_ID CLIENT_SECRET   prints "ok m2morg_..." and exits 0
#include <iostream>

#include "tessera/client/client.hpp"
#include "tessera/verify/jwks_cache.hpp"
#include "tessera/verify/scopes.hpp"
#include "tessera/verify/verifier.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: consumer ENV_URL CLIENT_ID CLIENT_SECRET\n";
    return 2;
  }
  const std::string url = argv[1];
  tessera::Client tessera(url, argv[2], argv[3]);
  auto org = tessera.organizations().create_organization({.display_name = "Consumer"});
  if (!org) return std::cerr << org.error().describe() << "\n", 1;
  auto created =
      tessera.m2m().create_client(org->id, {.name = "consumer", .scopes = {"deploy:applications"}});
  if (!created) return std::cerr << created.error().describe() << "\n", 1;
  auto token = tessera.tokens().get_token(created->client.client_id, created->plain_secret);
  if (!token) return std::cerr << token.error().describe() << "\n", 1;

  using namespace tessera::verify;
  auto keys = JwksCache::create({.uri = url + "/keys", .allow_http = true});
  if (!keys) return std::cerr << to_string(keys.error()) << "\n", 1;
  auto verifier = Verifier::create({.issuer = url, .key_source = *keys});
  if (!verifier) return std::cerr << to_string(verifier.error()) << "\n", 1;
  auto claims = verifier->verify(token->access_token);
  if (!claims) return std::cerr << to_string(claims.error()) << "\n", 1;
  if (!has_scope(claims->scopes, "deploy:applications")) return std::cerr << "no scope\n", 1;
  std::cout << "ok " << claims->client_id << "\n";
}
