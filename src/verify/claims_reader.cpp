// Reads claims straight from strict SAX events: no DOM is built, strings are moved, not copied.
// This runs on every verified token, so it is written for the hot path.
#include "verify/claims_reader.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "jose/strict_json.hpp"
#include "tessera/jose/claim_names.hpp"

namespace tessera::verify::detail {
namespace {

using nlohmann::json;
namespace claim = jose::claim;

enum class Member {
  other,  // not modelled: skipped, still in raw_payload
  iss,
  sub,
  client_id,
  oid,
  jti,
  aud,
  exp,
  nbf,
  iat,
  scopes,
  scope,
  custom_claims,
};

Member classify(std::string_view name) {
  static constexpr std::pair<std::string_view, Member> kMembers[] = {
      {claim::kIssuer, Member::iss},         {claim::kSubject, Member::sub},
      {claim::kClientId, Member::client_id}, {claim::kOrganizationId, Member::oid},
      {claim::kTokenId, Member::jti},        {claim::kAudience, Member::aud},
      {claim::kExpiry, Member::exp},         {claim::kNotBefore, Member::nbf},
      {claim::kIssuedAt, Member::iat},       {claim::kScopes, Member::scopes},
      {claim::kScope, Member::scope},        {claim::kCustomClaims, Member::custom_claims},
  };
  for (const auto& [known, member] : kMembers) {
    if (name == known) return member;
  }
  return Member::other;
}

// What the container one level below the payload object is being read into.
enum class Collecting { nothing, scopes, aud, custom_claims };

// RFC 6749 §3.3 scope: scope-tokens separated by single spaces. An empty string grants nothing.
std::optional<std::vector<std::string_view>> split_scope(std::string_view scope) {
  std::vector<std::string_view> tokens;
  if (scope.empty()) return tokens;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = scope.find(' ', start);
    const std::string_view token = scope.substr(start, space - start);
    if (token.empty()) return std::nullopt;
    tokens.push_back(token);
    if (space == std::string_view::npos) return tokens;
    start = space + 1;
  }
}

// Both forms present: they must grant the same scopes, or two readers of one token (a "scopes"
// reader and an RFC 9068 "scope" reader) would authorize different things.
bool same_scopes(const std::vector<std::string>& scopes, std::vector<std::string_view> split) {
  if (scopes.size() != split.size()) return false;
  std::vector<std::string_view> listed(scopes.begin(), scopes.end());
  std::sort(listed.begin(), listed.end());
  std::sort(split.begin(), split.end());
  return listed == split;
}

// RFC 7519 NumericDate, limited to [0, kMaxNumericDate] before any conversion, so that 1e300, -1
// or 1e19 can never reach an undefined float-to-integer cast.
template <class Number>
std::optional<std::int64_t> numeric_date(Number value) {
  if constexpr (std::is_floating_point_v<Number>) {
    // Written so that NaN fails too.
    if (!(value >= 0.0 && value <= static_cast<double>(kMaxNumericDate))) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(value));
  } else if constexpr (std::is_signed_v<Number>) {
    if (value < 0 || value > kMaxNumericDate) return std::nullopt;
    return static_cast<std::int64_t>(value);
  } else {
    if (value > static_cast<std::uint64_t>(kMaxNumericDate)) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
}

class ClaimsReader {
 public:
  Claims claims;
  std::optional<VerifyError> error;

  // --- SAX events (see json::parse_strict_sax) ---
  bool null() { return other_scalar(); }
  bool boolean(bool) { return other_scalar(); }
  bool number_integer(json::number_integer_t v) { return number(v); }
  bool number_unsigned(json::number_unsigned_t v) { return number(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return number(v); }

  bool string(json::string_t& value) {
    if (depth_ == 0) return reject(VerifyError::malformed_payload);
    if (depth_ == 1) return member_string(value);
    if (depth_ == 2) {
      switch (collecting_) {
        case Collecting::scopes:
          claims.scopes.push_back(std::move(value));
          break;
        case Collecting::aud:
          claims.aud.push_back(std::move(value));
          break;
        case Collecting::custom_claims:
          claims.custom_claims.emplace(std::move(custom_key_), std::move(value));
          break;
        case Collecting::nothing:
          break;
      }
    }
    return true;
  }

  bool start_object(std::size_t) {
    if (depth_ == 1) {
      if (member_ == Member::custom_claims) {
        collecting_ = Collecting::custom_claims;
      } else if (member_ != Member::other) {
        return reject(VerifyError::malformed_claim);
      }
    } else if (depth_ >= 2 && collecting_ != Collecting::nothing) {
      return reject(VerifyError::malformed_claim);  // no nesting inside a modelled claim
    }
    ++depth_;
    return true;
  }

  bool start_array(std::size_t) {
    if (depth_ == 0) return reject(VerifyError::malformed_payload);
    if (depth_ == 1) {
      if (member_ == Member::scopes) {
        collecting_ = Collecting::scopes;
        has_scopes_ = true;
      } else if (member_ == Member::aud) {
        collecting_ = Collecting::aud;
      } else if (member_ != Member::other) {
        return reject(VerifyError::malformed_claim);
      }
    } else if (depth_ >= 2 && collecting_ != Collecting::nothing) {
      return reject(VerifyError::malformed_claim);
    }
    ++depth_;
    return true;
  }

  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& name) {
    if (depth_ == 1) {
      member_ = classify(name);
    } else if (depth_ == 2 && collecting_ == Collecting::custom_claims) {
      custom_key_ = std::move(name);
    }
    return true;
  }

