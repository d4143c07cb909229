// The header, structure and key rules of security-rules.md "Verifying a JWT".
#include "tessera/verify/verifier.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "tessera/jose/base64url.hpp"
#include "tessera/jose/jws.hpp"
#include "unit/verify/test_support.hpp"

namespace tessera::verify {
namespace {

using jose::Algorithm;
using json = nlohmann::json;
using namespace tessera::testing;

class VerifierTest : public ::testing::Test {
 protected:
  TestKey rsa = make_key(Algorithm::RS256, "snk_1");
  TestKey attacker = make_key(Algorithm::RS256, "snk_1", 1);  // same kid, other key
  Verifier verifier = make_verifier(static_keys({&rsa}));

  VerifyError error_of(std::string_view token) const { return error_with(verifier, token); }
  static VerifyError error_with(const Verifier& v, std::string_view token) {
    auto result = v.verify(token);
    EXPECT_FALSE(result.ok()) << token;
    return result.ok() ? VerifyError::bad_signature : result.error();
  }
  std::string signed_with_header(const json& header, const json& claims = seed_claims()) const {
    return mint_raw(rsa, header.dump(), claims.dump());
  }
};

TEST_F(VerifierTest, AcceptsASeedLikeTokenAndReturnsTypedClaims) {
  const std::string payload = seed_claims().dump();
  auto claims = verifier.verify(mint_raw(rsa, header_for(rsa), payload));
  ASSERT_TRUE(claims.ok()) << to_string(claims.error());
  EXPECT_EQ(claims->iss, kIssuer);
  EXPECT_EQ(claims->sub, "m2morg_69038819013296423");
  EXPECT_EQ(claims->client_id, "m2morg_69038819013296423");
  EXPECT_EQ(claims->oid, "org_59615193906282635");
  EXPECT_EQ(claims->jti, "tkn_69041163914445100");
  EXPECT_EQ(claims->scopes, (std::vector<std::string>{"deploy:applications", "read:deployments"}));
  EXPECT_TRUE(claims->aud.empty());
  EXPECT_EQ(claims->exp, kNow + 3600);
  EXPECT_EQ(claims->iat, kNow);
  EXPECT_EQ(claims->nbf, kNow);
  EXPECT_TRUE(claims->custom_claims.empty());
  EXPECT_EQ(claims->raw_payload, payload);
}

TEST_F(VerifierTest, AllowsOnlyConfiguredAlgorithms) {
  const TestKey ec = make_key(Algorithm::ES256, "ec");
  const TestKey ed = make_key(Algorithm::EdDSA, "ed");
  const auto keys = static_keys({&rsa, &ec, &ed});
  const Verifier rs256_only = make_verifier(keys);
  EXPECT_EQ(error_with(rs256_only, mint(ec, seed_claims())), VerifyError::algorithm_not_allowed);
  EXPECT_EQ(error_with(rs256_only, mint(ed, seed_claims())), VerifyError::algorithm_not_allowed);

  auto options = options_for(keys);
  options.algorithms = {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA};
  const Verifier all = *Verifier::create(options);
  for (const TestKey* key : {&std::as_const(rsa), &ec, &ed}) {
    EXPECT_TRUE(all.verify(mint(*key, seed_claims())).ok()) << key->kid;
  }
  options.algorithms = {Algorithm::EdDSA};
  EXPECT_EQ(error_with(*Verifier::create(options), mint(rsa, seed_claims())),
            VerifyError::algorithm_not_allowed);
}

TEST_F(VerifierTest, RejectsAlgNoneInEveryCase) {
  const std::string payload = b64(seed_claims().dump());
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    const std::string header = b64(json{{"alg", alg}, {"kid", "snk_1"}, {"typ", "at+jwt"}}.dump());
    // Unsigned (empty signature): not even a compact JWS for tessera.
    EXPECT_EQ(error_of(header + "." + payload + "."), VerifyError::malformed_token) << alg;
    // With some signature bytes: refused by the allow-list.
    EXPECT_EQ(error_of(header + "." + payload + ".AAAA"), VerifyError::algorithm_not_allowed)
        << alg;
  }
  for (const char* alg : {"", "rs256", "RS256 ", "Rs256", "RS512", "PS256", "ES256K"}) {
    EXPECT_EQ(error_of(signed_with_header({{"alg", alg}, {"kid", "snk_1"}, {"typ", "at+jwt"}})),
              VerifyError::algorithm_not_allowed)
        << alg;
  }
}

// The classic confusion: HS256 with the RSA public key (PEM or JWK bytes) as the HMAC secret.
TEST_F(VerifierTest, RejectsHs256WithThePublicKeyAsSecret) {
  auto options = options_for(static_keys({&rsa}));
  options.algorithms = {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA};
  const Verifier permissive = *Verifier::create(options);
  const std::string input =
      b64(json{{"alg", "HS256"}, {"kid", "snk_1"}, {"typ", "at+jwt"}}.dump()) + "." +
      b64(seed_claims().dump());
  for (const std::string& secret :
       std::vector<std::string>{rsa.pub.to_jwk_json(), jwks_json({&rsa})}) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    const std::string token = input + "." + b64(std::string(reinterpret_cast<char*>(mac), len));
    EXPECT_EQ(error_with(permissive, token), VerifyError::algorithm_not_allowed);
  }
}

