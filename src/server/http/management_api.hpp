// The management REST API (api-contract.md §5): organizations, their API clients and secrets, and
// signing keys. Every route requires a management token (issued to an skc_ environment client).
#pragma once

#include <chrono>

#include <boost/asio/thread_pool.hpp>

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
                KeyRotationPolicy rotation);

  void add_routes(Router& router);

 private:
  using Awaitable = boost::asio::awaitable<Response>;

  // The 401 to send, or nullopt when the request carries a valid management token.
  std::optional<Response> authenticate(const Request& request) const;

  Awaitable create_organization(Request& request, const PathParams& params);
  Awaitable get_organization(Request& request, const PathParams& params);
  Awaitable list_organizations(Request& request, const PathParams& params);
  Awaitable update_organization(Request& request, const PathParams& params);
  Awaitable delete_organization(Request& request, const PathParams& params);

  Awaitable create_client(Request& request, const PathParams& params);
  Awaitable get_client(Request& request, const PathParams& params);
  Awaitable list_clients(Request& request, const PathParams& params);
  Awaitable update_client(Request& request, const PathParams& params);
  Awaitable delete_client(Request& request, const PathParams& params);

  Awaitable add_secret(Request& request, const PathParams& params);
  Awaitable delete_secret(Request& request, const PathParams& params);

  Awaitable list_keys(Request& request, const PathParams& params);
  Awaitable rotate_keys(Request& request, const PathParams& params);

  manage::Service& service_;
  keys::KeyManager& key_manager_;
  keys::KeyRing& ring_;
  boost::asio::thread_pool& workers_;
  const verify::Authorizer& authorizer_;
  KeyRotationPolicy rotation_;
};

}  // namespace tessera::http
