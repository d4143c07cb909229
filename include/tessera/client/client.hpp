// The management client: the C++ counterpart of the seed's ScalekitClient.
//
//   tessera::Client tessera(env_url, client_id, client_secret);
//   auto created = tessera.m2m().create_client(org_id, {.name = "GitHub Actions Deployment
//   Service",
//                                                      .scopes = {"deploy:applications"},
//                                                      .expiry = std::chrono::seconds(3600)});
//   if (!created) std::cerr << created.error().describe() << "\n";
//   else std::cout << created->client.client_id << "\n";  // and created->plain_secret, once
//
// The client obtains a management token from {env_url}/oauth/token with its environment
// credentials, caches it, fetches a new one shortly before it expires, and fetches a new one once
// more when a call is answered 401. Every call returns Result<T, Error>; nothing throws.
//
// A Client is thread-safe. Copies share one token cache and one connection pool, and so do the
// m2m(), organizations(), keys(), audit() and tokens() handles, which stay valid after the Client
// that made them is gone.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/client/errors.hpp"
#include "tessera/client/types.hpp"
#include "tessera/result.hpp"

namespace tessera::client {

namespace detail {
class Core;
}

// Every member has a default initializer, so designated initializers may name only what they set.
struct ClientOptions {
  // Plain http:// is accepted for loopback hosts (localhost, 127.0.0.0/8, [::1]) only, unless
  // this is set: anything else would send the secrets in clear text.
  bool allow_http = false;
  // PEM file of the CAs that may sign tessera's certificate, when it is not one the system trusts
  // (a private CA); empty: the system's store. Certificate and host are always verified.
  std::string ca_file{};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // A cached management token is replaced when less than this is left of its lifetime (at most
  // half of the lifetime), so that it cannot expire between the check and the server's.
  std::chrono::seconds refresh_margin{30};
  std::size_t max_response_bytes = std::size_t{4} << 20;
  std::string user_agent = "tessera-client/0.1";
  // For tests; the steady clock when empty. Only token freshness depends on it.
  std::function<std::chrono::steady_clock::time_point()> clock{};
};

struct ClientStats {
  std::uint64_t requests = 0;                  // HTTP exchanges, token requests included
  std::uint64_t management_token_fetches = 0;  // successful ones
  std::uint64_t unauthorized_retries = 0;      // calls repeated with a new token after a 401
};

// API clients of organizations and their secrets (the seed's `scalekit.m2m`).
class M2M {
 public:
  Result<CreatedClient, Error> create_client(std::string_view organization_id,
                                             const ClientDetails& details) const;
  Result<ApiClient, Error> get_client(std::string_view organization_id,
                                      std::string_view client_id) const;
  Result<Page<ApiClient>, Error> list_clients(std::string_view organization_id,
                                              const PageRequest& page = {}) const;
  Result<ApiClient, Error> update_client(std::string_view organization_id,
                                         std::string_view client_id,
                                         const ClientUpdate& update) const;
  Result<void, Error> delete_client(std::string_view organization_id,
                                    std::string_view client_id) const;
  // At most 5 secrets per client.
  Result<CreatedSecret, Error> add_secret(std::string_view organization_id,
                                          std::string_view client_id) const;
  // The last secret of a client cannot be removed.
  Result<void, Error> remove_secret(std::string_view organization_id, std::string_view client_id,
                                    std::string_view secret_id) const;

 private:
  friend class Client;
  explicit M2M(std::shared_ptr<detail::Core> core) : core_(std::move(core)) {}
  std::shared_ptr<detail::Core> core_;
};

class Organizations {
 public:
  Result<Organization, Error> create_organization(const OrganizationDetails& details) const;
  Result<Organization, Error> get_organization(std::string_view organization_id) const;
  Result<Page<Organization>, Error> list_organizations(const PageRequest& page = {}) const;
  Result<Organization, Error> update_organization(std::string_view organization_id,
                                                  const OrganizationUpdate& update) const;
  // Its clients and secrets stop working at once.
  Result<void, Error> delete_organization(std::string_view organization_id) const;

 private:
  friend class Client;
  explicit Organizations(std::shared_ptr<detail::Core> core) : core_(std::move(core)) {}
  std::shared_ptr<detail::Core> core_;
};

// The server's signing keys (public information only).
class Keys {
 public:
  Result<std::vector<SigningKey>, Error> list_keys() const;
  // Publishes a new key at once; it signs from its activate_time on.
  Result<SigningKey, Error> rotate_key(const RotateKeyOptions& options = {}) const;

 private:
  friend class Client;
  explicit Keys(std::shared_ptr<detail::Core> core) : core_(std::move(core)) {}
  std::shared_ptr<detail::Core> core_;
};

class AuditLog {
 public:
  // Newest first.
  Result<Page<AuditEvent>, Error> list_events(const AuditFilter& filter = {},
                                              const PageRequest& page = {}) const;

 private:
  friend class Client;
  explicit AuditLog(std::shared_ptr<detail::Core> core) : core_(std::move(core)) {}
  std::shared_ptr<detail::Core> core_;
};

// The token endpoint, for any client's credentials (what an API client does to call your API).
class Tokens {
 public:
  // OAuth 2.0 client credentials grant (client_secret_post). Empty `scopes`: every scope the
  // client has. Errors carry the OAuth error in error_code ("invalid_client", "invalid_scope").
  Result<AccessToken, Error> get_token(std::string_view client_id, std::string_view client_secret,
                                       const std::vector<std::string>& scopes = {}) const;

 private:
  friend class Client;
  explicit Tokens(std::shared_ptr<detail::Core> core) : core_(std::move(core)) {}
  std::shared_ptr<detail::Core> core_;
};

class Client {
 public:
  // env_url: the environment URL (the issuer), e.g. "https://auth.example.com"; a trailing slash
  // is ignored. A URL the client cannot use makes every call fail with a configuration error.
  Client(std::string env_url, std::string client_id, std::string client_secret,
         ClientOptions options = {});

  M2M m2m() const { return M2M(core_); }
  Organizations organizations() const { return Organizations(core_); }
  Keys keys() const { return Keys(core_); }
  AuditLog audit() const { return AuditLog(core_); }
  Tokens tokens() const { return Tokens(core_); }

  const std::string& env_url() const;
  ClientStats stats() const;

 private:
  std::shared_ptr<detail::Core> core_;
};

}  // namespace tessera::client

namespace tessera {
using Client = client::Client;
}  // namespace tessera
