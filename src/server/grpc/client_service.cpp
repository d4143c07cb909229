#include "server/grpc/client_service.hpp"

#include "server/grpc/client_messages.hpp"
#include "server/http/management_auth.hpp"
#include "server/http/offload.hpp"

namespace tessera::grpc {
namespace {

using http::offload;

Status malformed(DecodeError error) {
  return {StatusCode::invalid_argument,
          "malformed request message: " + std::string(pb::to_string(error))};
}

manage::ClientDraft draft_of(const OrganizationClientInput& input) {
  manage::ClientDraft draft;
  draft.name = input.name.value_or("");
  draft.description = input.description.value_or("");
  draft.scopes = input.scopes.value_or(std::vector<std::string>{});
  draft.audience = input.audience.value_or(std::vector<std::string>{});
  draft.custom_claims = input.custom_claims.value_or(std::vector<domain::CustomClaim>{});
  draft.expiry_seconds = input.expiry;
  return draft;
}

domain::ApiClientPatch patch_of(const OrganizationClientInput& input) {
  domain::ApiClientPatch patch;
  patch.name = input.name;
  patch.description = input.description;
  patch.scopes = input.scopes;
  patch.audience = input.audience;
  patch.custom_claims = input.custom_claims;
  patch.expiry_seconds = input.expiry;
  return patch;
}

}  // namespace

Status status_of(const manage::Error& error) {
  switch (error.kind) {
    case manage::ErrorKind::invalid_argument:
      return {StatusCode::invalid_argument, error.message};
    case manage::ErrorKind::not_found:
      return {StatusCode::not_found, error.message};
    case manage::ErrorKind::already_exists:
      return {StatusCode::already_exists, error.message};
    case manage::ErrorKind::failed_precondition:
      return {StatusCode::failed_precondition, error.message};
    case manage::ErrorKind::unavailable:
      return {StatusCode::unavailable, error.message};
    case manage::ErrorKind::internal:
      return {StatusCode::internal, error.message};
  }
  return {StatusCode::internal, error.message};
}

ClientService::ClientService(manage::Service& service, boost::asio::thread_pool& workers,
                             const verify::Authorizer& authorizer)
    : service_(service), workers_(workers), authorizer_(authorizer) {}

Result<manage::Caller, Status> ClientService::authenticate(const CallContext& context) const {
  auto actor = http::authenticate_management(authorizer_, context.authorization);
  if (!actor) return fail(Status{StatusCode::unauthenticated, actor.error().message});
  return manage::Caller{std::move(*actor), context.source_address};
}

void ClientService::add_methods(MethodTable& methods) {
  auto bind = [this](Awaitable (ClientService::*method)(std::string_view, const manage::Caller&)) {
    return [this, method](std::string_view message, const CallContext& context) -> Awaitable {
      auto caller = authenticate(context);
      if (!caller) co_return fail(caller.error());
      // A named local, not a temporary in the co_await expression (see ManagementApi).
      const manage::Caller who = std::move(*caller);
      co_return co_await (this->*method)(message, who);
    };
  };
  const std::string prefix(kClientServicePath);
  methods[prefix + "CreateOrganizationClient"] = bind(&ClientService::create_client);
  methods[prefix + "GetOrganizationClient"] = bind(&ClientService::get_client);
  methods[prefix + "UpdateOrganizationClient"] = bind(&ClientService::update_client);
  methods[prefix + "DeleteOrganizationClient"] = bind(&ClientService::delete_client);
  methods[prefix + "ListOrganizationClients"] = bind(&ClientService::list_clients);
  methods[prefix + "CreateOrganizationClientSecret"] = bind(&ClientService::add_secret);
  methods[prefix + "DeleteOrganizationClientSecret"] = bind(&ClientService::delete_secret);
}

ClientService::Awaitable ClientService::create_client(std::string_view message,
                                                      const manage::Caller& caller) {
  auto request = decode_create_client(message);
  if (!request) co_return fail(malformed(request.error()));
  const manage::ClientDraft draft = draft_of(request->client);
  const std::string& org = request->organization_id;
  auto created = co_await offload(workers_, [&] {
    auto result = service_.create_client(org, draft);
    service_.audit(caller, "client.create", result ? result->client.id : "", org, result.ok());
    return result;
  });
  if (!created) co_return fail(status_of(created.error()));
  co_return encode_create_client_response(created->client, created->plain_secret);
}

ClientService::Awaitable ClientService::get_client(std::string_view message,
                                                   const manage::Caller&) {
  auto request = decode_client_ref(message);
  if (!request) co_return fail(malformed(request.error()));
  auto found = co_await offload(
      workers_, [&] { return service_.get_client(request->organization_id, request->client_id); });
  if (!found) co_return fail(status_of(found.error()));
  co_return encode_client_response(*found);
}

ClientService::Awaitable ClientService::update_client(std::string_view message,
                                                      const manage::Caller& caller) {
  auto request = decode_update_client(message);
  if (!request) co_return fail(malformed(request.error()));
  const std::string& org = request->organization_id;
  const std::string& id = request->client_id;
  auto updated = co_await offload(workers_, [&] {
    auto result = service_.update_client(org, id, patch_of(request->client));
    service_.audit(caller, "client.update", id, org, result.ok());
    return result;
  });
  if (!updated) co_return fail(status_of(updated.error()));
  co_return encode_client_response(*updated);
}

ClientService::Awaitable ClientService::delete_client(std::string_view message,
                                                      const manage::Caller& caller) {
  auto request = decode_client_ref(message);
  if (!request) co_return fail(malformed(request.error()));
  const std::string& org = request->organization_id;
  const std::string& id = request->client_id;
  auto deleted = co_await offload(workers_, [&] {
    auto result = service_.delete_client(org, id);
    service_.audit(caller, "client.delete", id, org, result.ok());
    return result;
  });
  if (!deleted) co_return fail(status_of(deleted.error()));
  co_return encode_empty();
}

ClientService::Awaitable ClientService::list_clients(std::string_view message,
                                                     const manage::Caller&) {
  auto request = decode_list_clients(message);
  if (!request) co_return fail(malformed(request.error()));
  store::PageRequest page;
  page.page_size = request->page_size;
  page.page_token = request->page_token;
  auto listed = co_await offload(
      workers_, [&] { return service_.list_clients(request->organization_id, page); });
  if (!listed) co_return fail(status_of(listed.error()));
  co_return encode_list_clients_response(listed->items, listed->next_page_token,
                                         listed->prev_page_token,
                                         static_cast<std::uint32_t>(listed->total_size));
}

ClientService::Awaitable ClientService::add_secret(std::string_view message,
                                                   const manage::Caller& caller) {
  auto request = decode_client_ref(message);
  if (!request) co_return fail(malformed(request.error()));
  const std::string& org = request->organization_id;
  const std::string& id = request->client_id;
  auto created = co_await offload(workers_, [&] {
    auto result = service_.add_secret(org, id);
    service_.audit(caller, "secret.create", result ? result->secret.id : id, org, result.ok());
    return result;
  });
  if (!created) co_return fail(status_of(created.error()));
  co_return encode_create_secret_response(created->secret, created->plain_secret);
}

ClientService::Awaitable ClientService::delete_secret(std::string_view message,
                                                      const manage::Caller& caller) {
  auto request = decode_delete_secret(message);
  if (!request) co_return fail(malformed(request.error()));
  const std::string& org = request->organization_id;
  const std::string& id = request->client_id;
  const std::string& secret = request->secret_id;
  auto deleted = co_await offload(workers_, [&] {
    auto result = service_.delete_secret(org, id, secret);
    service_.audit(caller, "secret.delete", secret, org, result.ok());
    return result;
  });
  if (!deleted) co_return fail(status_of(deleted.error()));
  co_return encode_empty();
}

}  // namespace tessera::grpc