TEST_F(VerifierTest, NeverUsesKeysEmbeddedInTheHeader) {
  // The attacker signs with their own key and ships it in every header slot there is.
  const json attacker_jwk = json::parse(attacker.pub.to_jwk_json());
  const json header = {{"alg", "RS256"},
                       {"kid", "snk_1"},
                       {"typ", "at+jwt"},
                       {"jwk", attacker_jwk},
                       {"jku", "http://127.0.0.1:1/jwks.json"},
                       {"x5u", "http://127.0.0.1:1/cert.pem"},
                       {"x5c", {"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}}};
  EXPECT_EQ(error_of(mint_raw(attacker, header.dump(), seed_claims().dump())),
            VerifyError::bad_signature);
  json own_kid = header;
  own_kid["kid"] = attacker.pub.thumbprint();
  EXPECT_EQ(error_of(mint_raw(attacker, own_kid.dump(), seed_claims().dump())),
            VerifyError::unknown_kid);
  json no_kid = header;
  no_kid.erase("kid");
  EXPECT_EQ(error_of(mint_raw(attacker, no_kid.dump(), seed_claims().dump())),
            VerifyError::bad_signature);  // the one configured key is tried, and fails
}

// Counts what a verifier asks of its key source.
class CountingSource : public KeySource {
 public:
  explicit CountingSource(std::shared_ptr<KeySource> inner) : inner_(std::move(inner)) {}
  std::shared_ptr<const jose::Jwks> keys() override {
    ++keys_calls;
    return inner_->keys();
  }
  std::shared_ptr<const jose::Jwks> refresh_for_unknown_kid() override {
    ++refresh_calls;
    return inner_->refresh_for_unknown_kid();
  }
  std::atomic<int> keys_calls{0};
  std::atomic<int> refresh_calls{0};

 private:
  std::shared_ptr<KeySource> inner_;
};

TEST_F(VerifierTest, TreatsKidAsAnOpaqueKey) {
  const auto source = std::make_shared<CountingSource>(static_keys({&rsa}));
  const Verifier v = make_verifier(source);
  for (const std::string& kid : std::vector<std::string>{
           "../../../../dev/null", "snk_1' OR '1'='1", "snk_1/../snk_1", "http://evil.example/k",
           std::string("snk_1\0", 6), "SNK_1", "snk_1 ", "", std::string(3000, 'k')}) {
    EXPECT_EQ(
        error_with(v, mint_raw(rsa, json{{"alg", "RS256"}, {"kid", kid}, {"typ", "at+jwt"}}.dump(),
                               seed_claims().dump())),
        VerifyError::unknown_kid)
        << kid;
  }
  EXPECT_EQ(source->refresh_calls, 9);  // one refresh request per unknown kid; the source limits
}

TEST_F(VerifierTest, RejectsNonStringKidWithoutAskingForKeys) {
  const auto source = std::make_shared<CountingSource>(static_keys({&rsa}));
  const Verifier v = make_verifier(source);
  for (const json& kid :
       {json(1), json(nullptr), json::array({"snk_1"}), json{{"$ne", ""}}, json(true)}) {
    EXPECT_EQ(
        error_with(v, mint_raw(rsa, json{{"alg", "RS256"}, {"kid", kid}, {"typ", "at+jwt"}}.dump(),
                               seed_claims().dump())),
        VerifyError::malformed_header)
        << kid;
  }
  EXPECT_EQ(source->keys_calls, 0);
  EXPECT_EQ(source->refresh_calls, 0);
}

TEST_F(VerifierTest, GarbageNeverReachesTheKeySource) {
  const auto source = std::make_shared<CountingSource>(static_keys({&rsa}));
  const Verifier v = make_verifier(source);
  const std::string good = mint(rsa, seed_claims());
  const std::string unsigned_input = good.substr(0, good.rfind('.'));
  EXPECT_EQ(error_with(v, unsigned_input + ".AA=="), VerifyError::invalid_base64);
  EXPECT_EQ(error_with(v, signed_with_header({{"alg", "HS256"}, {"kid", "x"}})),
            VerifyError::algorithm_not_allowed);
  EXPECT_EQ(error_with(v, "x.y"), VerifyError::malformed_token);
  EXPECT_EQ(source->keys_calls, 0);
  EXPECT_EQ(source->refresh_calls, 0);
  EXPECT_TRUE(v.verify(good).ok());
  EXPECT_EQ(source->keys_calls, 1);
  EXPECT_EQ(source->refresh_calls, 0);
}

TEST_F(VerifierTest, WithoutKidUsesTheOnlyKeyOfTheAlgorithm) {
  const json header = {{"alg", "RS256"}, {"typ", "at+jwt"}};
  EXPECT_TRUE(verifier.verify(signed_with_header(header)).ok());
  const TestKey second = make_key(Algorithm::RS256, "snk_2", 1);
  const TestKey ec = make_key(Algorithm::ES256, "ec");
  EXPECT_TRUE(make_verifier(static_keys({&rsa, &ec})).verify(signed_with_header(header)).ok());
  EXPECT_EQ(error_with(make_verifier(static_keys({&rsa, &second})), signed_with_header(header)),
            VerifyError::missing_kid);
  EXPECT_EQ(error_with(make_verifier(static_keys({&ec})), signed_with_header(header)),
            VerifyError::missing_kid);
}

TEST_F(VerifierTest, BindsTheKeyToTheTokenAlgorithm) {
  // An EC key published as "snk_1": a token claiming ES256 for an RSA kid, and vice versa.
  const TestKey ec = make_key(Algorithm::ES256, "ec");
  auto options = options_for(static_keys({&rsa, &ec}));
  options.algorithms = {Algorithm::RS256, Algorithm::ES256};
  const Verifier v = *Verifier::create(options);
  EXPECT_EQ(
      error_with(v, mint_raw(ec, json{{"alg", "ES256"}, {"kid", "snk_1"}, {"typ", "at+jwt"}}.dump(),
                             seed_claims().dump())),
      VerifyError::key_algorithm_mismatch);
  EXPECT_EQ(
      error_with(v, mint_raw(rsa, json{{"alg", "RS256"}, {"kid", "ec"}, {"typ", "at+jwt"}}.dump(),
                             seed_claims().dump())),
      VerifyError::key_algorithm_mismatch);
}

TEST_F(VerifierTest, RejectsCritAndUnencodedPayloads) {
  EXPECT_EQ(error_of(signed_with_header(
                {{"alg", "RS256"}, {"kid", "snk_1"}, {"typ", "at+jwt"}, {"crit", {"exp"}}})),
            VerifyError::critical_header);
  EXPECT_EQ(error_of(signed_with_header(
                {{"alg", "RS256"}, {"kid", "snk_1"}, {"typ", "at+jwt"}, {"crit", json::array()}})),
            VerifyError::critical_header);
  EXPECT_EQ(error_of(signed_with_header({{"alg", "RS256"},
                                         {"kid", "snk_1"},
                                         {"typ", "at+jwt"},
                                         {"b64", false},
                                         {"crit", {"b64"}}})),
            VerifyError::critical_header);
  EXPECT_EQ(error_of(signed_with_header(
                {{"alg", "RS256"}, {"kid", "snk_1"}, {"typ", "at+jwt"}, {"b64", false}})),
            VerifyError::unencoded_payload);
}

TEST_F(VerifierTest, RequiresAnAccessTokenType) {
  const auto with_typ = [&](const json& typ) {
    json header = {{"alg", "RS256"}, {"kid", "snk_1"}};
    if (!typ.is_null()) header["typ"] = typ;
    return signed_with_header(header);
  };
  auto options = options_for(static_keys({&rsa}));
  options.accept_plain_jwt = true;
  const Verifier third_party = *Verifier::create(options);
  for (const char* typ :
       {"at+jwt", "AT+JWT", "At+Jwt", "application/at+jwt", "Application/AT+JWT"}) {
    EXPECT_TRUE(verifier.verify(with_typ(typ)).ok()) << typ;
    EXPECT_TRUE(third_party.verify(with_typ(typ)).ok()) << typ;
  }
  for (const char* typ : {"JWT", "jwt", "application/jwt"}) {
    EXPECT_EQ(error_of(with_typ(typ)), VerifyError::wrong_token_type) << typ;
    EXPECT_TRUE(third_party.verify(with_typ(typ)).ok()) << typ;
  }
  EXPECT_EQ(error_of(with_typ(nullptr)), VerifyError::wrong_token_type);
  EXPECT_TRUE(third_party.verify(with_typ(nullptr)).ok());
  for (const char* typ : {"JOSE", "at+jwt ", "application/", "text/at+jwt", "at+jwt;x=1",
                          "secevent+jwt", "dpop+jwt", ""}) {
    EXPECT_EQ(error_of(with_typ(typ)), VerifyError::wrong_token_type) << typ;
    EXPECT_EQ(error_with(third_party, with_typ(typ)), VerifyError::wrong_token_type) << typ;
  }
  EXPECT_EQ(error_of(with_typ(json(1))), VerifyError::malformed_header);
}

TEST_F(VerifierTest, RejectsDuplicateMembers) {
  const std::string header = R"({"alg":"RS256","kid":"snk_1","typ":"at+jwt","alg":"none"})";
  EXPECT_EQ(error_of(mint_raw(rsa, header, seed_claims().dump())), VerifyError::malformed_header);
  std::string payload = seed_claims().dump();
  payload.insert(1, R"("iss":"https://evil.example",)");
  EXPECT_EQ(error_of(mint_raw(rsa, header_for(rsa), payload)), VerifyError::malformed_payload);
  payload = seed_claims().dump();
  payload.insert(1, R"("exp":99999999999,)");
  EXPECT_EQ(error_of(mint_raw(rsa, header_for(rsa), payload)), VerifyError::malformed_payload);
}

// Signs `header_b64.payload_b64` as given, so that only the encoding is wrong.
std::string sign_encoded(const TestKey& key, const std::string& header_b64,
                         const std::string& payload_b64) {
  const std::string input = header_b64 + "." + payload_b64;
  std::string signature;
  EXPECT_TRUE(key.priv.sign(input, signature));
  return input + "." + b64(signature);
}

TEST_F(VerifierTest, RequiresCanonicalUnpaddedBase64url) {
  const std::string header = b64(header_for(rsa));
  const std::string payload = b64(seed_claims().dump());
  ASSERT_TRUE(verifier.verify(sign_encoded(rsa, header, payload)).ok());
  // Padding, whitespace and the standard alphabet, each in each segment, correctly signed.
  for (const std::string& bad :
       std::vector<std::string>{header + "==", header + " ", " " + header, header + "\n"}) {
    EXPECT_EQ(error_of(sign_encoded(rsa, bad, payload)), VerifyError::invalid_base64);
  }
  for (const std::string& bad :
       std::vector<std::string>{payload + "=", payload + "\t", payload + "\r\n"}) {
    EXPECT_EQ(error_of(sign_encoded(rsa, header, bad)), VerifyError::invalid_base64);
  }
  std::string standard = payload;
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (standard != payload) {
    EXPECT_EQ(error_of(sign_encoded(rsa, header, standard)), VerifyError::invalid_base64);
  }
  const std::string token = sign_encoded(rsa, header, payload);
  EXPECT_EQ(error_of(token + "="), VerifyError::invalid_base64);
  EXPECT_EQ(error_of(token + "=="), VerifyError::invalid_base64);
  std::string plus = token;
  plus.back() = '+';
  EXPECT_EQ(error_of(plus), VerifyError::invalid_base64);
}

TEST_F(VerifierTest, RejectsNonCanonicalEncodingsOfTheSameBytes) {
  // A segment whose length is 2 or 3 mod 4 has unused low bits; setting one yields another
  // spelling of the same bytes. Both segments here are signed as spelled.
  std::string payload_json = seed_claims().dump();
  while (b64(payload_json).size() % 4 != 2)
    payload_json += ' ';
  const std::string canonical = b64(payload_json);
  std::string twin = canonical;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  twin.back() = alphabet[alphabet.find(twin.back()) + 1];  // sets a bit that decoding discards
  const std::string header = b64(header_for(rsa));
  EXPECT_TRUE(verifier.verify(sign_encoded(rsa, header, canonical)).ok());
  EXPECT_EQ(error_of(sign_encoded(rsa, header, twin)), VerifyError::invalid_base64);
}

TEST_F(VerifierTest, CapsSizeAndSegmentCount) {
  const std::string good = mint(rsa, seed_claims());
  EXPECT_EQ(error_of(good + "." + "AAAA"), VerifyError::malformed_token);
  EXPECT_EQ(error_of(good + "."), VerifyError::malformed_token);
  EXPECT_EQ(error_of("." + good), VerifyError::malformed_token);
  EXPECT_EQ(error_of(std::string(100, '.')), VerifyError::malformed_token);
  EXPECT_EQ(error_of(""), VerifyError::malformed_token);
  EXPECT_EQ(error_of(good.substr(0, good.rfind('.'))), VerifyError::malformed_token);
  EXPECT_EQ(error_of(std::string(jose::kMaxTokenBytes + 1, '.')), VerifyError::token_too_large);
  // A legitimately signed token whose payload pushes it past the cap.
  json big = seed_claims();
  big["padding"] = std::string(jose::kMaxTokenBytes, 'x');
  EXPECT_EQ(error_of(mint(rsa, big)), VerifyError::token_too_large);
}

TEST_F(VerifierTest, ChecksTheSignatureBeforeAnyClaim) {
  // Bad signature over claims that are expired, malformed, or not even JSON: always bad_signature.
  json expired = seed_claims();
  expired["exp"] = 1;
  for (const std::string& payload : std::vector<std::string>{
           expired.dump(), std::string("not json"), std::string(R"({"scopes":"x"})"),
           std::string(R"({"iss":"https://evil.example"})")}) {
    EXPECT_EQ(error_of(mint_raw(attacker, header_for(attacker), payload)),
              VerifyError::bad_signature)
        << payload;
  }
  // Tampering with any byte of a good token breaks the signature.
  const std::string good = mint(rsa, seed_claims());
  const auto dot = good.find('.');
  std::string tampered = good;
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_NE(verifier.verify(tampered).ok(), true);
  std::string swapped = mint(attacker, seed_claims());
  swapped = good.substr(0, good.rfind('.')) + swapped.substr(swapped.rfind('.'));
  EXPECT_EQ(error_of(swapped), VerifyError::bad_signature);
}

TEST_F(VerifierTest, FailsClosedWithoutKeys) {
  const Verifier empty = make_verifier(std::make_shared<StaticKeySource>(jose::Jwks{}));
  EXPECT_EQ(error_with(empty, mint(rsa, seed_claims())), VerifyError::no_keys);

  class NullSource : public KeySource {
    std::shared_ptr<const jose::Jwks> keys() override { return nullptr; }
    std::shared_ptr<const jose::Jwks> refresh_for_unknown_kid() override { return nullptr; }
  };
  EXPECT_EQ(error_with(make_verifier(std::make_shared<NullSource>()), mint(rsa, seed_claims())),
            VerifyError::no_keys);
}

TEST(VerifierConfig, RejectsIncompleteOrUnsafeOptions) {
  const auto keys = std::make_shared<StaticKeySource>(jose::Jwks{});
  const auto error_for = [](VerifierOptions options) {
    auto v = Verifier::create(std::move(options));
    EXPECT_FALSE(v.ok());
    return v.ok() ? ConfigError::bad_timeouts : v.error();
  };
  EXPECT_EQ(error_for({.key_source = keys}), ConfigError::missing_issuer);
  EXPECT_EQ(error_for({.issuer = "https://a"}), ConfigError::missing_key_source);
  EXPECT_EQ(error_for({.issuer = "https://a", .algorithms = {}, .key_source = keys}),
            ConfigError::no_algorithms);
  EXPECT_EQ(
      error_for({.issuer = "https://a", .leeway = std::chrono::seconds(301), .key_source = keys}),
      ConfigError::leeway_out_of_range);
  EXPECT_EQ(
      error_for({.issuer = "https://a", .leeway = std::chrono::seconds(-1), .key_source = keys}),
      ConfigError::leeway_out_of_range);
  EXPECT_TRUE(
      Verifier::create({.issuer = "https://a", .leeway = kMaxLeeway, .key_source = keys}).ok());
  auto defaults = Verifier::create({.issuer = "https://a", .key_source = keys});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->options().algorithms, std::vector<Algorithm>{Algorithm::RS256});
  EXPECT_EQ(defaults->options().leeway, std::chrono::seconds(60));
  EXPECT_FALSE(defaults->options().accept_plain_jwt);
}

// Every reason text is safe in an RFC 6750 error_description: %x20-21 / %x23-5B / %x5D-7E.
TEST(VerifyErrors, AreNamedWithinTheRfc6750CharacterSet) {
  for (int i = 0; i <= static_cast<int>(VerifyError::audience_mismatch); ++i) {
    const std::string_view text = to_string(static_cast<VerifyError>(i));
    EXPECT_FALSE(text.empty()) << i;
    EXPECT_NE(text, "invalid token") << i;  // the fallback means a missing case
    for (const char c : text) {
      EXPECT_TRUE(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\') << text;
    }
  }
  for (int i = 0; i <= static_cast<int>(ConfigError::bad_size_limit); ++i) {
    EXPECT_NE(to_string(static_cast<ConfigError>(i)), "invalid configuration") << i;
  }
}

}  // namespace
}  // namespace tessera::verify
