#include "client/wire.hpp"

#include <charconv>
#include <stdexcept>

namespace tessera::client::wire {
namespace {

// --- Reading -----------------------------------------------------------------------------------

// Optional members: absent and null read as empty; any other type than the expected one throws.
std::string text(const Json& json, const char* name) {
  const auto it = json.find(name);
  if (it == json.end() || it->is_null()) return {};
  return it->get<std::string>();
}

std::vector<std::string> texts(const Json& json, const char* name) {
  const auto it = json.find(name);
  if (it == json.end() || it->is_null()) return {};
  return it->get<std::vector<std::string>>();
}

// proto3 JSON writes int64 as a number or as a decimal string.
std::int64_t int64(const Json& json, const char* name) {
  const auto it = json.find(name);
  if (it == json.end() || it->is_null()) return 0;
  if (!it->is_string()) return it->get<std::int64_t>();
  const auto& digits = it->get_ref<const std::string&>();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    throw std::invalid_argument(std::string(name) + " is not an integer");
  }
  return value;
}

std::optional<Timestamp> maybe_time(const Json& json, const char* name) {
  const std::string value = text(json, name);
  if (value.empty()) return std::nullopt;
  auto time = parse_rfc3339(value);
  if (!time) throw std::invalid_argument(std::string(name) + " is not an RFC 3339 time");
  return time;
}

Timestamp time(const Json& json, const char* name) {
  return maybe_time(json, name).value_or(Timestamp{});
}

std::string required(const Json& json, const char* name) {
  std::string value = text(json, name);
  if (value.empty()) throw std::invalid_argument(std::string(name) + " is missing");
  return value;
}

// --- Writing -----------------------------------------------------------------------------------

Json claims_json(const std::vector<CustomClaim>& claims) {
  Json out = Json::array();
  for (const auto& claim : claims)
    out.push_back({{"key", claim.key}, {"value", claim.value}});
  return out;
}

Json metadata_json(const std::map<std::string, std::string>& metadata) {
  Json out = Json::object();
  for (const auto& [key, value] : metadata)
    out[key] = value;
  return out;
}

// --- Errors ------------------------------------------------------------------------------------

Code code_for_status(long status) {
  switch (status) {
    case 400:
    case 413:
    case 415:
    case 431:
      return Code::invalid_argument;
    case 401:
      return Code::unauthenticated;
    case 403:
      return Code::permission_denied;
    case 404:
      return Code::not_found;
    case 405:
    case 501:
      return Code::unimplemented;
    case 409:
      return Code::already_exists;
    case 429:
      return Code::resource_exhausted;
    case 503:
      return Code::unavailable;
    case 504:
      return Code::deadline_exceeded;
    default:
      return status >= 500 ? Code::internal : Code::unknown;
  }
}

// RFC 6749 §5.2 errors, plus the two tessera adds (429 slow_down, 503 temporarily_unavailable).
Code code_for_oauth(std::string_view error, long status) {
  if (error == "invalid_client" || error == "unauthorized_client") return Code::unauthenticated;
  if (error == "invalid_request" || error == "invalid_scope" || error == "invalid_grant" ||
      error == "unsupported_grant_type") {
    return Code::invalid_argument;
  }
  if (error == "slow_down") return Code::resource_exhausted;
  if (error == "temporarily_unavailable") return Code::unavailable;
  return code_for_status(status);
}

Error from_status(const net::Response& response) {
  Error error;
  error.source = ErrorSource::server;
  error.http_status = static_cast<int>(response.status);
  error.code = code_for_status(response.status);
  if (const auto retry = response.header("retry-after")) {
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(retry->data(), retry->data() + retry->size(), seconds);
    if (ec == std::errc() && end == retry->data() + retry->size() && seconds >= 0) {
      error.retry_after = std::chrono::seconds(seconds);
    }
  }
  return error;
}

void read_details(const Json& details, Error& error) {
  for (const auto& detail : details) {
    if (!detail.is_object()) continue;
    if (const auto code = detail.find("error_code"); code != detail.end() && code->is_string()) {
      error.error_code = code->get<std::string>();
    }
    const Json* violations = nullptr;
    if (const auto info = detail.find("validation_error_info");
        info != detail.end() && info->is_object()) {
      if (const auto list = info->find("field_violations");
          list != info->end() && list->is_array()) {
        violations = &*list;
      }
    }
    if (violations == nullptr) continue;
    for (const auto& v : *violations) {
      if (v.is_object())
        error.field_violations.push_back({text(v, "field"), text(v, "description")});
    }
  }
}

}  // namespace

