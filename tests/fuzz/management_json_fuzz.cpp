// Management API bodies: the wire decoders and the validation rules behind them.
#include <cstdint>
#include <string>

#include "server/domain/validation.hpp"
#include "server/http/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto draft = http::wire::parse_client_draft(body)) {
    domain::ApiClient client;
    client.name = draft->name;
    client.description = draft->description;
    client.scopes = draft->scopes;
    client.audience = draft->audience;
    client.custom_claims = draft->custom_claims;
    client.expiry_seconds = domain::effective_expiry(draft->expiry_seconds, {});
    (void)domain::validate_client(client);
  }
  if (auto patch = http::wire::parse_client_patch(body))
    (void)domain::validate_client_patch(*patch);
  if (auto org = http::wire::parse_organization_draft(body)) {
    domain::Organization organization;
    organization.display_name = org->display_name;
    organization.external_id = org->external_id;
    organization.metadata = org->metadata;
    (void)domain::validate_organization(organization);
  }
  if (auto patch = http::wire::parse_organization_patch(body)) {
    (void)domain::validate_organization_patch(*patch);
  }
  return 0;
}
