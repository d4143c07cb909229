// The contract's field rules for organizations and API clients, in one place. Each check returns
// every violation it finds (not just the first) as {field, description}; the HTTP layer maps them
// to the google.rpc.Status error shape. Lengths count Unicode code points of valid UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/entities.hpp"

namespace tessera::domain {

struct FieldViolation {
  std::string field;        // "name", "scopes[2]", "custom_claims[0].key", ...
  std::string description;  // "must be at most 128 characters"

  bool operator==(const FieldViolation&) const = default;
};
using FieldViolations = std::vector<FieldViolation>;

// Organization limits.
inline constexpr std::size_t kMaxDisplayNameLength = 200;
inline constexpr std::size_t kMaxExternalIdLength = 255;
inline constexpr std::size_t kMaxMetadataPairs = 10;
inline constexpr std::size_t kMinMetadataKeyLength = 3;
inline constexpr std::size_t kMaxMetadataKeyLength = 25;
inline constexpr std::size_t kMaxMetadataValueLength = 256;

// API client limits.
inline constexpr std::size_t kMaxClientNameLength = 128;
inline constexpr std::size_t kMaxDescriptionLength = 512;
inline constexpr std::size_t kMaxScopes = 50;
inline constexpr std::size_t kMaxScopeLength = 128;
inline constexpr std::size_t kMaxAudiences = 10;
inline constexpr std::size_t kMaxAudienceLength = 256;
inline constexpr std::size_t kMaxCustomClaims = 20;
inline constexpr std::size_t kMaxCustomClaimKeyLength = 64;
inline constexpr std::size_t kMaxCustomClaimValueLength = 256;
inline constexpr std::int64_t kMinExpirySeconds = 300;
inline constexpr std::int64_t kDefaultMaxExpirySeconds = 86400;
inline constexpr std::size_t kMaxSecretsPerClient = 5;

// Scopes and audiences in this namespace (case-insensitive) belong to management tokens; no API
// client may carry one, so that its tokens can never pass for a management token.
inline constexpr std::string_view kReservedNamespace = "tessera:";
bool in_reserved_namespace(std::string_view scope_or_audience);

struct ClientPolicy {
  std::int64_t max_expiry_seconds = kDefaultMaxExpirySeconds;
};

// The expiry to store for a requested one: absent or 0 means the default (3600 s, or the maximum
// when that is configured lower). Other values are kept as they are, for validation to judge.
std::int64_t effective_expiry(std::optional<std::int64_t> requested, const ClientPolicy& policy);

// New records: every field as it will be stored (ids and times are not checked here).
FieldViolations validate_organization(const Organization& organization);
FieldViolations validate_client(const ApiClient& client, const ClientPolicy& policy = {});

// Partial updates: only the fields present are checked. An expiry of 0 in a patch means "leave
// alone" on the wire; the HTTP layer drops it before it gets here.
FieldViolations validate_organization_patch(const OrganizationPatch& patch);
FieldViolations validate_client_patch(const ApiClientPatch& patch, const ClientPolicy& policy = {});

// RFC 6749 section 3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ).
bool is_scope_token(std::string_view scope);

// Page sizes of list calls: 0 means the default; negative is an error; above the maximum is
// coerced to it (AIP-158).
inline constexpr int kDefaultPageSize = 10;
inline constexpr int kMaxPageSize = 100;
FieldViolations validate_page_size(std::int64_t page_size);

}  // namespace tessera::domain
