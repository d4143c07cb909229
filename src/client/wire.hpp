// The contract's JSON shapes, both ways, and the mapping of error answers to client::Error.
#pragma once

#include <nlohmann/json.hpp>

#include "net/http.hpp"
#include "tessera/client/errors.hpp"
#include "tessera/client/types.hpp"

namespace tessera::client::wire {

using Json = nlohmann::json;

Json to_json(const OrganizationDetails& details);
Json to_json(const OrganizationUpdate& update);
Json to_json(const ClientDetails& details);
Json to_json(const ClientUpdate& update);
Json to_json(const RotateKeyOptions& options);

// These throw nlohmann::json::exception or std::invalid_argument on a document of the wrong shape;
// Core::decode turns that into a protocol error.
Organization organization_from(const Json& json);
ApiClient client_from(const Json& json);
Secret secret_from(const Json& json);
SigningKey key_from(const Json& json);
AuditEvent audit_event_from(const Json& json);
AccessToken token_from(const Json& json);

template <class T>
Page<T> page_from(const Json& json, const char* items, T (*item_from)(const Json&)) {
  Page<T> page;
  for (const auto& item : json.at(items))
    page.items.push_back(item_from(item));
  page.next_page_token = json.value("next_page_token", "");
  page.prev_page_token = json.value("prev_page_token", "");
  page.total_size = json.value("total_size", std::int64_t{0});
  return page;
}

// An error answer of the management API (google.rpc.Status) or of the token endpoint (RFC 6749
// §5.2). Bodies of another shape still give the code that the HTTP status maps to.
Error api_error(const net::Response& response);
Error oauth_error(const net::Response& response);
Error transport_error(net::Error error);
Error protocol_error(std::string message, int http_status = 0);
Error configuration_error(std::string message, std::string field = {});

}  // namespace tessera::client::wire
