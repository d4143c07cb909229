// Authorization header handling on both sides: the SDK's Bearer parsing (RFC 6750) and the token
// endpoint's client authentication (Basic credentials, form body, scope parameter).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "server/http/token_endpoint.hpp"
#include "tessera/verify/authorizer.hpp"

namespace {

tessera::verify::Authorizer& authorizer() {
  using namespace tessera;
  static verify::Authorizer instance(*verify::Verifier::create(
      {.issuer = "https://issuer.test",
       .key_source = std::make_shared<verify::StaticKeySource>(jose::Jwks{})}));
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // With no keys nothing can verify: any "allowed" is a bug.
  if (authorizer().authorize(input, {"deploy:applications"}).allowed()) std::abort();

  // Input: Authorization value, NUL, form body.
  const auto split = input.find('\0');
  http::Request request;
  request.message.method(http::bhttp::verb::post);
  request.message.target("/oauth/token");
  request.message.set(http::bhttp::field::content_type, "application/x-www-form-urlencoded");
  request.message.set(http::bhttp::field::authorization, input.substr(0, split));
  request.message.body() =
      split == std::string_view::npos ? "" : std::string(input.substr(split + 1));
  if (auto parsed = http::parse_token_request(request)) {
    (void)http::grant_scopes(parsed->scope, {"deploy:applications", "read:deployments"});
  }
  return 0;
}
