#include "server/grpc/client_messages.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace tessera::grpc {
namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The fields of a message grouped by number (repeated fields keep their order).
std::map<std::uint32_t, std::vector<pb::Field>> fields_of(std::string_view message) {
  std::map<std::uint32_t, std::vector<pb::Field>> out;
  auto reader = pb::Reader::open(message);
  EXPECT_TRUE(reader);
  while (true) {
    auto field = reader->next();
    EXPECT_TRUE(field);
    if (!field || !*field) return out;
    out[(*field)->number].push_back(**field);
  }
}

std::string text(const pb::Field& field) {
  return *pb::as_string(field);
}

// Encoded by the Scalekit SDK's own generated code (@bufbuild/protobuf toBinary):
// {organizationId: 'org_1', client: {name: 'n', scopes: ['a','b'],
//  customClaims: [{key: 'k', value: 'v'}], expiry: 300n}}
constexpr std::string_view kSdkCreateRequest =
    "0a056f72675f3112140a016e1a01611a01622a060a016b12017630ac02";
// {organizationId: 'org_1', clientId: 'm2morg_2', client: {description: 'd'}}
constexpr std::string_view kSdkUpdateRequest = "0a056f72675f3112086d326d6f72675f321a03120164";
// {organizationId: 'org_1', pageSize: 300, pageToken: 't'}
constexpr std::string_view kSdkListRequest = "0a056f72675f3110ac021a0174";

TEST(ClientMessages, DecodesTheSdkCreateRequest) {
  auto request = decode_create_client(from_hex(kSdkCreateRequest));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->organization_id, "org_1");
  EXPECT_EQ(request->client.name, "n");
  EXPECT_FALSE(request->client.description);
  EXPECT_EQ(request->client.scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(request->client.audience);
  ASSERT_TRUE(request->client.custom_claims);
  EXPECT_EQ(*request->client.custom_claims, (std::vector<domain::CustomClaim>{{"k", "v"}}));
  EXPECT_EQ(request->client.expiry, 300);
}

TEST(ClientMessages, UpdateSetsOnlyWhatWasSent) {
  auto request = decode_update_client(from_hex(kSdkUpdateRequest));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->organization_id, "org_1");
  EXPECT_EQ(request->client_id, "m2morg_2");
  EXPECT_EQ(request->client.description, "d");
  EXPECT_FALSE(request->client.name);
  EXPECT_FALSE(request->client.scopes);
  EXPECT_FALSE(request->client.custom_claims);
  EXPECT_FALSE(request->client.expiry);
}

TEST(ClientMessages, DecodesTheSdkListRequest) {
  auto request = decode_list_clients(from_hex(kSdkListRequest));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->organization_id, "org_1");
  EXPECT_EQ(request->page_size, 300u);
  EXPECT_EQ(request->page_token, "t");
}

TEST(ClientMessages, SkipsUnknownFieldsAtEveryLevel) {
  pb::Writer claim;
  claim.string(1, "k");
  claim.varint(9, 1);  // unknown
  claim.string(2, "v");
  pb::Writer client;
  client.string(1, "name");
  client.int64(99, 5);  // unknown
  client.message(5, claim);
  pb::Writer request;
  request.string(1, "org_1");
  request.string(7, "ignored");  // unknown
  request.message(2, client);
  auto decoded = decode_create_client(request.bytes());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->client.name, "name");
  EXPECT_EQ(*decoded->client.custom_claims, (std::vector<domain::CustomClaim>{{"k", "v"}}));
}

TEST(ClientMessages, RefusesKnownFieldsWithTheWrongWireType) {
  pb::Writer request;
  request.varint(1, 5);  // organization_id is a string
  EXPECT_EQ(decode_client_ref(request.bytes()).error(), DecodeError::wrong_wire_type);
  pb::Writer list;
  list.string(2, "10");  // page_size is a varint
  EXPECT_EQ(decode_list_clients(list.bytes()).error(), DecodeError::wrong_wire_type);
}

TEST(ClientMessages, RefusesMalformedNestedMessages) {
  pb::Writer request;
  request.string(1, "org_1");
  request.string(2, std::string("\x0a\x05"
                                "ab",
                                4));  // client.name claims 5 bytes, has 2
  EXPECT_EQ(decode_create_client(request.bytes()).error(), DecodeError::truncated);
  EXPECT_EQ(decode_delete_secret(std::string("\x1a\x01\xff", 3)).error(),
            DecodeError::invalid_utf8);
}

TEST(ClientMessages, EmptyMessagesDecodeToDefaults) {
  auto ref = decode_client_ref("");
  ASSERT_TRUE(ref);
  EXPECT_TRUE(ref->organization_id.empty());
  auto create = decode_create_client("");
  ASSERT_TRUE(create);
  EXPECT_FALSE(create->client.name);
}

