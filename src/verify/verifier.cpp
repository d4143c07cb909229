// The verification pipeline. Order matters: size, structure, header policy, key, signature, and
// only then the payload and its claims.
#include "tessera/verify/verifier.hpp"

#include <algorithm>
#include <cctype>

#include "tessera/jose/base64url.hpp"
#include "tessera/jose/claim_names.hpp"
#include "tessera/jose/jws.hpp"
#include "verify/claims_reader.hpp"
#include "verify/token_cache.hpp"

namespace tessera::verify {
namespace {

using jose::Algorithm;
using jose::JoseHeader;
using jose::JwsError;

VerifyError from_jws_error(JwsError error) {
  switch (error) {
    case JwsError::too_long:
      return VerifyError::token_too_large;
    case JwsError::malformed:
      return VerifyError::malformed_token;
    case JwsError::bad_base64:
      return VerifyError::invalid_base64;
    case JwsError::bad_header:
    case JwsError::bad_header_field:
      return VerifyError::malformed_header;
  }
  return VerifyError::malformed_token;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 7515 §4.1.9: typ is a media type, compared case-insensitively, "application/" optional.
bool is_media_type(std::string_view typ, std::string_view subtype) {
  constexpr std::string_view kApplication = "application/";
  if (typ.size() > kApplication.size() &&
      iequals(typ.substr(0, kApplication.size()), kApplication)) {
    typ.remove_prefix(kApplication.size());
  }
  return iequals(typ, subtype);
}

bool accepted_type(const std::optional<std::string>& typ, bool accept_plain_jwt) {
  if (typ && is_media_type(*typ, jose::claim::kAccessTokenType)) return true;
  return accept_plain_jwt && (!typ || is_media_type(*typ, "JWT"));
}

// Tokens from one issuer carry one of a handful of headers, and decoding and parsing the same one
// on every request is waste. Each thread remembers the last header it parsed, keyed by its exact
// base64url text (the parse is a pure function of it). Failures are not remembered.
Result<std::shared_ptr<const JoseHeader>, VerifyError> read_header(std::string_view header_b64) {
  struct Memo {
    std::string header_b64;
    std::shared_ptr<const JoseHeader> header;
  };
  thread_local Memo memo;
  if (memo.header && memo.header_b64 == header_b64) return memo.header;
  std::string header_json;
  if (!jose::base64url_decode(header_b64, header_json)) return fail(VerifyError::invalid_base64);
  auto header = jose::parse_header(header_json);
  if (!header) return fail(from_jws_error(header.error()));
  memo.header = std::make_shared<const JoseHeader>(std::move(*header));
  memo.header_b64.assign(header_b64);
  return memo.header;
}

// Applies the header policy; the algorithm it returns is the one the key must have.
Result<Algorithm, VerifyError> check_header(const JoseHeader& header,
                                            const VerifierOptions& options) {
  // The allow-list is matched exactly; parse_algorithm knows no "none", "HS256" or "rs256".
  const auto alg = jose::parse_algorithm(header.alg);
  if (!alg || std::find(options.algorithms.begin(), options.algorithms.end(), *alg) ==
                  options.algorithms.end()) {
    return fail(VerifyError::algorithm_not_allowed);
  }
  if (header.has_crit) return fail(VerifyError::critical_header);
  if (header.b64_false) return fail(VerifyError::unencoded_payload);
  if (!accepted_type(header.typ, options.accept_plain_jwt)) {
    return fail(VerifyError::wrong_token_type);
  }
  return *alg;
}

// The selected key, with the snapshot that owns it.
struct SelectedKey {
  std::shared_ptr<const jose::Jwks> jwks;
  const jose::PublicKey* key = nullptr;
};

// Without a kid, the key set must hold exactly one key of the token's algorithm.
const jose::PublicKey* only_candidate(const jose::Jwks& jwks, Algorithm alg) {
  const jose::PublicKey* found = nullptr;
  for (const auto& key : jwks.keys) {
    if (key.algorithm() != alg) continue;
    if (found != nullptr) return nullptr;
    found = &key;
  }
  return found;
}

Result<SelectedKey, VerifyError> select_key(KeySource& source, const JoseHeader& header,
                                            Algorithm alg) {
  SelectedKey selected{source.keys()};
  if (!selected.jwks || selected.jwks->keys.empty()) return fail(VerifyError::no_keys);
  if (!header.kid) {
    selected.key = only_candidate(*selected.jwks, alg);
    if (selected.key == nullptr) return fail(VerifyError::missing_kid);
    return selected;
  }
  selected.key = selected.jwks->find(*header.kid);
  if (selected.key == nullptr) {
    selected.jwks = source.refresh_for_unknown_kid();
    if (!selected.jwks) return fail(VerifyError::no_keys);
    selected.key = selected.jwks->find(*header.kid);
    if (selected.key == nullptr) return fail(VerifyError::unknown_kid);
  }
  if (selected.key->algorithm() != alg) return fail(VerifyError::key_algorithm_mismatch);
  return selected;
}

std::optional<VerifyError> check_times(const Claims& claims, std::int64_t now,
                                       std::int64_t leeway) {
  // Every operand is within [0, kMaxNumericDate] or a clock reading, so nothing overflows.
  if (now >= claims.exp + leeway) return VerifyError::expired;
  if (claims.nbf && now + leeway < *claims.nbf) return VerifyError::not_yet_valid;
  if (claims.iat && *claims.iat > now + leeway) return VerifyError::issued_in_future;
  return std::nullopt;
}

bool audience_matches(const std::vector<std::string>& token_aud,
                      const std::vector<std::string>& accepted) {
  return std::any_of(token_aud.begin(), token_aud.end(), [&](const std::string& aud) {
    return std::find(accepted.begin(), accepted.end(), aud) != accepted.end();
  });
}

std::optional<VerifyError> check_claims(const Claims& claims, const VerifierOptions& options,
                                        std::int64_t now) {
  if (claims.iss != options.issuer) return VerifyError::issuer_mismatch;  // full length, bytewise
  if (auto error = check_times(claims, now, options.leeway.count())) return error;
  if (!options.audiences.empty() && !audience_matches(claims.aud, options.audiences)) {
    return VerifyError::audience_mismatch;
  }
  return std::nullopt;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<Verifier, ConfigError> Verifier::create(VerifierOptions options) {
  if (options.issuer.empty()) return fail(ConfigError::missing_issuer);
  if (!options.key_source) return fail(ConfigError::missing_key_source);
  if (options.algorithms.empty()) return fail(ConfigError::no_algorithms);
  if (options.leeway < std::chrono::seconds(0) || options.leeway > kMaxLeeway) {
    return fail(ConfigError::leeway_out_of_range);
  }
  return Verifier(std::move(options));
}

Verifier::Verifier(VerifierOptions options) : options_(std::move(options)) {
  if (options_.token_cache_entries > 0) {
    cache_ = std::make_shared<detail::TokenCache>(options_.token_cache_entries);
  }
}

std::size_t Verifier::cached_tokens() const {
  return cache_ ? cache_->size() : 0;
}

Result<Claims, VerifyError> Verifier::verify(std::string_view token) const {
  if (!cache_) return verify_uncached(token, nullptr);
  if (auto hit = cache_->find(token)) {
    // The same bytes verified before; what can have changed since is the clock and the keys.
    const auto now =
        unix_seconds(options_.clock ? options_.clock() : std::chrono::system_clock::now());
    if (now < hit->claims.exp && hit->keys == options_.key_source->keys() &&
        !check_claims(hit->claims, options_, now)) {
      return hit->claims;
    }
    cache_->erase(token);
  }
  std::shared_ptr<const jose::Jwks> keys_used;
  auto claims = verify_uncached(token, &keys_used);
  if (claims) {
    const auto now =
        unix_seconds(options_.clock ? options_.clock() : std::chrono::system_clock::now());
    if (now < claims->exp) {
      cache_->put(std::make_shared<const detail::CachedToken>(
          detail::CachedToken{std::string(token), *claims, std::move(keys_used)}));
    }
  }
  return claims;
}

Result<Claims, VerifyError> Verifier::verify_uncached(
    std::string_view token, std::shared_ptr<const jose::Jwks>* keys_used) const {
  auto jws = jose::split_compact(token);
  if (!jws) return fail(from_jws_error(jws.error()));

  auto header = read_header(jws->header_b64);
  if (!header) return fail(header.error());
  const auto alg = check_header(**header, options_);
  if (!alg) return fail(alg.error());

  // Decoded before the key lookup, so that a token with a garbage signature cannot even ask the
  // key source for a refresh.
  std::string signature;
  if (!jose::base64url_decode(jws->signature_b64, signature)) {
    return fail(VerifyError::invalid_base64);
  }
  auto selected = select_key(*options_.key_source, **header, *alg);
  if (!selected) return fail(selected.error());
  if (!selected->key->verify(jws->signing_input, signature)) {
    return fail(VerifyError::bad_signature);
  }

  // From here on the payload is the issuer's: decode and read it.
  std::string payload;
  if (!jose::base64url_decode(jws->payload_b64, payload)) return fail(VerifyError::invalid_base64);
  auto claims = detail::read_claims(std::move(payload));
  if (!claims) return fail(claims.error());
  const auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  if (auto error = check_claims(*claims, options_, unix_seconds(now))) return fail(*error);
  if (keys_used != nullptr) *keys_used = std::move(selected->jwks);
  return claims;
}

}  // namespace tessera::verify