Json to_json(const OrganizationDetails& details) {
  Json out = {{"display_name", details.display_name}};
  if (!details.external_id.empty()) out["external_id"] = details.external_id;
  if (!details.metadata.empty()) out["metadata"] = metadata_json(details.metadata);
  return out;
}

Json to_json(const OrganizationUpdate& update) {
  Json out = Json::object();
  if (update.display_name) out["display_name"] = *update.display_name;
  if (update.external_id) out["external_id"] = *update.external_id;
  if (update.metadata) out["metadata"] = metadata_json(*update.metadata);
  return out;
}

Json to_json(const ClientDetails& details) {
  Json out = {
      {"name", details.name}, {"description", details.description}, {"scopes", details.scopes}};
  if (!details.audience.empty()) out["audience"] = details.audience;
  if (!details.custom_claims.empty()) out["custom_claims"] = claims_json(details.custom_claims);
  if (details.expiry.count() != 0) out["expiry"] = details.expiry.count();
  return out;
}

Json to_json(const ClientUpdate& update) {
  Json out = Json::object();
  if (update.name) out["name"] = *update.name;
  if (update.description) out["description"] = *update.description;
  if (update.scopes) out["scopes"] = *update.scopes;
  if (update.audience) out["audience"] = *update.audience;
  if (update.custom_claims) out["custom_claims"] = claims_json(*update.custom_claims);
  if (update.expiry) out["expiry"] = update.expiry->count();
  return out;
}

Json to_json(const RotateKeyOptions& options) {
  Json out = Json::object();
  if (!options.algorithm.empty()) out["algorithm"] = options.algorithm;
  if (options.activate_after) out["activate_after_seconds"] = options.activate_after->count();
  return out;
}

Organization organization_from(const Json& json) {
  Organization out;
  out.id = required(json, "id");
  out.display_name = text(json, "display_name");
  out.external_id = text(json, "external_id");
  if (const auto it = json.find("metadata"); it != json.end() && !it->is_null()) {
    out.metadata = it->get<std::map<std::string, std::string>>();
  }
  out.create_time = time(json, "create_time");
  out.update_time = time(json, "update_time");
  return out;
}

Secret secret_from(const Json& json) {
  Secret out;
  out.id = required(json, "id");
  out.create_time = time(json, "create_time");
  out.update_time = time(json, "update_time");
  out.secret_suffix = text(json, "secret_suffix");
  out.status = text(json, "status");
  out.expire_time = maybe_time(json, "expire_time");
  out.last_used_time = maybe_time(json, "last_used_time");
  return out;
}

ApiClient client_from(const Json& json) {
  ApiClient out;
  out.client_id = required(json, "client_id");
  if (const auto it = json.find("secrets"); it != json.end() && !it->is_null()) {
    for (const auto& secret : *it)
      out.secrets.push_back(secret_from(secret));
  }
  out.name = text(json, "name");
  out.description = text(json, "description");
  out.organization_id = text(json, "organization_id");
  out.create_time = time(json, "create_time");
  out.update_time = time(json, "update_time");
  out.scopes = texts(json, "scopes");
  out.audience = texts(json, "audience");
  if (const auto it = json.find("custom_claims"); it != json.end() && !it->is_null()) {
    for (const auto& claim : *it)
      out.custom_claims.push_back({text(claim, "key"), text(claim, "value")});
  }
  out.expiry = std::chrono::seconds(int64(json, "expiry"));
  return out;
}

