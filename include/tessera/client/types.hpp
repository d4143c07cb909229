// The management API's objects as plain C++ values (no JSON type in sight). Field names follow the
// wire contract (snake_case), so the seed's `response.client.client_id` reads the same here.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::client {

using Timestamp = std::chrono::system_clock::time_point;

// RFC 3339 in UTC with fractional seconds ("2025-04-16T06:56:05.36Z" style, as the server writes).
std::string to_rfc3339(Timestamp time);
// Accepts "Z" and numeric offsets, any number of fractional digits (kept to nanoseconds).
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// --- Organizations -----------------------------------------------------------------------------

struct Organization {
  std::string id{};  // org_…
  std::string display_name{};
  std::string external_id{};  // empty when not set
  std::map<std::string, std::string> metadata{};
  Timestamp create_time{};
  Timestamp update_time{};
};

struct OrganizationDetails {
  std::string display_name{};  // 1–200 characters
  std::string external_id{};   // optional; unique
  std::map<std::string, std::string> metadata{};
};

// Only the members that are set change.
struct OrganizationUpdate {
  std::optional<std::string> display_name{};
  std::optional<std::string> external_id{};
  std::optional<std::map<std::string, std::string>> metadata{};
};

// --- API clients and secrets -------------------------------------------------------------------

struct Secret {
  std::string id{};  // sks_…
  Timestamp create_time{};
  Timestamp update_time{};
  std::string secret_suffix{};  // last 4 characters of the plain secret
  std::string status{};         // "ACTIVE" or "INACTIVE"
  std::optional<Timestamp> expire_time{};
  std::optional<Timestamp> last_used_time{};
};

struct CustomClaim {
  std::string key{};
  std::string value{};
};

struct ApiClient {
  std::string client_id{};  // m2morg_…
  std::vector<Secret> secrets{};
  std::string name{};
  std::string description{};
  std::string organization_id{};
  Timestamp create_time{};
  Timestamp update_time{};
  std::vector<std::string> scopes{};
  std::vector<std::string> audience{};
  std::vector<CustomClaim> custom_claims{};
  std::chrono::seconds expiry{0};  // access-token lifetime
};

// What create_client sends. Every member has a default, so designated initializers may name only
// what they set.
struct ClientDetails {
  std::string name{};  // 1–128 characters
  std::string description{};
  std::vector<std::string> scopes{};
  std::vector<std::string> audience{};
  std::vector<CustomClaim> custom_claims{};
  std::chrono::seconds expiry{0};  // 0: the server's default (3600 s); at least 300 s
};

// Only the members that are set change; custom_claims replaces the whole list. The server reads an
// empty string or list as "not set", so an update cannot clear a list.
struct ClientUpdate {
  std::optional<std::string> name{};
  std::optional<std::string> description{};
  std::optional<std::vector<std::string>> scopes{};
  std::optional<std::vector<std::string>> audience{};
  std::optional<std::vector<CustomClaim>> custom_claims{};
  std::optional<std::chrono::seconds> expiry{};
};

struct CreatedClient {
  ApiClient client{};
  std::string plain_secret{};  // returned only this once: hand it over, never log it
};

struct CreatedSecret {
  Secret secret{};
  std::string plain_secret{};  // returned only this once
};

// --- Paging ------------------------------------------------------------------------------------

struct PageRequest {
  std::int32_t page_size = 0;  // 0: the server's default
  std::string page_token{};    // from a previous page's next_page_token / prev_page_token
};

template <class T>
struct Page {
  std::vector<T> items{};
  std::string next_page_token{};  // empty on the last page
  std::string prev_page_token{};
  std::int64_t total_size = 0;
};

// --- Signing keys and audit log ----------------------------------------------------------------

struct SigningKey {
  std::string id{};         // snk_…, the JWT kid
  std::string algorithm{};  // "RS256", "ES256", "EdDSA"
  std::string state{};      // "PENDING", "ACTIVE", "RETIRED", "EXPIRED"
  Timestamp create_time{};
  Timestamp activate_time{};
  std::optional<Timestamp> retire_time{};
  std::optional<Timestamp> unpublish_time{};
};

struct RotateKeyOptions {
  std::string algorithm{};                               // empty: the server's configured algorithm
  std::optional<std::chrono::seconds> activate_after{};  // empty: the server's publish delay
};

struct AuditEvent {
  std::string id{};  // aud_…
  Timestamp time{};
  std::string actor{};   // the environment client that made the call
  std::string action{};  // "client.create", "key.rotate", ...
  std::string target_id{};
  std::string organization_id{};
  std::string source_address{};
  std::string outcome{};  // "SUCCESS" or "FAILURE"
};

// Empty members do not filter.
struct AuditFilter {
  std::string organization_id{};
  std::string actor{};
  std::string target_id{};
  std::string action{};
};

// --- Tokens ------------------------------------------------------------------------------------

struct AccessToken {
  std::string access_token{};  // the JWT
  std::string token_type{};    // "Bearer"
  std::chrono::seconds expires_in{0};
  std::vector<std::string> scopes{};  // granted, from the response's "scope"
};

}  // namespace tessera::client
