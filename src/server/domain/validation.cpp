#include "server/domain/validation.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "server/domain/utf8.hpp"

namespace tessera::domain {
namespace {

struct TextRule {
  std::size_t min_length;
  std::size_t max_length;
  ControlPolicy controls;
  bool allow_blank;  // blank: non-empty but only white space
};

// Names people read: no controls, not blank.
constexpr TextRule name_rule(std::size_t max_length) {
  return {1, max_length, ControlPolicy::none_allowed, false};
}
// Keys and identifiers: no controls.
constexpr TextRule identifier_rule(std::size_t min_length, std::size_t max_length) {
  return {min_length, max_length, ControlPolicy::none_allowed, true};
}
// Free text may span lines.
constexpr TextRule free_text_rule(std::size_t min_length, std::size_t max_length) {
  return {min_length, max_length, ControlPolicy::allow_tab_and_newlines, true};
}

std::string indexed(std::string_view field, std::size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool has_edge_white_space(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  return !text.empty() &&
         (kSpace.find(text.front()) != kSpace.npos || kSpace.find(text.back()) != kSpace.npos);
}

std::string length_message(std::size_t min_length, std::size_t max_length, std::size_t length) {
  if (length < min_length) {
    if (min_length == 1) return "must not be empty";
    return "must be at least " + std::to_string(min_length) + " characters";
  }
  return "must be at most " + std::to_string(max_length) + " characters";
}

// The first rule `value` breaks, as a violation description.
std::optional<std::string> text_problem(std::string_view value, const TextRule& rule) {
  const auto length = utf8_length(value);
  if (!length) return "must be valid UTF-8";
  if (*length < rule.min_length || *length > rule.max_length) {
    return length_message(rule.min_length, rule.max_length, *length);
  }
  if (has_control_characters(value, rule.controls)) return "must not contain control characters";
  if (!rule.allow_blank && is_blank(value)) return "must not be blank";
  return std::nullopt;
}

void check_text(std::string field, std::string_view value, const TextRule& rule,
                FieldViolations& out) {
  if (auto problem = text_problem(value, rule)) out.push_back({std::move(field), *problem});
}

void check_count(std::string_view field, std::size_t count, std::size_t max, FieldViolations& out) {
  if (count > max) {
    out.push_back({std::string(field), "must have at most " + std::to_string(max) + " entries"});
  }
}

void check_metadata(const std::map<std::string, std::string>& metadata, FieldViolations& out) {
  check_count("metadata", metadata.size(), kMaxMetadataPairs, out);
  // Keys are not echoed in the field path: they are unvalidated input.
  for (const auto& [key, value] : metadata) {
    const auto key_rule = identifier_rule(kMinMetadataKeyLength, kMaxMetadataKeyLength);
    if (auto problem = text_problem(key, key_rule)) out.push_back({"metadata", "keys " + *problem});
    const auto value_rule = free_text_rule(1, kMaxMetadataValueLength);
    if (auto problem = text_problem(value, value_rule)) {
      out.push_back({"metadata", "values " + *problem});
    }
  }
}

void check_display_name(std::string_view value, FieldViolations& out) {
  check_text("display_name", value, name_rule(kMaxDisplayNameLength), out);
}

void check_external_id(std::string_view value, FieldViolations& out) {
  check_text("external_id", value, identifier_rule(1, kMaxExternalIdLength), out);
}

void check_client_name(std::string_view value, FieldViolations& out) {
  check_text("name", value, name_rule(kMaxClientNameLength), out);
}

void check_description(std::string_view value, FieldViolations& out) {
  check_text("description", value, free_text_rule(0, kMaxDescriptionLength), out);
}

void check_scopes(const std::vector<std::string>& scopes, FieldViolations& out) {
  check_count("scopes", scopes.size(), kMaxScopes, out);
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    const std::string& scope = scopes[i];
    if (scope.empty() || scope.size() > kMaxScopeLength) {
      out.push_back({indexed("scopes", i), length_message(1, kMaxScopeLength, scope.size())});
    } else if (!is_scope_token(scope)) {
      out.push_back({indexed("scopes", i),
                     "must contain only printable ASCII without spaces, quotes or backslashes"});
    } else if (in_reserved_namespace(scope)) {
      out.push_back({indexed("scopes", i), "must not start with \"tessera:\" (reserved)"});
    } else if (!seen.insert(scope).second) {
      out.push_back({indexed("scopes", i), "is a duplicate"});
    }
  }
}

std::optional<std::string> audience_problem(std::string_view audience) {
  if (auto problem = text_problem(audience, identifier_rule(1, kMaxAudienceLength))) return problem;
  if (has_edge_white_space(audience)) return "must not start or end with white space";
  if (in_reserved_namespace(audience)) return "must not start with \"tessera:\" (reserved)";
  return std::nullopt;
}

void check_audience(const std::vector<std::string>& audience, FieldViolations& out) {
  check_count("audience", audience.size(), kMaxAudiences, out);
  for (std::size_t i = 0; i < audience.size(); ++i) {
    if (auto problem = audience_problem(audience[i])) {
      out.push_back({indexed("audience", i), *problem});
    }
  }
}

void check_custom_claims(const std::vector<CustomClaim>& claims, FieldViolations& out) {
  check_count("custom_claims", claims.size(), kMaxCustomClaims, out);
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    const std::string field = indexed("custom_claims", i);
    auto key_problem = text_problem(claims[i].key, identifier_rule(1, kMaxCustomClaimKeyLength));
    if (!key_problem && !seen.insert(claims[i].key).second) key_problem = "is a duplicate";
    if (key_problem) out.push_back({field + ".key", *key_problem});
    check_text(field + ".value", claims[i].value, free_text_rule(0, kMaxCustomClaimValueLength),
               out);
  }
}

void check_expiry(std::int64_t seconds, const ClientPolicy& policy, FieldViolations& out) {
  if (seconds < kMinExpirySeconds) {
    out.push_back({"expiry", "must be at least " + std::to_string(kMinExpirySeconds) + " seconds"});
  } else if (seconds > policy.max_expiry_seconds) {
    out.push_back(
        {"expiry", "must be at most " + std::to_string(policy.max_expiry_seconds) + " seconds"});
  }
}

}  // namespace

