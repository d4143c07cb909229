// The server's records, mirroring the wire contract (api-contract.md section 5). Ids are the full
// "<prefix>_<decimal>" strings of ids.hpp. Plain data: no I/O, no JSON.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/time.hpp"

namespace tessera::domain {

struct Organization {
  std::string id;  // org_
  std::string display_name;
  std::optional<std::string> external_id;  // unique across organizations when present
  std::map<std::string, std::string> metadata;
  Timestamp create_time;
  Timestamp update_time;

  bool operator==(const Organization&) const = default;
};

enum class SecretStatus { active, inactive };

// "ACTIVE" / "INACTIVE", the contract's enum names.
std::string_view to_string(SecretStatus status);
std::optional<SecretStatus> parse_secret_status(std::string_view name);

// HMAC-SHA-256 of the plain secret under the server key. Opaque here: the auth layer computes it.
using SecretHash = std::array<std::uint8_t, 32>;

struct Secret {
  std::string id;         // sks_
  std::string client_id;  // m2morg_ or skc_
  SecretHash hash{};
  std::string suffix;  // the last 4 characters of the plain secret, shown as secret_suffix
  SecretStatus status = SecretStatus::active;
  std::optional<Timestamp> expire_time;  // absent: never expires
  std::optional<Timestamp> last_used_time;
  Timestamp create_time;
  Timestamp update_time;

  bool operator==(const Secret&) const = default;
};

struct CustomClaim {
  std::string key;
  std::string value;

  bool operator==(const CustomClaim&) const = default;
};

inline constexpr std::int64_t kDefaultExpirySeconds = 3600;

// An organization's API client (m2morg_) or an environment client (skc_, no organization). Both
// kinds authenticate at the token endpoint the same way.
struct ApiClient {
  std::string id;
  std::optional<std::string> organization_id;  // absent for environment clients
  std::string name;
  std::string description;
  std::vector<std::string> scopes;
  std::vector<std::string> audience;
  std::vector<CustomClaim> custom_claims;  // order preserved
  std::int64_t expiry_seconds = kDefaultExpirySeconds;
  Timestamp create_time;
  Timestamp update_time;
  std::vector<Secret> secrets;  // oldest first

  bool is_environment_client() const { return !organization_id.has_value(); }
  bool operator==(const ApiClient&) const = default;
};

// What authenticating a client at the token endpoint and issuing its token read: no names,
// descriptions, suffixes or times other than expiry. The stores read it with one narrow query,
// because a token request for a client not in the cache waits for that read; the token endpoint's
// client cache holds it as read.
struct ClientCredentials {
  struct Secret {
    std::string id;  // sks_
    SecretHash hash{};
    SecretStatus status = SecretStatus::active;
    std::optional<Timestamp> expire_time;

    bool operator==(const Secret&) const = default;
  };

  std::string id;
  std::optional<std::string> organization_id;  // absent for environment clients
  std::vector<std::string> scopes;
  std::vector<std::string> audience;
  std::vector<CustomClaim> custom_claims;
  std::int64_t expiry_seconds = kDefaultExpirySeconds;
  std::vector<Secret> secrets;  // oldest first

  bool is_environment_client() const { return !organization_id.has_value(); }
  bool operator==(const ClientCredentials&) const = default;
};

ClientCredentials credentials_of(const ApiClient& client);

// A signing key as stored. The private key is encrypted by the keys layer before it gets here.
struct SigningKeyRecord {
  std::string id;         // snk_, also the JWT "kid"
  std::string algorithm;  // JWS name: "RS256", "ES256", "EdDSA"
  std::vector<std::uint8_t> encrypted_private_key;
  std::string public_jwk_json;
  Timestamp create_time;
  Timestamp activate_time;               // published from create_time, signs from here on
  std::optional<Timestamp> retire_time;  // stops signing; stays published until tokens expire

  bool operator==(const SigningKeyRecord&) const = default;
};

enum class AuditOutcome { success, failure };

// "SUCCESS" / "FAILURE".
std::string_view to_string(AuditOutcome outcome);
std::optional<AuditOutcome> parse_audit_outcome(std::string_view name);

// One entry of the audit log: who did what to which object, when and from where. Never holds a
// secret value (only ids and suffixes are ever named).
struct AuditEvent {
  std::string id;  // aud_
  Timestamp time;
  std::string actor;            // the authenticated client id (skc_ or m2morg_), or "" if none
  std::string action;           // e.g. "client.create", "secret.delete", "key.rotate"
  std::string target_id;        // the object acted on, or ""
  std::string organization_id;  // the organization it belongs to, or ""
  std::string source_address;   // the caller's address as the server saw it
  AuditOutcome outcome = AuditOutcome::success;

  bool operator==(const AuditEvent&) const = default;
};

// Partial updates (PATCH): absent fields are left alone; present ones replace the stored value
// whole (metadata, scopes, audience and custom_claims included). update_time is the caller's
// clock, so that stores never read one.
struct OrganizationPatch {
  std::optional<std::string> display_name;
  std::optional<std::string> external_id;
  std::optional<std::map<std::string, std::string>> metadata;
  Timestamp update_time;
};

struct ApiClientPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::vector<std::string>> audience;
  std::optional<std::vector<CustomClaim>> custom_claims;
  std::optional<std::int64_t> expiry_seconds;
  Timestamp update_time;
};

}  // namespace tessera::domain