domain::ApiClient sample_client() {
  domain::ApiClient client;
  client.id = "m2morg_7";
  client.organization_id = "org_1";
  client.name = "GitHub Actions Deployment Service";
  client.description = "deploys";
  client.scopes = {"deploy:applications", "read:deployments"};
  client.audience = {"https://api.example.com"};
  client.custom_claims = {{"env", "prod"}};
  client.expiry_seconds = 3600;
  client.create_time = domain::from_unix_micros(1'700'000'000'123'456);
  client.update_time = domain::from_unix_micros(1'700'000'001'000'000);
  domain::Secret secret;
  secret.id = "sks_9";
  secret.suffix = "abcd";
  secret.status = domain::SecretStatus::inactive;
  secret.create_time = client.create_time;
  secret.update_time = client.update_time;
  secret.last_used_time = domain::from_unix_micros(1'700'000'002'000'000);
  client.secrets = {secret};
  return client;
}

TEST(ClientMessages, EncodesEveryFieldOfTheM2MClient) {
  const auto client = sample_client();
  const pb::Writer encoded = encode_m2m_client(client);
  auto fields = fields_of(encoded.bytes());
  EXPECT_EQ(text(fields[1][0]), "m2morg_7");
  EXPECT_EQ(text(fields[3][0]), "GitHub Actions Deployment Service");
  EXPECT_EQ(text(fields[4][0]), "deploys");
  EXPECT_EQ(text(fields[5][0]), "org_1");
  ASSERT_EQ(fields[8].size(), 2u);
  EXPECT_EQ(text(fields[8][0]), "deploy:applications");
  EXPECT_EQ(text(fields[8][1]), "read:deployments");
  EXPECT_EQ(text(fields[9][0]), "https://api.example.com");
  auto claim = fields_of(fields[10][0].bytes);
  EXPECT_EQ(text(claim[1][0]), "env");
  EXPECT_EQ(text(claim[2][0]), "prod");
  EXPECT_EQ(fields[11][0].varint, 3600u);

  auto created = fields_of(fields[6][0].bytes);
  EXPECT_EQ(created[1][0].varint, 1'700'000'000u);
  EXPECT_EQ(created[2][0].varint, 123'456'000u);
  auto updated = fields_of(fields[7][0].bytes);
  EXPECT_EQ(updated[1][0].varint, 1'700'000'001u);
  EXPECT_EQ(updated.count(2), 0u);  // zero nanos are not written

  ASSERT_EQ(fields[2].size(), 1u);
  auto secret = fields_of(fields[2][0].bytes);
  EXPECT_EQ(text(secret[1][0]), "sks_9");
  EXPECT_EQ(text(secret[4][0]), "abcd");
  EXPECT_EQ(secret[6][0].varint, 1u);  // INACTIVE
  EXPECT_EQ(secret.count(7), 0u);      // no expiry
  EXPECT_EQ(fields_of(secret[8][0].bytes)[1][0].varint, 1'700'000'002u);
}

TEST(ClientMessages, TimestampsBeforeTheEpochKeepNanosPositive) {
  const pb::Writer encoded = encode_timestamp(domain::from_unix_micros(-1));
  auto fields = fields_of(encoded.bytes());
  EXPECT_EQ(*pb::as_int64(fields[1][0]), -1);
  EXPECT_EQ(fields[2][0].varint, 999'999'000u);
}

TEST(ClientMessages, ResponsesPutTheSecretWhereTheSdkReadsIt) {
  const auto client = sample_client();
  // The fields view the encoded bytes: those must stay alive.
  const std::string create_bytes = encode_create_client_response(client, "plain");
  auto create = fields_of(create_bytes);
  EXPECT_EQ(text(fields_of(create[1][0].bytes)[1][0]), "m2morg_7");
  EXPECT_EQ(text(create[2][0]), "plain");

  const std::string secret_bytes = encode_create_secret_response(client.secrets[0], "plain2");
  auto secret = fields_of(secret_bytes);
  EXPECT_EQ(text(secret[1][0]), "plain2");
  EXPECT_EQ(text(fields_of(secret[2][0].bytes)[1][0]), "sks_9");

  const std::string list_bytes = encode_list_clients_response({client, client}, "next", "", 2);
  auto list = fields_of(list_bytes);
  EXPECT_EQ(text(list[1][0]), "next");
  EXPECT_EQ(list[2][0].varint, 2u);
  EXPECT_EQ(list[3].size(), 2u);
  EXPECT_EQ(list.count(4), 0u);
  EXPECT_TRUE(encode_empty().empty());
}

}  // namespace
}  // namespace tessera::grpc
