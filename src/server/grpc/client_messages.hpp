// The messages of scalekit.v1.clients.ClientService that tessera serves (the organization-client
// calls of the Scalekit SDKs), as plain structs, with their protobuf decoding and encoding. Field
// numbers follow the Scalekit SDK's descriptors (clients.proto); everything else is skipped as an
// unknown field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/entities.hpp"
#include "server/grpc/protobuf.hpp"
#include "tessera/result.hpp"

namespace tessera::grpc {

// scalekit.v1.clients.OrganizationClient: the writable part of a client. proto3 does not say
// whether a default value was sent, so "set" means "present on the wire": the SDK only sends the
// options it was given, which makes an update a patch of exactly those.
struct OrganizationClientInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::vector<std::string>> audience;
  std::optional<std::vector<domain::CustomClaim>> custom_claims;
  std::optional<std::int64_t> expiry;
};

struct CreateOrganizationClientRequest {
  std::string organization_id;
  OrganizationClientInput client;
};

// Get, Delete and CreateOrganizationClientSecret all name one client.
struct ClientRefRequest {
  std::string organization_id;
  std::string client_id;
};

struct UpdateOrganizationClientRequest {
  std::string organization_id;
  std::string client_id;
  OrganizationClientInput client;
};

struct DeleteOrganizationClientSecretRequest {
  std::string organization_id;
  std::string client_id;
  std::string secret_id;
};

struct ListOrganizationClientsRequest {
  std::string organization_id;
  std::uint32_t page_size = 0;
  std::string page_token;
};

using pb::DecodeError;

Result<CreateOrganizationClientRequest, DecodeError> decode_create_client(std::string_view message);
Result<ClientRefRequest, DecodeError> decode_client_ref(std::string_view message);
Result<UpdateOrganizationClientRequest, DecodeError> decode_update_client(std::string_view message);
Result<DeleteOrganizationClientSecretRequest, DecodeError> decode_delete_secret(
    std::string_view message);
Result<ListOrganizationClientsRequest, DecodeError> decode_list_clients(std::string_view message);

// Responses. A client's secrets carry ids, suffixes, status and times, never a hash.
std::string encode_create_client_response(const domain::ApiClient& client,
                                          std::string_view plain_secret);
std::string encode_client_response(const domain::ApiClient& client);  // Get and Update
std::string encode_create_secret_response(const domain::Secret& secret,
                                          std::string_view plain_secret);
std::string encode_list_clients_response(const std::vector<domain::ApiClient>& clients,
                                         std::string_view next_page_token,
                                         std::string_view prev_page_token,
                                         std::uint32_t total_size);
inline std::string encode_empty() {
  return {};
}  // google.protobuf.Empty

// Building blocks, exposed for tests.
pb::Writer encode_timestamp(domain::Timestamp time);  // google.protobuf.Timestamp
pb::Writer encode_m2m_client(const domain::ApiClient& client);
pb::Writer encode_client_secret(const domain::Secret& secret);

}  // namespace tessera::grpc
