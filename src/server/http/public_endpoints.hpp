// Unauthenticated endpoints: the JWKS (/keys and /.well-known/jwks.json), authorization server
// metadata (RFC 8414, and the OpenID discovery path clients also try), and health probes.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "server/http/router.hpp"
#include "server/keys/key_ring.hpp"

namespace tessera::http {

struct PublicEndpointsConfig {
  std::string issuer;
  int jwks_max_age_seconds = 300;
};

class PublicEndpoints {
 public:
  // `ready` is blocking (it may ping the database); it runs on the worker pool.
  // `metrics` renders the /metrics body (Prometheus text format).
  PublicEndpoints(PublicEndpointsConfig config, const keys::KeyRing& ring,
                  boost::asio::thread_pool& workers, std::function<bool()> ready,
                  std::function<std::string()> metrics);

  void add_routes(Router& router);

  // The RFC 8414 metadata document.
  static std::string metadata_json(const std::string& issuer);

 private:
  Response jwks() const;

  PublicEndpointsConfig config_;
  const keys::KeyRing& ring_;
  boost::asio::thread_pool& workers_;
  std::function<bool()> ready_;
  std::function<std::string()> metrics_;
  std::string metadata_;
};

}  // namespace tessera::http
