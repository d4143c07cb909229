// Full verification against a fixed JWKS. The fuzzer chooses the whole token, so the property is
// absolute: nothing but the one token signed at start-up may ever be accepted.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "tessera/jose/jws.hpp"
#include "tessera/verify/verifier.hpp"

namespace {

struct Fixture {
  std::string valid_token;
  std::optional<tessera::verify::Verifier> verifier;

  Fixture() {
    using namespace tessera;
    auto key = jose::PrivateKey::generate(jose::Algorithm::ES256);
    jose::Jwks jwks;
    jwks.keys.push_back(*key->public_key("snk_1"));
    jose::JwsSigner signer(*key, "snk_1");
    signer.sign(R"({"iss":"https://issuer.test","sub":"m2morg_1","scopes":["a"],"exp":4102444800})",
                valid_token);
    verifier.emplace(*verify::Verifier::create(
        {.issuer = "https://issuer.test",
         .algorithms = {jose::Algorithm::RS256, jose::Algorithm::ES256, jose::Algorithm::EdDSA},
         .key_source = std::make_shared<verify::StaticKeySource>(std::move(jwks))}));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  if (fixture.verifier->verify(token) && token != fixture.valid_token) std::abort();
  return 0;
}
