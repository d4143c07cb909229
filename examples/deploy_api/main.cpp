// deploy_api: the guide's Express middleware / Flask decorator example as a C++ API server
// (Boost.Beast), guarded by the tessera SDK. It accepts access tokens from any issuer that
// publishes a JWKS, and checks one scope per route:
//
//   GET  /health       public
//   GET  /deployments  needs read:deployments
//   POST /deploy       needs deploy:applications
//
//   deploy_api --listen 127.0.0.1:9090 --issuer http://127.0.0.1:8080 --allow-http
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tessera/middleware/beast.hpp"
#include "tessera/verify/authorizer.hpp"
#include "tessera/verify/jwks_cache.hpp"
#include "tessera/verify/verifier.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using tessera::verify::Claims;

namespace {

// --- command line ---------------------------------------------------------------------------

struct Config {
  std::string host;
  unsigned short port = 0;
  std::string issuer;
  std::string jwks_uri;  // defaults to {issuer}/keys
  std::vector<std::string> audiences;
  std::vector<tessera::jose::Algorithm> algorithms;
  bool allow_http = false;
  bool accept_plain_jwt = false;
};

constexpr const char* kUsage =
    "usage: deploy_api --listen HOST:PORT --issuer URL [--jwks-uri URL] [--audience AUD]...\n"
    "                  [--alg RS256|ES256|EdDSA]... [--accept-plain-jwt] [--allow-http]\n";

std::optional<Config> parse_args(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return argv[++i];
    };
    std::optional<std::string> v;
    if (flag == "--allow-http") {
      config.allow_http = true;
    } else if (flag == "--accept-plain-jwt") {
      config.accept_plain_jwt = true;
    } else if (!(v = value())) {
      return std::nullopt;
    } else if (flag == "--listen") {
      const auto colon = v->rfind(':');
      if (colon == std::string::npos) return std::nullopt;
      config.host = v->substr(0, colon);
      const char* port = v->data() + colon + 1;
      const char* end = v->data() + v->size();
      if (std::from_chars(port, end, config.port).ptr != end) return std::nullopt;
    } else if (flag == "--issuer") {
      config.issuer = *v;
    } else if (flag == "--jwks-uri") {
      config.jwks_uri = *v;
    } else if (flag == "--audience") {
      config.audiences.push_back(*v);
    } else if (flag == "--alg") {
      auto alg = tessera::jose::parse_algorithm(*v);
      if (!alg) return std::nullopt;
      config.algorithms.push_back(*alg);
    } else {
      return std::nullopt;
    }
  }
  if (config.host.empty() || config.issuer.empty()) return std::nullopt;
  if (config.jwks_uri.empty()) config.jwks_uri = config.issuer + "/keys";
  if (config.algorithms.empty()) config.algorithms = {tessera::jose::Algorithm::RS256};
  return config;
}

// --- routes -----------------------------------------------------------------------------------

Response json_response(const Request& request, http::status status, const nlohmann::json& body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = body.dump();
  response.prepare_payload();
  return response;
}

Response list_deployments(const Request& request, const Claims& claims) {
  return json_response(
      request, http::status::ok,
      {{"deployments", {{{"id", "dep_1"}, {"application", "web"}, {"status", "live"}}}},
       {"client_id", claims.client_id},
       {"organization_id", claims.oid}});
}

Response deploy(const Request& request, const Claims& claims) {
  return json_response(request, http::status::ok,
                       {{"message", "Deployment successful"},
                        {"client_id", claims.client_id},
                        {"organization_id", claims.oid}});
}

struct Route {
  http::verb method;
  std::string_view path;
  std::function<Response(const Request&)> handler;
};

// The whole authorization policy of this API: one scope per route.
std::vector<Route> make_routes(const tessera::verify::Authorizer& authorizer) {
  using tessera::middleware::beast::require_scopes;
  return {
      {http::verb::get, "/health",
       [](const Request& req) {
         return json_response(req, http::status::ok, {{"status", "ok"}});
       }},
      {http::verb::get, "/deployments",
       require_scopes(authorizer, {"read:deployments"}, list_deployments)},
      {http::verb::post, "/deploy", require_scopes(authorizer, {"deploy:applications"}, deploy)},
  };
}

Response dispatch(const std::vector<Route>& routes, const Request& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  bool known_path = false;
  for (const Route& route : routes) {
    if (route.path != path) continue;
    if (route.method == request.method()) return route.handler(request);
    known_path = true;
  }
  return known_path ? json_response(request, http::status::method_not_allowed,
                                    {{"error", "method not allowed"}})
                    : json_response(request, http::status::not_found, {{"error", "not found"}});
}

// --- HTTP server ------------------------------------------------------------------------------

asio::awaitable<void> serve(tcp::socket socket, const std::vector<Route>& routes) {
  boost::beast::tcp_stream stream(std::move(socket));
  boost::beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(std::chrono::seconds(30));
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    auto [read_error, read] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) co_return;  // closed, timed out, or not HTTP: drop the connection
    Response response = dispatch(routes, parser.get());
    const bool keep_alive = response.keep_alive();
    auto [write_error, written] =
        co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    if (write_error || !keep_alive) co_return;
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const std::vector<Route>& routes) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted) co_return;
    if (!error)
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), routes), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto config = parse_args(argc, argv);
  if (!config) {
    std::cerr << kUsage;
    return 2;
  }
  auto keys = tessera::verify::JwksCache::create(
      {.uri = config->jwks_uri, .allow_http = config->allow_http});
  if (!keys) {
    std::cerr << "deploy_api: " << to_string(keys.error()) << "\n";
    return 2;
  }
  auto verifier = tessera::verify::Verifier::create({.issuer = config->issuer,
                                                     .audiences = config->audiences,
                                                     .algorithms = config->algorithms,
                                                     .accept_plain_jwt = config->accept_plain_jwt,
                                                     .key_source = *keys});
  if (!verifier) {
    std::cerr << "deploy_api: " << to_string(verifier.error()) << "\n";
    return 2;
  }
  const tessera::verify::Authorizer authorizer(std::move(*verifier), "deploy-api");
  const std::vector<Route> routes = make_routes(authorizer);

  // Fetch the keys now, so that a wrong issuer URL shows at start-up rather than as 401s.
  if (auto jwks = (*keys)->keys()) {
    std::cerr << "deploy_api: " << jwks->keys.size() << " key(s) from " << config->jwks_uri << "\n";
  } else {
    std::cerr << "deploy_api: no keys from " << config->jwks_uri << " ("
              << to_string(*(*keys)->stats().last_error)
              << "); answering 401 until it serves some\n";
  }

  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address(config->host), config->port});
  std::cout << "listening on http://" << config->host << ":" << acceptor.local_endpoint().port()
            << std::endl;
  asio::co_spawn(io, accept_loop(acceptor, routes), asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { io.stop(); });

  // Verification may block on a JWKS fetch now and then; more threads keep other requests moving.
  std::vector<std::thread> threads(std::max(2u, std::thread::hardware_concurrency()) - 1);
  for (auto& thread : threads)
    thread = std::thread([&io] { io.run(); });
  io.run();
  for (auto& thread : threads)
    thread.join();
  return 0;
}