bool in_reserved_namespace(std::string_view value) {
  if (value.size() < kReservedNamespace.size()) return false;
  return std::equal(kReservedNamespace.begin(), kReservedNamespace.end(), value.begin(),
                    [](char reserved, char c) {
                      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
                      return reserved == lower;
                    });
}

bool is_scope_token(std::string_view scope) {
  if (scope.empty()) return false;
  return std::all_of(scope.begin(), scope.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x21 && byte <= 0x7E && byte != 0x22 && byte != 0x5C;
  });
}

std::int64_t effective_expiry(std::optional<std::int64_t> requested, const ClientPolicy& policy) {
  if (!requested || *requested == 0) {
    return std::min(kDefaultExpirySeconds, policy.max_expiry_seconds);
  }
  return *requested;
}

FieldViolations validate_organization(const Organization& organization) {
  FieldViolations out;
  check_display_name(organization.display_name, out);
  if (organization.external_id) check_external_id(*organization.external_id, out);
  check_metadata(organization.metadata, out);
  return out;
}

FieldViolations validate_organization_patch(const OrganizationPatch& patch) {
  FieldViolations out;
  if (patch.display_name) check_display_name(*patch.display_name, out);
  if (patch.external_id) check_external_id(*patch.external_id, out);
  if (patch.metadata) check_metadata(*patch.metadata, out);
  return out;
}

FieldViolations validate_client(const ApiClient& client, const ClientPolicy& policy) {
  FieldViolations out;
  check_client_name(client.name, out);
  check_description(client.description, out);
  check_scopes(client.scopes, out);
  check_audience(client.audience, out);
  check_custom_claims(client.custom_claims, out);
  check_expiry(client.expiry_seconds, policy, out);
  return out;
}

FieldViolations validate_client_patch(const ApiClientPatch& patch, const ClientPolicy& policy) {
  FieldViolations out;
  if (patch.name) check_client_name(*patch.name, out);
  if (patch.description) check_description(*patch.description, out);
  if (patch.scopes) check_scopes(*patch.scopes, out);
  if (patch.audience) check_audience(*patch.audience, out);
  if (patch.custom_claims) check_custom_claims(*patch.custom_claims, out);
  if (patch.expiry_seconds) check_expiry(*patch.expiry_seconds, policy, out);
  return out;
}

FieldViolations validate_page_size(std::int64_t page_size) {
  if (page_size < 0) return {{"page_size", "must not be negative"}};
  return {};
}

}  // namespace tessera::domain
