// Boost.Beast adapter: protect a request handler with one line, like the seed's Express middleware.
//
//   namespace http = boost::beast::http;
//   auto deploy = tessera::middleware::beast::require_scopes(
//       authorizer, {"deploy:applications"},
//       [](const http::request<http::string_body>& req, const tessera::verify::Claims& claims) {
//         return my_json_response(req, http::status::ok, R"({"message":"Deployment successful"})");
//       });
//   http::response<http::string_body> res = deploy(req);  // 401 / 403 answered for you
//
// Handlers return http::response<http::string_body>. Needs the Boost.Beast headers
// (Debian: libboost1.81-dev); nothing of Beast is compiled into tessera.
#pragma once

#include <boost/beast/http.hpp>

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tessera/verify/authorizer.hpp"

namespace tessera::middleware::beast {

namespace http = boost::beast::http;

// Every Authorization field, joined with ", " as HTTP allows; more than one is thereby malformed.
template <class Body, class Fields>
std::string authorization_header(const http::request<Body, Fields>& request) {
  std::string value;
  const auto [first, last] = request.equal_range(http::field::authorization);
  for (auto it = first; it != last; ++it) {
    if (!value.empty()) value += ", ";
    value.append(it->value().data(), it->value().size());
  }
  return value;
}

template <class Body, class Fields>
verify::AuthDecision authorize(const verify::Authorizer& authorizer,
                               const http::request<Body, Fields>& request,
                               std::span<const std::string> required_scopes) {
  return authorizer.authorize(authorization_header(request), required_scopes);
}

// The 401 / 403 answer for a denied request, ready to write.
template <class Body, class Fields>
http::response<http::string_body> denial(const verify::AuthDecision& decision,
                                         const http::request<Body, Fields>& request) {
  http::response<http::string_body> response{static_cast<http::status>(decision.status),
                                             request.version()};
  response.set(http::field::www_authenticate, decision.www_authenticate);
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = decision.body;
  response.prepare_payload();
  return response;
}

// Wraps `handler(request, claims) -> http::response<http::string_body>` into a callable
// `(request) -> response` that first requires a valid token carrying every required scope.
template <class Handler>
auto require_scopes(const verify::Authorizer& authorizer, std::vector<std::string> required_scopes,
                    Handler handler) {
  return [authorizer, scopes = std::move(required_scopes),
          handler = std::move(handler)](const auto& request) -> http::response<http::string_body> {
    const verify::AuthDecision decision = authorize(authorizer, request, scopes);
    if (!decision.allowed()) return denial(decision, request);
    return handler(request, *decision.claims);
  };
}

}  // namespace tessera::middleware::beast
