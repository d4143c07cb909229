#include "server/grpc/client_messages.hpp"

#include <chrono>

namespace tessera::grpc {
namespace {

// Field numbers (scalekit/v1/clients/clients.proto).
namespace organization_client {
constexpr std::uint32_t name = 1, description = 2, scopes = 3, audience = 4, custom_claims = 5,
                        expiry = 6;
}
namespace custom_claim {
constexpr std::uint32_t key = 1, value = 2;
}
namespace m2m_client {
constexpr std::uint32_t client_id = 1, secrets = 2, name = 3, description = 4, organization_id = 5,
                        create_time = 6, update_time = 7, scopes = 8, audience = 9,
                        custom_claims = 10, expiry = 11;
}
namespace client_secret {
constexpr std::uint32_t id = 1, create_time = 2, update_time = 3, secret_suffix = 4, status = 6,
                        expire_time = 7, last_used_time = 8;
constexpr std::uint64_t kInactive = 1;  // ClientSecretStatus.INACTIVE; ACTIVE is the default 0
}  // namespace client_secret

// Visits every field of `message`; `on_field` returns an error to stop.
template <class OnField>
Result<void, DecodeError> for_each_field(pb::Reader reader, OnField on_field) {
  while (true) {
    auto field = reader.next();
    if (!field) return fail(field.error());
    if (!*field) return {};
    if (auto handled = on_field(reader, **field); !handled) return handled;
  }
}

template <class OnField>
Result<void, DecodeError> for_each_field(std::string_view message, OnField on_field) {
  auto reader = pb::Reader::open(message);
  if (!reader) return fail(reader.error());
  return for_each_field(std::move(*reader), on_field);
}

Result<void, DecodeError> read_string(const pb::Field& field, std::string& out) {
  auto value = pb::as_string(field);
  if (!value) return fail(value.error());
  out = std::move(*value);
  return {};
}

Result<void, DecodeError> append_string(const pb::Field& field,
                                        std::optional<std::vector<std::string>>& out) {
  auto value = pb::as_string(field);
  if (!value) return fail(value.error());
  if (!out) out.emplace();
  out->push_back(std::move(*value));
  return {};
}

Result<domain::CustomClaim, DecodeError> decode_custom_claim(const pb::Reader& parent,
                                                             const pb::Field& field) {
  auto reader = parent.nested(field);
  if (!reader) return fail(reader.error());
  domain::CustomClaim claim;
  auto done = for_each_field(std::move(*reader), [&](pb::Reader&, const pb::Field& f) {
    if (f.number == custom_claim::key) return read_string(f, claim.key);
    if (f.number == custom_claim::value) return read_string(f, claim.value);
    return Result<void, DecodeError>{};
  });
  if (!done) return fail(done.error());
  return claim;
}

Result<void, DecodeError> decode_client_input(const pb::Reader& parent, const pb::Field& field,
                                              OrganizationClientInput& input) {
  auto reader = parent.nested(field);
  if (!reader) return fail(reader.error());
  return for_each_field(std::move(*reader),
                        [&](pb::Reader& self, const pb::Field& f) -> Result<void, DecodeError> {
                          switch (f.number) {
                            case organization_client::name:
                              return read_string(f, input.name.emplace());
                            case organization_client::description:
                              return read_string(f, input.description.emplace());
                            case organization_client::scopes:
                              return append_string(f, input.scopes);
                            case organization_client::audience:
                              return append_string(f, input.audience);
                            case organization_client::custom_claims: {
                              auto claim = decode_custom_claim(self, f);
                              if (!claim) return fail(claim.error());
                              if (!input.custom_claims) input.custom_claims.emplace();
                              input.custom_claims->push_back(std::move(*claim));
                              return {};
                            }
                            case organization_client::expiry: {
                              auto expiry = pb::as_int64(f);
                              if (!expiry) return fail(expiry.error());
                              input.expiry = *expiry;
                              return {};
                            }
                            default:
                              return {};
                          }
                        });
}

std::int64_t micros_since_epoch(domain::Timestamp time) {
  return time.time_since_epoch().count();
}

}  // namespace

Result<CreateOrganizationClientRequest, DecodeError> decode_create_client(
    std::string_view message) {
  CreateOrganizationClientRequest request;
  auto done = for_each_field(
      message, [&](pb::Reader& self, const pb::Field& f) -> Result<void, DecodeError> {
        if (f.number == 1) return read_string(f, request.organization_id);
        if (f.number == 2) return decode_client_input(self, f, request.client);
        return {};
      });
  if (!done) return fail(done.error());
  return request;
}

Result<ClientRefRequest, DecodeError> decode_client_ref(std::string_view message) {
  ClientRefRequest request;
  auto done =
      for_each_field(message, [&](pb::Reader&, const pb::Field& f) -> Result<void, DecodeError> {
        if (f.number == 1) return read_string(f, request.organization_id);
        if (f.number == 2) return read_string(f, request.client_id);
        return {};
      });
  if (!done) return fail(done.error());
  return request;
}

Result<UpdateOrganizationClientRequest, DecodeError> decode_update_client(
    std::string_view message) {
  UpdateOrganizationClientRequest request;
  auto done = for_each_field(
      message, [&](pb::Reader& self, const pb::Field& f) -> Result<void, DecodeError> {
        if (f.number == 1) return read_string(f, request.organization_id);
        if (f.number == 2) return read_string(f, request.client_id);
        if (f.number == 3) return decode_client_input(self, f, request.client);
        return {};
      });
  if (!done) return fail(done.error());
  return request;
}

Result<DeleteOrganizationClientSecretRequest, DecodeError> decode_delete_secret(
    std::string_view message) {
  DeleteOrganizationClientSecretRequest request;
  auto done =
      for_each_field(message, [&](pb::Reader&, const pb::Field& f) -> Result<void, DecodeError> {
        if (f.number == 1) return read_string(f, request.organization_id);
        if (f.number == 2) return read_string(f, request.client_id);
        if (f.number == 3) return read_string(f, request.secret_id);
        return {};
      });
  if (!done) return fail(done.error());
  return request;
}

Result<ListOrganizationClientsRequest, DecodeError> decode_list_clients(std::string_view message) {
  ListOrganizationClientsRequest request;
  auto done =
      for_each_field(message, [&](pb::Reader&, const pb::Field& f) -> Result<void, DecodeError> {
        if (f.number == 1) return read_string(f, request.organization_id);
        if (f.number == 2) {
          auto size = pb::as_uint32(f);
          if (!size) return fail(size.error());
          request.page_size = *size;
          return {};
        }
        if (f.number == 3) return read_string(f, request.page_token);
        return {};
      });
  if (!done) return fail(done.error());
  return request;
}

pb::Writer encode_timestamp(domain::Timestamp time) {
  // Timestamp.nanos is never negative: seconds round down, the remainder is added.
  const std::int64_t micros = micros_since_epoch(time);
  std::int64_t seconds = micros / 1'000'000;
  std::int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    --seconds;
    rest += 1'000'000;
  }
  pb::Writer out;
  out.int64_if_set(1, seconds);
  out.int64_if_set(2, rest * 1000);
  return out;
}

