// The management REST API (api-contract.md §5): organizations, their API clients and secrets, and
// signing keys. Every route requires a management token (issued to an skc_ environment client).
#pragma once

#include <chrono>

#include <boost/asio/thread_pool.hpp>

#include "server/http/client_address.hpp"
#include "server/http/router.hpp"
#include "server/keys/key_manager.hpp"
#include "server/manage/service.hpp"
#include "tessera/verify/authorizer.hpp"

namespace tessera::http {

struct KeyRotationPolicy {
  jose::Algorithm algorithm = jose::Algorithm::RS256;
  std::chrono::seconds publish_delay{0};
};

class ManagementApi {
 public:
  ManagementApi(manage::Service& service, keys::KeyManager& key_manager, keys::KeyRing& ring,
                boost::asio::thread_pool& workers, const verify::Authorizer& authorizer,
                const TrustedProxies& proxies, KeyRotationPolicy rotation);

  void add_routes(Router& router);

 private:
  using Awaitable = boost::asio::awaitable<Response>;

  // One authenticated management call.
  struct Call {
    Request& request;
    const PathParams& params;
    manage::Caller caller;

    std::string param(std::size_t i) const { return std::string(params.at(i)); }
  };

  // The caller, or the 401 to send.
  Result<manage::Caller, Response> authenticate(const Request& request) const;

  Awaitable create_organization(const Call& call);
  Awaitable get_organization(const Call& call);
  Awaitable list_organizations(const Call& call);
  Awaitable update_organization(const Call& call);
  Awaitable delete_organization(const Call& call);

  Awaitable create_client(const Call& call);
  Awaitable get_client(const Call& call);
  Awaitable list_clients(const Call& call);
  Awaitable update_client(const Call& call);
  Awaitable delete_client(const Call& call);

  Awaitable add_secret(const Call& call);
  Awaitable delete_secret(const Call& call);

  Awaitable list_keys(const Call& call);
  Awaitable rotate_keys(const Call& call);
  Awaitable list_audit_events(const Call& call);

  manage::Service& service_;
  keys::KeyManager& key_manager_;
  keys::KeyRing& ring_;
  boost::asio::thread_pool& workers_;
  const verify::Authorizer& authorizer_;
  const TrustedProxies& proxies_;
  KeyRotationPolicy rotation_;
};

}  // namespace tessera::http
