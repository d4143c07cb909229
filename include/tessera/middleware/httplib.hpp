// cpp-httplib adapter: protect a route with one line, like the seed's Express middleware.
//
//   tessera::verify::Authorizer authorizer(std::move(verifier), "deploy-api");
//   server.Post("/deploy", tessera::middleware::httplib::require_scopes(
//       authorizer, {"deploy:applications"},
//       [](const httplib::Request&, httplib::Response& res, const tessera::verify::Claims& claims)
//       {
//         res.set_content(R"({"message":"Deployment successful"})", "application/json");
//       }));
//
// Denied requests get the Authorizer's status, WWW-Authenticate challenge and JSON body; the
// handler runs only for allowed ones. Include <httplib.h> (Debian: libcpp-httplib-dev) yourself.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tessera/verify/authorizer.hpp"

namespace tessera::middleware::httplib {

// Every Authorization field, joined with ", " as HTTP allows; more than one is thereby malformed.
inline std::string authorization_header(const ::httplib::Request& request) {
  std::string value;
  const std::size_t count = request.get_header_value_count("Authorization");
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) value += ", ";
    value += request.get_header_value("Authorization", i);
  }
  return value;
}

inline verify::AuthDecision authorize(const verify::Authorizer& authorizer,
                                      const ::httplib::Request& request,
                                      std::span<const std::string> required_scopes) {
  return authorizer.authorize(authorization_header(request), required_scopes);
}

inline void write_denial(const verify::AuthDecision& decision, ::httplib::Response& response) {
  response.status = decision.status;
  response.set_header("WWW-Authenticate", decision.www_authenticate);
  response.set_header("Cache-Control", "no-store");
  response.set_content(decision.body, "application/json");
}

// Wraps `handler(request, response, claims)` into a cpp-httplib handler that first requires a
// valid token carrying every scope in `required_scopes`.
template <class Handler>
::httplib::Server::Handler require_scopes(const verify::Authorizer& authorizer,
                                          std::vector<std::string> required_scopes,
                                          Handler handler) {
  struct Route {
    verify::Authorizer authorizer;
    std::vector<std::string> scopes;
    Handler handler;
  };
  // Shared, because std::function copies its target and the Authorizer need not be copied again.
  auto route = std::make_shared<const Route>(
      Route{authorizer, std::move(required_scopes), std::move(handler)});
  return [route](const ::httplib::Request& request, ::httplib::Response& response) {
    const verify::AuthDecision decision = authorize(route->authorizer, request, route->scopes);
    if (!decision.allowed()) {
      write_denial(decision, response);
      return;
    }
    route->handler(request, response, *decision.claims);
  };
}

}  // namespace tessera::middleware::httplib
