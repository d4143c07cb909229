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

// Claims are read from a DOM we own, so strings are moved out rather than copied.
std::string take_string(json& value) {
  return std::move(value.get_ref<std::string&>());
}

std::optional<VerifyError> read_string(json& value, std::string& out) {
  if (!value.is_string()) return VerifyError::malformed_claim;
  out = take_string(value);
  return std::nullopt;
}

std::optional<VerifyError> read_string_array(json& value, std::vector<std::string>& out) {
  if (!value.is_array()) return VerifyError::malformed_claim;
  out.reserve(value.size());
  for (json& element : value) {
    if (!element.is_string()) return VerifyError::malformed_claim;
    out.push_back(take_string(element));
  }
  return std::nullopt;
}

// RFC 7519 "aud": one string, or an array of strings.
std::optional<VerifyError> read_audience(json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(take_string(value));
    return std::nullopt;
  }
  return read_string_array(value, out);
}

// RFC 7519 NumericDate: any JSON number, limited to [0, kMaxNumericDate] before any conversion so
// that 1e300, -1 or 1e19 can never reach an undefined float-to-integer cast.
std::optional<VerifyError> read_numeric_date(const json& value, std::int64_t& out) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(kMaxNumericDate))
      return VerifyError::time_claim_out_of_range;
    out = static_cast<std::int64_t>(v);
  } else if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    if (v < 0 || v > kMaxNumericDate) return VerifyError::time_claim_out_of_range;
    out = v;
  } else if (value.is_number_float()) {
    const double v = value.get<double>();
    // Written so that NaN fails too.
    if (!(v >= 0.0 && v <= static_cast<double>(kMaxNumericDate))) {
      return VerifyError::time_claim_out_of_range;
    }
    out = static_cast<std::int64_t>(std::floor(v));
  } else {
    return VerifyError::malformed_claim;
  }
  return std::nullopt;
}

std::optional<VerifyError> read_optional_date(const json& value, std::optional<std::int64_t>& out) {
  std::int64_t v = 0;
  if (auto error = read_numeric_date(value, v)) return error;
  out = v;
  return std::nullopt;
}

std::optional<VerifyError> read_custom_claims(
    json& value, std::map<std::string, std::string, std::less<>>& out) {
  if (!value.is_object()) return VerifyError::malformed_claim;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it->is_string()) return VerifyError::malformed_claim;
    out.emplace(it.key(), take_string(*it));
  }
  return std::nullopt;
}

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

struct Reader {
  Claims claims;
  bool has_exp = false;
  bool has_scopes = false;
  std::optional<std::string> scope;  // the "scope" string form, reconciled at the end

  std::optional<VerifyError> member(std::string_view name, json& value) {
    if (name == claim::kIssuer) return read_string(value, claims.iss);
    if (name == claim::kSubject) return read_string(value, claims.sub);
    if (name == claim::kClientId) return read_string(value, claims.client_id);
    if (name == claim::kOrganizationId) return read_string(value, claims.oid);
    if (name == claim::kTokenId) return read_string(value, claims.jti);
    if (name == claim::kAudience) return read_audience(value, claims.aud);
    if (name == claim::kExpiry) {
      has_exp = true;
      return read_numeric_date(value, claims.exp);
    }
    if (name == claim::kNotBefore) return read_optional_date(value, claims.nbf);
    if (name == claim::kIssuedAt) return read_optional_date(value, claims.iat);
    if (name == claim::kScopes) {
      has_scopes = true;
      return read_string_array(value, claims.scopes);
    }
    if (name == claim::kScope) {
      if (!value.is_string()) return VerifyError::malformed_claim;
      scope = take_string(value);
      return std::nullopt;
    }
    if (name == claim::kCustomClaims) return read_custom_claims(value, claims.custom_claims);
    return std::nullopt;  // not modelled; still in raw_payload
  }

  std::optional<VerifyError> reconcile_scopes() {
    if (!scope) return std::nullopt;
    auto split = split_scope(*scope);
    if (!split) return VerifyError::malformed_claim;
    if (has_scopes) {
      return same_scopes(claims.scopes, std::move(*split))
                 ? std::nullopt
                 : std::optional(VerifyError::malformed_claim);
    }
    claims.scopes.assign(split->begin(), split->end());
    return std::nullopt;
  }
};

}  // namespace

Result<Claims, VerifyError> read_claims(std::string payload_json) {
  nlohmann::json doc;
  if (tessera::json::parse_strict(payload_json, doc) || !doc.is_object()) {
    return fail(VerifyError::malformed_payload);
  }
  Reader reader;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (auto error = reader.member(it.key(), it.value())) return fail(*error);
  }
  if (auto error = reader.reconcile_scopes()) return fail(*error);
  if (!reader.has_exp) return fail(VerifyError::missing_expiry);
  reader.claims.raw_payload = std::move(payload_json);
  return std::move(reader.claims);
}

}  // namespace tessera::verify::detail