  // --- after the parse ---
  std::optional<VerifyError> finish() {
    if (scope_) {
      auto split = split_scope(*scope_);
      if (!split) return VerifyError::malformed_claim;
      if (!has_scopes_) {
        claims.scopes.assign(split->begin(), split->end());
      } else if (!same_scopes(claims.scopes, std::move(*split))) {
        return VerifyError::malformed_claim;
      }
    }
    if (!has_exp_) return VerifyError::missing_expiry;
    return std::nullopt;
  }

 private:
  bool reject(VerifyError e) {
    error = e;
    return false;
  }

  bool close() {
    if (--depth_ == 1) collecting_ = Collecting::nothing;
    return true;
  }

  bool member_string(json::string_t& value) {
    switch (member_) {
      case Member::iss:
        claims.iss = std::move(value);
        return true;
      case Member::sub:
        claims.sub = std::move(value);
        return true;
      case Member::client_id:
        claims.client_id = std::move(value);
        return true;
      case Member::oid:
        claims.oid = std::move(value);
        return true;
      case Member::jti:
        claims.jti = std::move(value);
        return true;
      case Member::aud:
        claims.aud.push_back(std::move(value));
        return true;
      case Member::scope:
        scope_ = std::move(value);
        return true;
      case Member::other:
        return true;
      default:  // exp / nbf / iat / scopes / custom_claims as a string
        return reject(VerifyError::malformed_claim);
    }
  }

  template <class Number>
  bool number(Number value) {
    if (depth_ == 0) return reject(VerifyError::malformed_payload);
    if (depth_ >= 2) {
      return collecting_ == Collecting::nothing || reject(VerifyError::malformed_claim);
    }
    std::optional<std::int64_t>* target = nullptr;
    switch (member_) {
      case Member::exp: {
        const auto date = numeric_date(value);
        if (!date) return reject(VerifyError::time_claim_out_of_range);
        claims.exp = *date;
        has_exp_ = true;
        return true;
      }
      case Member::nbf:
        target = &claims.nbf;
        break;
      case Member::iat:
        target = &claims.iat;
        break;
      case Member::other:
        return true;
      default:
        return reject(VerifyError::malformed_claim);
    }
    *target = numeric_date(value);
    return target->has_value() || reject(VerifyError::time_claim_out_of_range);
  }

  // null or a boolean
  bool other_scalar() {
    if (depth_ == 0) return reject(VerifyError::malformed_payload);
    if (depth_ == 1) return member_ == Member::other || reject(VerifyError::malformed_claim);
    return collecting_ == Collecting::nothing || reject(VerifyError::malformed_claim);
  }

  std::size_t depth_ = 0;  // 1 = inside the payload object
  Member member_ = Member::other;
  Collecting collecting_ = Collecting::nothing;
  std::string custom_key_;
  std::optional<std::string> scope_;
  bool has_exp_ = false;
  bool has_scopes_ = false;
};

}  // namespace

Result<Claims, VerifyError> read_claims(std::string payload_json) {
  ClaimsReader reader;
  if (auto parse_error = tessera::json::parse_strict_sax(payload_json, reader)) {
    if (*parse_error == tessera::json::ParseError::rejected && reader.error) {
      return fail(*reader.error);
    }
    return fail(VerifyError::malformed_payload);
  }
  if (auto error = reader.finish()) return fail(*error);
  reader.claims.raw_payload = std::move(payload_json);
  return std::move(reader.claims);
}

}  // namespace tessera::verify::detail
