// JSON wire format of the management API (api-contract.md §5): entities out, request bodies in.
// Output follows proto3 JSON conventions as the Scalekit API does (snake_case, RFC 3339 times,
// enum names, empty lists omitted).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/domain/entities.hpp"
#include "server/domain/validation.hpp"
#include "server/keys/key_ring.hpp"
#include "server/manage/service.hpp"
#include "tessera/result.hpp"

namespace tessera::http::wire {

using Json = nlohmann::ordered_json;

Json to_json(const domain::Organization& organization);
Json to_json(const domain::ApiClient& client);
Json to_json(const domain::Secret& secret);
Json to_json(const keys::KeyInfo& key);
Json to_json(const domain::AuditEvent& event);

// A body that is not a JSON object of the right member types: the violations say which.
using BodyResult = domain::FieldViolations;

Result<manage::OrganizationDraft, BodyResult> parse_organization_draft(std::string_view body);
Result<domain::OrganizationPatch, BodyResult> parse_organization_patch(std::string_view body);
Result<manage::ClientDraft, BodyResult> parse_client_draft(std::string_view body);
Result<domain::ApiClientPatch, BodyResult> parse_client_patch(std::string_view body);
// For requests without fields (add secret): no body, or a JSON object whose members are ignored.
Result<void, BodyResult> parse_empty_request(std::string_view body);

}  // namespace tessera::http::wire
