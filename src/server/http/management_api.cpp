#include "server/http/management_api.hpp"

#include <charconv>

#include "jose/strict_json.hpp"
#include "server/domain/ids.hpp"
#include "server/http/api_error.hpp"
#include "server/http/form.hpp"
#include "server/http/management_auth.hpp"
#include "server/http/offload.hpp"
#include "server/http/wire.hpp"

namespace tessera::http {
namespace {

using wire::Json;
using Awaitable = boost::asio::awaitable<Response>;

ApiStatus status_of(manage::ErrorKind kind) {
  switch (kind) {
    case manage::ErrorKind::invalid_argument:
      return ApiStatus::invalid_argument;
    case manage::ErrorKind::not_found:
      return ApiStatus::not_found;
    case manage::ErrorKind::already_exists:
      return ApiStatus::already_exists;
    case manage::ErrorKind::failed_precondition:
      return ApiStatus::failed_precondition;
    case manage::ErrorKind::unavailable:
      return ApiStatus::unavailable;
    case manage::ErrorKind::internal:
      return ApiStatus::internal;
  }
  return ApiStatus::internal;
}

std::vector<FieldViolation> violations_of(const domain::FieldViolations& violations) {
  std::vector<FieldViolation> out;
  for (const auto& v : violations)
    out.push_back({v.field, v.description});
  return out;
}

Response error_response(const manage::Error& error) {
  return api_error(status_of(error.kind), error.message, violations_of(error.violations));
}

Response bad_body(const domain::FieldViolations& violations) {
  const std::string message = violations.front().field + ": " + violations.front().description;
  return api_error(ApiStatus::invalid_argument, message, violations_of(violations));
}

Response ok(bhttp::status status, const Json& body) {
  return json_response(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// Only JSON bodies are accepted on writes (an empty body is an empty object).
std::optional<Response> require_json(const Request& request) {
  if (request.message.body().empty()) return std::nullopt;
  const std::string_view type = request.header(bhttp::field::content_type);
  const std::string_view media = type.substr(0, type.find(';'));
  if (!boost::beast::iequals(media, "application/json")) {
    return api_error(ApiStatus::unsupported_media, "Content-Type must be application/json");
  }
  return std::nullopt;
}

Result<store::PageRequest, Response> page_request(const Request& request) {
  auto query = parse_form(request.query());
  if (!query)
    return fail(api_error(ApiStatus::invalid_argument, std::string(to_string(query.error()))));
  store::PageRequest page;
  if (auto size = query->get("page_size"); size && !size->empty()) {
    const auto [end, ec] =
        std::from_chars(size->data(), size->data() + size->size(), page.page_size);
    if (ec != std::errc() || end != size->data() + size->size()) {
      return fail(api_error(ApiStatus::invalid_argument, "page_size: must be an integer",
                            {{"page_size", "must be an integer"}}));
    }
  }
  if (auto token = query->get("page_token")) page.page_token = std::string(*token);
  return page;
}

template <class T>
Json page_json(const char* name, const store::Page<T>& page) {
  Json items = Json::array();
  for (const auto& item : page.items)
    items.push_back(wire::to_json(item));
  return {{name, std::move(items)},
          {"next_page_token", page.next_page_token},
          {"prev_page_token", page.prev_page_token},
          {"total_size", page.total_size}};
}

}  // namespace

ManagementApi::ManagementApi(manage::Service& service, keys::KeyManager& key_manager,
                             keys::KeyRing& ring, boost::asio::thread_pool& workers,
                             const verify::Authorizer& authorizer, const TrustedProxies& proxies,
                             KeyRotationPolicy rotation)
    : service_(service),
      key_manager_(key_manager),
      ring_(ring),
      workers_(workers),
      authorizer_(authorizer),
      proxies_(proxies),
      rotation_(rotation) {}

Result<manage::Caller, Response> ManagementApi::authenticate(const Request& request) const {
  auto actor = authenticate_management(authorizer_, request.header(bhttp::field::authorization));
  if (actor) return manage::Caller{std::move(*actor), client_address(request, proxies_)};
  Response response = api_error(ApiStatus::unauthenticated, actor.error().message);
  response.set(bhttp::field::www_authenticate, actor.error().challenge);
  return fail(std::move(response));
}

void ManagementApi::add_routes(Router& router) {
  using bhttp::verb;
  auto bind = [this](Awaitable (ManagementApi::*method)(const Call&)) {
    return [this, method](Request& request, const PathParams& params) -> Awaitable {
      auto caller = authenticate(request);
      if (!caller) co_return std::move(caller.error());
      // A named local, not a temporary in the co_await expression: GCC 12 destroys such a
      // temporary twice in optimized builds (free(): invalid pointer on every management call).
      Call call{request, params, std::move(*caller)};
      co_return co_await (this->*method)(call);
    };
  };
  const std::string orgs = "/api/v1/organizations";
  const std::string org = orgs + "/{org}";
  const std::string clients = org + "/clients";
  const std::string client = clients + "/{client}";
  router.add(verb::post, orgs, bind(&ManagementApi::create_organization));
  router.add(verb::get, orgs, bind(&ManagementApi::list_organizations));
  router.add(verb::get, org, bind(&ManagementApi::get_organization));
  router.add(verb::patch, org, bind(&ManagementApi::update_organization));
  router.add(verb::delete_, org, bind(&ManagementApi::delete_organization));
  router.add(verb::post, clients, bind(&ManagementApi::create_client));
  router.add(verb::get, clients, bind(&ManagementApi::list_clients));
  router.add(verb::get, client, bind(&ManagementApi::get_client));
  router.add(verb::patch, client, bind(&ManagementApi::update_client));
  router.add(verb::delete_, client, bind(&ManagementApi::delete_client));
  router.add(verb::post, client + "/secrets", bind(&ManagementApi::add_secret));
  router.add(verb::delete_, client + "/secrets/{secret}", bind(&ManagementApi::delete_secret));
  router.add(verb::get, "/api/v1/keys", bind(&ManagementApi::list_keys));
  router.add(verb::post, "/api/v1/keys:rotate", bind(&ManagementApi::rotate_keys));
  router.add(verb::get, "/api/v1/audit-events", bind(&ManagementApi::list_audit_events));
}

// --- Organizations ---------------------------------------------------------------------------

Awaitable ManagementApi::create_organization(const Call& call) {
  if (auto wrong = require_json(call.request)) co_return std::move(*wrong);
  auto draft = wire::parse_organization_draft(call.request.message.body());
  if (!draft) co_return bad_body(draft.error());
  auto created = co_await offload(workers_, [&] {
    auto result = service_.create_organization(*draft);
    service_.audit(call.caller, "organization.create", result ? result->id : "",
                   result ? result->id : "", result.ok());
    return result;
  });
  if (!created) co_return error_response(created.error());
  co_return ok(bhttp::status::created, {{"organization", wire::to_json(*created)}});
}

Awaitable ManagementApi::get_organization(const Call& call) {
  const std::string id = call.param(0);
  auto found = co_await offload(workers_, [&] { return service_.get_organization(id); });
  if (!found) co_return error_response(found.error());
  co_return ok(bhttp::status::ok, {{"organization", wire::to_json(*found)}});
}

Awaitable ManagementApi::list_organizations(const Call& call) {
  auto page = page_request(call.request);
  if (!page) co_return std::move(page.error());
  auto listed = co_await offload(workers_, [&] { return service_.list_organizations(*page); });
  if (!listed) co_return error_response(listed.error());
  co_return ok(bhttp::status::ok, page_json("organizations", *listed));
}

Awaitable ManagementApi::update_organization(const Call& call) {
  if (auto wrong = require_json(call.request)) co_return std::move(*wrong);
  auto patch = wire::parse_organization_patch(call.request.message.body());
  if (!patch) co_return bad_body(patch.error());
  const std::string id = call.param(0);
  auto updated = co_await offload(workers_, [&] {
    auto result = service_.update_organization(id, *patch);
    service_.audit(call.caller, "organization.update", id, id, result.ok());
    return result;
  });
  if (!updated) co_return error_response(updated.error());
  co_return ok(bhttp::status::ok, {{"organization", wire::to_json(*updated)}});
}

Awaitable ManagementApi::delete_organization(const Call& call) {
  const std::string id = call.param(0);
  auto deleted = co_await offload(workers_, [&] {
    auto result = service_.delete_organization(id);
    service_.audit(call.caller, "organization.delete", id, id, result.ok());
    return result;
  });
  if (!deleted) co_return error_response(deleted.error());
  co_return ok(bhttp::status::ok, Json::object());
}

// --- Clients ---------------------------------------------------------------------------------

Awaitable ManagementApi::create_client(const Call& call) {
  if (auto wrong = require_json(call.request)) co_return std::move(*wrong);
  auto draft = wire::parse_client_draft(call.request.message.body());
  if (!draft) co_return bad_body(draft.error());
  const std::string org = call.param(0);
  auto created = co_await offload(workers_, [&] {
    auto result = service_.create_client(org, *draft);
    service_.audit(call.caller, "client.create", result ? result->client.id : "", org, result.ok());
    return result;
  });
  if (!created) co_return error_response(created.error());
  Response response = ok(bhttp::status::created, {{"client", wire::to_json(created->client)},
                                                  {"plain_secret", created->plain_secret}});
  mark_no_store(response);
  co_return response;
}

Awaitable ManagementApi::get_client(const Call& call) {
  const std::string org = call.param(0);
  const std::string id = call.param(1);
  auto found = co_await offload(workers_, [&] { return service_.get_client(org, id); });
  if (!found) co_return error_response(found.error());
  co_return ok(bhttp::status::ok, {{"client", wire::to_json(*found)}});
}

Awaitable ManagementApi::list_clients(const Call& call) {
  auto page = page_request(call.request);
  if (!page) co_return std::move(page.error());
  const std::string org = call.param(0);
  auto listed = co_await offload(workers_, [&] { return service_.list_clients(org, *page); });
  if (!listed) co_return error_response(listed.error());
  co_return ok(bhttp::status::ok, page_json("clients", *listed));
}

Awaitable ManagementApi::update_client(const Call& call) {
  if (auto wrong = require_json(call.request)) co_return std::move(*wrong);
  auto patch = wire::parse_client_patch(call.request.message.body());
  if (!patch) co_return bad_body(patch.error());
  const std::string org = call.param(0);
  const std::string id = call.param(1);
  auto updated = co_await offload(workers_, [&] {
    auto result = service_.update_client(org, id, *patch);
    service_.audit(call.caller, "client.update", id, org, result.ok());
    return result;
  });
  if (!updated) co_return error_response(updated.error());
  co_return ok(bhttp::status::ok, {{"client", wire::to_json(*updated)}});
}

Awaitable ManagementApi::delete_client(const Call& call) {
  const std::string org = call.param(0);
  const std::string id = call.param(1);
  auto deleted = co_await offload(workers_, [&] {
    auto result = service_.delete_client(org, id);
    service_.audit(call.caller, "client.delete", id, org, result.ok());
    return result;
  });
  if (!deleted) co_return error_response(deleted.error());
  co_return ok(bhttp::status::ok, Json::object());
}

// --- Secrets ---------------------------------------------------------------------------------

Awaitable ManagementApi::add_secret(const Call& call) {
  // The request has no fields, but a body that is not JSON is still malformed input, not consent.
  if (auto wrong = require_json(call.request)) co_return std::move(*wrong);
  if (auto empty = wire::parse_empty_request(call.request.message.body()); !empty) {
    co_return bad_body(empty.error());
  }
  const std::string org = call.param(0);
  const std::string id = call.param(1);
  auto created = co_await offload(workers_, [&] {
    auto result = service_.add_secret(org, id);
    service_.audit(call.caller, "secret.create", result ? result->secret.id : id, org, result.ok());
    return result;
  });
  if (!created) co_return error_response(created.error());
  Response response = ok(bhttp::status::created, {{"plain_secret", created->plain_secret},
                                                  {"secret", wire::to_json(created->secret)}});
  mark_no_store(response);
  co_return response;
}

Awaitable ManagementApi::delete_secret(const Call& call) {
  const std::string org = call.param(0);
  const std::string id = call.param(1);
  const std::string secret = call.param(2);
  auto deleted = co_await offload(workers_, [&] {
    auto result = service_.delete_secret(org, id, secret);
    service_.audit(call.caller, "secret.delete", secret, org, result.ok());
    return result;
  });
  if (!deleted) co_return error_response(deleted.error());
  co_return ok(bhttp::status::ok, Json::object());
}

// --- Signing keys ----------------------------------------------------------------------------

Awaitable ManagementApi::list_keys(const Call&) {
  Json keys = Json::array();
  for (const auto& key : ring_.describe(domain::now()))
    keys.push_back(wire::to_json(key));
  co_return ok(bhttp::status::ok, {{"keys", std::move(keys)}});
}

// Body (optional): {"algorithm": "ES256", "activate_after_seconds": 300}.
Awaitable ManagementApi::rotate_keys(const Call& call) {
  if (auto wrong = require_json(call.request)) co_return std::move(*wrong);
  nlohmann::json body = nlohmann::json::object();
  const std::string& text = call.request.message.body();
  if (!text.empty() && (::tessera::json::parse_strict(text, body) || !body.is_object())) {
    co_return api_error(ApiStatus::invalid_argument, "body: must be a JSON object");
  }
  KeyRotationPolicy policy = rotation_;
  if (auto alg = body.find("algorithm"); alg != body.end()) {
    const auto parsed =
        alg->is_string() ? jose::parse_algorithm(alg->get<std::string>()) : std::nullopt;
    if (!parsed) {
      co_return api_error(ApiStatus::invalid_argument, "algorithm: must be RS256, ES256 or EdDSA",
                          {{"algorithm", "must be RS256, ES256 or EdDSA"}});
    }
    policy.algorithm = *parsed;
  }
  if (auto delay = body.find("activate_after_seconds"); delay != body.end()) {
    if (!delay->is_number_integer() || delay->get<std::int64_t>() < 0 ||
        delay->get<std::int64_t>() > 30 * 86400) {
      co_return api_error(ApiStatus::invalid_argument,
                          "activate_after_seconds: must be an integer from 0 to 2592000",
                          {{"activate_after_seconds", "must be an integer from 0 to 2592000"}});
    }
    policy.publish_delay = std::chrono::seconds(delay->get<std::int64_t>());
  }
  auto rotated = co_await offload(workers_, [&] {
    auto result = key_manager_.rotate(policy.algorithm, policy.publish_delay, domain::now());
    service_.audit(call.caller, "key.rotate", result ? *result : "", "", result.ok());
    return result;
  });
  if (!rotated) {
    const auto status = rotated.error() == keys::KeyManagerError::unavailable
                            ? ApiStatus::unavailable
                            : ApiStatus::internal;
    co_return api_error(status, std::string(keys::to_string(rotated.error())));
  }
  for (const auto& key : ring_.describe(domain::now())) {
    if (key.id == *rotated) co_return ok(bhttp::status::created, {{"key", wire::to_json(key)}});
  }
  co_return api_error(ApiStatus::internal, "rotated key not found in the key ring");
}

// --- Audit log -------------------------------------------------------------------------------

// GET /api/v1/audit-events?organization_id=&actor=&target_id=&action=&page_size=&page_token=
Awaitable ManagementApi::list_audit_events(const Call& call) {
  auto page = page_request(call.request);
  if (!page) co_return std::move(page.error());
  auto query = parse_form(call.request.query());
  store::AuditFilter filter;
  auto take = [&](const char* name, std::optional<std::string>& field) {
    if (auto value = query->get(name); value && !value->empty()) field = std::string(*value);
  };
  take("organization_id", filter.organization_id);
  take("actor", filter.actor);
  take("target_id", filter.target_id);
  take("action", filter.action);
  auto listed =
      co_await offload(workers_, [&] { return service_.list_audit_events(*page, filter); });
  if (!listed) co_return error_response(listed.error());
  co_return ok(bhttp::status::ok, page_json("audit_events", *listed));
}

}  // namespace tessera::http
