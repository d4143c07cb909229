// Claims validation: the harness signs whatever header and payload the fuzzer writes with the
// trusted key, so every input reaches claim checking. An accepted token must satisfy the rules
// (re-checked here independently with nlohmann): allowed alg, at+jwt typ, exact iss, a numeric exp
// in the future, nbf/iat not in the future, scopes an array of strings.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tessera/jose/base64url.hpp"
#include "tessera/jose/jws.hpp"
#include "tessera/verify/verifier.hpp"

namespace {

using nlohmann::json;

struct Fixture {
  std::optional<tessera::jose::PrivateKey> key;
  std::optional<tessera::verify::Verifier> verifier;

  Fixture() {
    using namespace tessera;
    key.emplace(*jose::PrivateKey::generate(jose::Algorithm::ES256));
    jose::Jwks jwks;
    jwks.keys.push_back(*key->public_key("snk_1"));
    verifier.emplace(*verify::Verifier::create(
        {.issuer = "https://issuer.test",
         .algorithms = {jose::Algorithm::ES256},
         .leeway = std::chrono::seconds(0),
         .key_source = std::make_shared<verify::StaticKeySource>(std::move(jwks))}));
  }
};

bool is_number(const json& doc, const char* name) {
  return doc.contains(name) && doc[name].is_number();
}

void check_accepted(std::string_view header_text, std::string_view payload_text) {
  const json header = json::parse(header_text, nullptr, false);
  const json payload = json::parse(payload_text, nullptr, false);
  if (header.is_discarded() || payload.is_discarded()) std::abort();
  if (header.value("alg", "") != "ES256" || header.contains("crit")) std::abort();
  std::string typ = header.value("typ", "");
  for (auto& c : typ)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (typ != "at+jwt" && typ != "application/at+jwt") std::abort();
  if (payload.value("iss", "") != "https://issuer.test") std::abort();
  const double now = static_cast<double>(std::time(nullptr));
  if (!is_number(payload, "exp") || payload["exp"].get<double>() <= now - 5) std::abort();
  if (is_number(payload, "nbf") && payload["nbf"].get<double>() > now + 5) std::abort();
  if (payload.contains("scopes")) {
    if (!payload["scopes"].is_array()) std::abort();
    for (const auto& s : payload["scopes"]) {
      if (!s.is_string()) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Input: header JSON, a NUL byte, payload JSON.
  const auto split = input.find('\0');
  if (split == std::string_view::npos) return 0;
  const std::string_view header = input.substr(0, split);
  const std::string_view payload = input.substr(split + 1);
  using tessera::jose::base64url_encode;
  std::string token = base64url_encode(header) + "." + base64url_encode(payload);
  std::string signature;
  if (!fixture.key->sign(token, signature)) return 0;
  token += "." + base64url_encode(signature);
  if (fixture.verifier->verify(token)) check_accepted(header, payload);
  return 0;
}
