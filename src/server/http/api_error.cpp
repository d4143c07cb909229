#include "server/http/api_error.hpp"

#include <nlohmann/json.hpp>

namespace tessera::http {
namespace {

struct Mapping {
  bhttp::status http;
  int rpc_code;
  const char* name;
};

Mapping mapping(ApiStatus status) {
  using S = bhttp::status;
  switch (status) {
    case ApiStatus::invalid_argument:
      return {S::bad_request, 3, "INVALID_ARGUMENT"};
    case ApiStatus::failed_precondition:
      return {S::bad_request, 9, "FAILED_PRECONDITION"};
    case ApiStatus::unauthenticated:
      return {S::unauthorized, 16, "UNAUTHENTICATED"};
    case ApiStatus::permission_denied:
      return {S::forbidden, 7, "PERMISSION_DENIED"};
    case ApiStatus::not_found:
      return {S::not_found, 5, "NOT_FOUND"};
    case ApiStatus::method_not_allowed:
      return {S::method_not_allowed, 12, "UNIMPLEMENTED"};
    case ApiStatus::already_exists:
      return {S::conflict, 6, "ALREADY_EXISTS"};
    case ApiStatus::payload_too_large:
      return {S::payload_too_large, 3, "INVALID_ARGUMENT"};
    case ApiStatus::unsupported_media:
      return {S::unsupported_media_type, 3, "INVALID_ARGUMENT"};
    case ApiStatus::headers_too_large:
      return {S::request_header_fields_too_large, 3, "INVALID_ARGUMENT"};
    case ApiStatus::resource_exhausted:
      return {S::too_many_requests, 8, "RESOURCE_EXHAUSTED"};
    case ApiStatus::internal:
      return {S::internal_server_error, 13, "INTERNAL"};
    case ApiStatus::unavailable:
      return {S::service_unavailable, 14, "UNAVAILABLE"};
  }
  return {S::internal_server_error, 13, "INTERNAL"};
}

}  // namespace

bhttp::status http_status(ApiStatus status) {
  return mapping(status).http;
}

Response api_error(ApiStatus status, std::string_view message,
                   const std::vector<FieldViolation>& violations) {
  const Mapping m = mapping(status);
  nlohmann::json info = {{"@type", "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo"},
                         {"error_code", m.name}};
  if (!violations.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : violations) {
      list.push_back({{"field", v.field}, {"description", v.description}});
    }
    info["validation_error_info"] = {{"field_violations", std::move(list)}};
  }
  const nlohmann::json body = {{"code", m.rpc_code},
                               {"message", std::string(message)},
                               {"details", nlohmann::json::array({std::move(info)})}};
  // Replace invalid UTF-8 rather than throw: messages may quote client input.
  Response response =
      json_response(m.http, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (status == ApiStatus::unavailable || status == ApiStatus::resource_exhausted) {
    response.set(bhttp::field::retry_after, "1");
  }
  return response;
}

}  // namespace tessera::http