pb::Writer encode_client_secret(const domain::Secret& secret) {
  pb::Writer out;
  out.string_if_set(client_secret::id, secret.id);
  out.message(client_secret::create_time, encode_timestamp(secret.create_time));
  out.message(client_secret::update_time, encode_timestamp(secret.update_time));
  out.string_if_set(client_secret::secret_suffix, secret.suffix);
  if (secret.status == domain::SecretStatus::inactive) {
    out.varint(client_secret::status, client_secret::kInactive);
  }
  if (secret.expire_time) {
    out.message(client_secret::expire_time, encode_timestamp(*secret.expire_time));
  }
  if (secret.last_used_time) {
    out.message(client_secret::last_used_time, encode_timestamp(*secret.last_used_time));
  }
  return out;
}

pb::Writer encode_m2m_client(const domain::ApiClient& client) {
  pb::Writer out;
  out.string_if_set(m2m_client::client_id, client.id);
  for (const auto& secret : client.secrets) {
    out.message(m2m_client::secrets, encode_client_secret(secret));
  }
  out.string_if_set(m2m_client::name, client.name);
  out.string_if_set(m2m_client::description, client.description);
  out.string_if_set(m2m_client::organization_id, client.organization_id.value_or(""));
  out.message(m2m_client::create_time, encode_timestamp(client.create_time));
  out.message(m2m_client::update_time, encode_timestamp(client.update_time));
  for (const auto& scope : client.scopes)
    out.string(m2m_client::scopes, scope);
  for (const auto& audience : client.audience)
    out.string(m2m_client::audience, audience);
  for (const auto& claim : client.custom_claims) {
    pb::Writer nested;
    nested.string_if_set(custom_claim::key, claim.key);
    nested.string_if_set(custom_claim::value, claim.value);
    out.message(m2m_client::custom_claims, nested);
  }
  out.int64_if_set(m2m_client::expiry, client.expiry_seconds);
  return out;
}

std::string encode_create_client_response(const domain::ApiClient& client,
                                          std::string_view plain_secret) {
  pb::Writer out;
  out.message(1, encode_m2m_client(client));
  out.string_if_set(2, plain_secret);
  return out.take();
}

std::string encode_client_response(const domain::ApiClient& client) {
  pb::Writer out;
  out.message(1, encode_m2m_client(client));
  return out.take();
}

std::string encode_create_secret_response(const domain::Secret& secret,
                                          std::string_view plain_secret) {
  pb::Writer out;
  out.string_if_set(1, plain_secret);
  out.message(2, encode_client_secret(secret));
  return out.take();
}

std::string encode_list_clients_response(const std::vector<domain::ApiClient>& clients,
                                         std::string_view next_page_token,
                                         std::string_view prev_page_token,
                                         std::uint32_t total_size) {
  pb::Writer out;
  out.string_if_set(1, next_page_token);
  if (total_size != 0) out.varint(2, total_size);
  for (const auto& client : clients)
    out.message(3, encode_m2m_client(client));
  out.string_if_set(4, prev_page_token);
  return out.take();
}

}  // namespace tessera::grpc