SigningKey key_from(const Json& json) {
  SigningKey out;
  out.id = required(json, "id");
  out.algorithm = text(json, "algorithm");
  out.state = text(json, "state");
  out.create_time = time(json, "create_time");
  out.activate_time = time(json, "activate_time");
  out.retire_time = maybe_time(json, "retire_time");
  out.unpublish_time = maybe_time(json, "unpublish_time");
  return out;
}

AuditEvent audit_event_from(const Json& json) {
  AuditEvent out;
  out.id = required(json, "id");
  out.time = time(json, "time");
  out.actor = text(json, "actor");
  out.action = text(json, "action");
  out.target_id = text(json, "target_id");
  out.organization_id = text(json, "organization_id");
  out.source_address = text(json, "source_address");
  out.outcome = text(json, "outcome");
  return out;
}

AccessToken token_from(const Json& json) {
  AccessToken out;
  out.access_token = required(json, "access_token");
  out.token_type = text(json, "token_type");
  out.expires_in = std::chrono::seconds(int64(json, "expires_in"));
  const std::string scope = text(json, "scope");
  for (std::size_t start = 0; start < scope.size();) {
    const std::size_t end = std::min(scope.find(' ', start), scope.size());
    if (end > start) out.scopes.push_back(scope.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Error api_error(const net::Response& response) {
  Error error = from_status(response);
  const Json body = Json::parse(response.body, nullptr, false);
  if (!body.is_object()) {
    error.message = "HTTP " + std::to_string(response.status) + " without an error body";
    return error;
  }
  if (const auto code = body.find("code"); code != body.end() && code->is_number_integer()) {
    const auto value = code->get<std::int64_t>();
    if (value > 0 && value <= 16) error.code = static_cast<Code>(value);
  }
  if (const auto message = body.find("message"); message != body.end() && message->is_string()) {
    error.message = message->get<std::string>();
  }
  if (const auto details = body.find("details"); details != body.end() && details->is_array()) {
    read_details(*details, error);
  }
  return error;
}

Error oauth_error(const net::Response& response) {
  Error error = from_status(response);
  const Json body = Json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    if (const auto name = body.find("error"); name != body.end() && name->is_string()) {
      error.error_code = name->get<std::string>();
      error.code = code_for_oauth(error.error_code, response.status);
    }
    if (const auto text = body.find("error_description"); text != body.end() && text->is_string()) {
      error.message = text->get<std::string>();
    }
  }
  if (error.message.empty()) error.message = "token request refused";
  return error;
}

Error transport_error(net::Error failure) {
  Error error;
  error.message = std::string(net::to_string(failure));
  switch (failure) {
    case net::Error::bad_url:
    case net::Error::refused_scheme:
      error.source = ErrorSource::configuration;
      error.code = Code::invalid_argument;
      break;
    case net::Error::timeout:
      error.source = ErrorSource::transport;
      error.code = Code::deadline_exceeded;
      break;
    case net::Error::transport:
      error.source = ErrorSource::transport;
      error.code = Code::unavailable;
      break;
    case net::Error::too_large:
      error.source = ErrorSource::protocol;
      error.code = Code::internal;
      break;
  }
  return error;
}

Error protocol_error(std::string message, int http_status) {
  Error error;
  error.source = ErrorSource::protocol;
  error.code = Code::internal;
  error.http_status = http_status;
  error.message = std::move(message);
  return error;
}

Error configuration_error(std::string message, std::string field) {
  Error error;
  error.source = ErrorSource::configuration;
  error.code = Code::invalid_argument;
  if (!field.empty()) error.field_violations.push_back({field, message});
  error.message = field.empty() ? std::move(message) : field + ": " + message;
  return error;
}

}  // namespace tessera::client::wire
