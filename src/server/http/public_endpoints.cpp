#include "server/http/public_endpoints.hpp"

#include <nlohmann/json.hpp>

#include "server/http/offload.hpp"

namespace tessera::http {

PublicEndpoints::PublicEndpoints(PublicEndpointsConfig config, const keys::KeyRing& ring,
                                 boost::asio::thread_pool& workers, std::function<bool()> ready,
                                 std::function<std::string()> metrics)
    : config_(std::move(config)),
      ring_(ring),
      workers_(workers),
      ready_(std::move(ready)),
      metrics_(std::move(metrics)),
      metadata_(metadata_json(config_.issuer)) {}

std::string PublicEndpoints::metadata_json(const std::string& issuer) {
  const nlohmann::ordered_json doc = {
      {"issuer", issuer},
      {"token_endpoint", issuer + "/oauth/token"},
      {"jwks_uri", issuer + "/keys"},
      {"grant_types_supported", {"client_credentials"}},
      {"response_types_supported", nlohmann::json::array()},
      {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
  };
  return doc.dump();
}

Response PublicEndpoints::jwks() const {
  Response response = json_response(bhttp::status::ok, *ring_.jwks_json());
  response.set(bhttp::field::cache_control,
               "public, max-age=" + std::to_string(config_.jwks_max_age_seconds));
  return response;
}

void PublicEndpoints::add_routes(Router& router) {
  using bhttp::verb;
  auto jwks = [this](Request&, const PathParams&) -> boost::asio::awaitable<Response> {
    co_return this->jwks();
  };
  router.add(verb::get, "/keys", jwks);
  router.add(verb::get, "/.well-known/jwks.json", jwks);

  auto metadata = [this](Request&, const PathParams&) -> boost::asio::awaitable<Response> {
    Response response = json_response(bhttp::status::ok, metadata_);
    response.set(bhttp::field::cache_control, "public, max-age=3600");
    co_return response;
  };
  router.add(verb::get, "/.well-known/oauth-authorization-server", metadata);
  router.add(verb::get, "/.well-known/openid-configuration", metadata);

  router.add(verb::get, "/healthz",
             [](Request&, const PathParams&) -> boost::asio::awaitable<Response> {
               co_return json_response(bhttp::status::ok, R"({"status":"ok"})");
             });
  router.add(verb::get, "/metrics",
             [this](Request&, const PathParams&) -> boost::asio::awaitable<Response> {
               Response response{bhttp::status::ok, 11};
               response.set(bhttp::field::content_type, "text/plain; version=0.0.4");
               response.body() = metrics_();
               response.prepare_payload();
               co_return response;
             });
  router.add(verb::get, "/readyz",
             [this](Request&, const PathParams&) -> boost::asio::awaitable<Response> {
               // (co_await inside && trips an internal compiler error in GCC 12.)
               bool ready = ring_.active_signer() != nullptr;
               if (ready) ready = co_await offload(workers_, ready_);
               co_return ready ? json_response(bhttp::status::ok, R"({"status":"ready"})")
                               : json_response(bhttp::status::service_unavailable,
                                               R"({"status":"unavailable"})");
             });
}

}  // namespace tessera::http
