// The handles' calls: a path, a body, and the decoding of the answer. Everything else (tokens,
// retries, errors) happens in Core.
#include "tessera/client/client.hpp"

#include "client/core.hpp"

namespace tessera::client {
namespace {

using detail::Core;
using detail::Json;

// An id as one path segment; empty ids are refused here rather than turned into another route.
Result<std::string, Error> segment(std::string_view id, const char* field) {
  if (id.empty()) return fail(wire::configuration_error("must not be empty", field));
  return "/" + net::percent_encode(id);
}

Result<std::string, Error> org_path(std::string_view org) {
  auto org_segment = segment(org, "organization_id");
  if (!org_segment) return org_segment;
  return "/api/v1/organizations" + *org_segment;
}

Result<std::string, Error> client_path(std::string_view org, std::string_view client) {
  auto base = org_path(org);
  if (!base) return base;
  auto client_segment = segment(client, "client_id");
  if (!client_segment) return client_segment;
  return *base + "/clients" + *client_segment;
}

std::string page_query(const PageRequest& page) {
  std::string query;
  if (page.page_size > 0) query += "&page_size=" + std::to_string(page.page_size);
  if (!page.page_token.empty()) query += "&page_token=" + net::percent_encode(page.page_token);
  if (!query.empty()) query[0] = '?';
  return query;
}

// Runs a decoder over a successful answer; a document of the wrong shape is a protocol error.
template <class Decode>
auto decode(Result<Json, Error> answer, Decode&& read) -> Result<decltype(read(Json())), Error> {
  if (!answer) return fail(answer.error());
  try {
    return read(*answer);
  } catch (const std::exception& e) {
    return fail(wire::protocol_error(std::string("unexpected answer: ") + e.what()));
  }
}

Result<void, Error> done(Result<Json, Error> answer) {
  if (!answer) return fail(answer.error());
  return {};
}

}  // namespace

// --- Client ------------------------------------------------------------------------------------

Client::Client(std::string env_url, std::string client_id, std::string client_secret,
               ClientOptions options)
    : core_(std::make_shared<Core>(std::move(env_url), std::move(client_id),
                                   std::move(client_secret), std::move(options))) {}

const std::string& Client::env_url() const {
  return core_->env_url();
}
ClientStats Client::stats() const {
  return core_->stats();
}

// --- M2M ---------------------------------------------------------------------------------------

Result<CreatedClient, Error> M2M::create_client(std::string_view organization_id,
                                                const ClientDetails& details) const {
  auto path = org_path(organization_id);
  if (!path) return fail(path.error());
  const Json body = wire::to_json(details);
  return decode(core_->call("POST", *path + "/clients", &body), [](const Json& json) {
    return CreatedClient{wire::client_from(json.at("client")),
                         json.at("plain_secret").get<std::string>()};
  });
}

Result<ApiClient, Error> M2M::get_client(std::string_view organization_id,
                                         std::string_view client_id) const {
  auto path = client_path(organization_id, client_id);
  if (!path) return fail(path.error());
  return decode(core_->call("GET", *path),
                [](const Json& json) { return wire::client_from(json.at("client")); });
}

Result<Page<ApiClient>, Error> M2M::list_clients(std::string_view organization_id,
                                                 const PageRequest& page) const {
  auto path = org_path(organization_id);
  if (!path) return fail(path.error());
  return decode(core_->call("GET", *path + "/clients" + page_query(page)), [](const Json& json) {
    return wire::page_from(json, "clients", &wire::client_from);
  });
}

Result<ApiClient, Error> M2M::update_client(std::string_view organization_id,
                                            std::string_view client_id,
                                            const ClientUpdate& update) const {
  auto path = client_path(organization_id, client_id);
  if (!path) return fail(path.error());
  const Json body = wire::to_json(update);
  return decode(core_->call("PATCH", *path, &body),
                [](const Json& json) { return wire::client_from(json.at("client")); });
}

Result<void, Error> M2M::delete_client(std::string_view organization_id,
                                       std::string_view client_id) const {
  auto path = client_path(organization_id, client_id);
  if (!path) return fail(path.error());
  return done(core_->call("DELETE", *path));
}

Result<CreatedSecret, Error> M2M::add_secret(std::string_view organization_id,
                                             std::string_view client_id) const {
  auto path = client_path(organization_id, client_id);
  if (!path) return fail(path.error());
  return decode(core_->call("POST", *path + "/secrets"), [](const Json& json) {
    return CreatedSecret{wire::secret_from(json.at("secret")),
                         json.at("plain_secret").get<std::string>()};
  });
}

Result<void, Error> M2M::remove_secret(std::string_view organization_id, std::string_view client_id,
                                       std::string_view secret_id) const {
  auto path = client_path(organization_id, client_id);
  if (!path) return fail(path.error());
  auto secret = segment(secret_id, "secret_id");
  if (!secret) return fail(secret.error());
  return done(core_->call("DELETE", *path + "/secrets" + *secret));
}

// --- Organizations -----------------------------------------------------------------------------

Result<Organization, Error> Organizations::create_organization(
    const OrganizationDetails& details) const {
  const Json body = wire::to_json(details);
  return decode(core_->call("POST", "/api/v1/organizations", &body),
                [](const Json& json) { return wire::organization_from(json.at("organization")); });
}

Result<Organization, Error> Organizations::get_organization(
    std::string_view organization_id) const {
  auto path = org_path(organization_id);
  if (!path) return fail(path.error());
  return decode(core_->call("GET", *path),
                [](const Json& json) { return wire::organization_from(json.at("organization")); });
}

Result<Page<Organization>, Error> Organizations::list_organizations(const PageRequest& page) const {
  return decode(core_->call("GET", "/api/v1/organizations" + page_query(page)),
                [](const Json& json) {
                  return wire::page_from(json, "organizations", &wire::organization_from);
                });
}

Result<Organization, Error> Organizations::update_organization(
    std::string_view organization_id, const OrganizationUpdate& update) const {
  auto path = org_path(organization_id);
  if (!path) return fail(path.error());
  const Json body = wire::to_json(update);
  return decode(core_->call("PATCH", *path, &body),
                [](const Json& json) { return wire::organization_from(json.at("organization")); });
}

Result<void, Error> Organizations::delete_organization(std::string_view organization_id) const {
  auto path = org_path(organization_id);
  if (!path) return fail(path.error());
  return done(core_->call("DELETE", *path));
}

// --- Keys, audit log, tokens -------------------------------------------------------------------

Result<std::vector<SigningKey>, Error> Keys::list_keys() const {
  return decode(core_->call("GET", "/api/v1/keys"), [](const Json& json) {
    std::vector<SigningKey> keys;
    for (const auto& key : json.at("keys"))
      keys.push_back(wire::key_from(key));
    return keys;
  });
}

Result<SigningKey, Error> Keys::rotate_key(const RotateKeyOptions& options) const {
  const Json body = wire::to_json(options);
  return decode(core_->call("POST", "/api/v1/keys:rotate", &body),
                [](const Json& json) { return wire::key_from(json.at("key")); });
}

Result<Page<AuditEvent>, Error> AuditLog::list_events(const AuditFilter& filter,
                                                      const PageRequest& page) const {
  std::string query = page_query(page);
  const auto add = [&query](const char* name, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + net::percent_encode(value);
  };
  add("organization_id", filter.organization_id);
  add("actor", filter.actor);
  add("target_id", filter.target_id);
  add("action", filter.action);
  return decode(core_->call("GET", "/api/v1/audit-events" + query), [](const Json& json) {
    return wire::page_from(json, "audit_events", &wire::audit_event_from);
  });
}

Result<AccessToken, Error> Tokens::get_token(std::string_view client_id,
                                             std::string_view client_secret,
                                             const std::vector<std::string>& scopes) const {
  return core_->request_token(client_id, client_secret, scopes);
}

}  // namespace tessera::client
