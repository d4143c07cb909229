#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using domain::SigningKeyRecord;
using namespace std::chrono_literals;

class KeysAndSettings : public StoreTest {
 protected:
  SigningKeyRecord new_key(std::string algorithm = "RS256") {
    SigningKeyRecord key;
    key.id = ids_.next(IdKind::signing_key);
    key.algorithm = std::move(algorithm);
    key.encrypted_private_key = {0x00, 0xFF, 0x10, 0x00, 0x7F};  // binary, with NULs
    key.public_jwk_json = R"({"kty":"RSA","kid":")" + key.id + R"(","n":"abc","e":"AQAB"})";
    key.create_time = domain::now();
    key.activate_time = key.create_time + 10min;
    return key;
  }
};

TEST_P(KeysAndSettings, SigningKeysInsertListRetireDelete) {
  const SigningKeyRecord first = new_key();
  SigningKeyRecord second = new_key("ES256");
  second.retire_time = second.activate_time + 24h;
  ASSERT_TRUE(store_->insert_signing_key(first).ok());
  ASSERT_TRUE(store_->insert_signing_key(second).ok());
  EXPECT_EQ(store_->insert_signing_key(first).error(), StoreError::already_exists);

  auto keys = store_->list_signing_keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::vector<SigningKeyRecord>{first, second}));  // oldest first

  const domain::Timestamp retire = first.activate_time + 1h;
  ASSERT_TRUE(store_->set_signing_key_retire_time(first.id, retire).ok());
  EXPECT_EQ((*store_->list_signing_keys())[0].retire_time, retire);
  ASSERT_TRUE(store_->set_signing_key_retire_time(first.id, std::nullopt).ok());
  EXPECT_FALSE((*store_->list_signing_keys())[0].retire_time.has_value());

  ASSERT_TRUE(store_->delete_signing_key(first.id).ok());
  EXPECT_EQ(*store_->list_signing_keys(), std::vector<SigningKeyRecord>{second});

  const std::string unknown = ids_.next(IdKind::signing_key);
  EXPECT_EQ(store_->delete_signing_key(unknown).error(), StoreError::not_found);
  EXPECT_EQ(store_->set_signing_key_retire_time(unknown, retire).error(), StoreError::not_found);
  EXPECT_EQ(store_->delete_signing_key("snk_bad").error(), StoreError::not_found);
}

TEST_P(KeysAndSettings, MalformedKeyIdIsRefused) {
  SigningKeyRecord key = new_key();
  key.id = "kid-1";
  EXPECT_EQ(store_->insert_signing_key(key).error(), StoreError::failed_precondition);
}

TEST_P(KeysAndSettings, SettingsGetPutAndPutIfAbsent) {
  auto missing = store_->get_setting("hmac_key_id");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(store_->put_setting("hmac_key_id", "v1").ok());
  EXPECT_EQ(**store_->get_setting("hmac_key_id"), "v1");
  ASSERT_TRUE(store_->put_setting("hmac_key_id", "v2").ok());
  EXPECT_EQ(**store_->get_setting("hmac_key_id"), "v2");

  const std::string binary("\x00\x01\xFF", 3);
  auto first = store_->put_setting_if_absent("fingerprint", binary);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, binary);
  auto second = store_->put_setting_if_absent("fingerprint", "other");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, binary);

  ASSERT_TRUE(store_->put_setting("empty", "").ok());
  EXPECT_EQ(**store_->get_setting("empty"), "");
}

TEST_P(KeysAndSettings, PingAndClose) {
  EXPECT_TRUE(store_->ping().ok());
  const Organization organization = create_organization();
  store_->close();
  EXPECT_EQ(store_->ping().error(), StoreError::unavailable);
  EXPECT_EQ(store_->get_organization(organization.id).error(), StoreError::unavailable);
  EXPECT_EQ(store_->create_organization(new_organization()).error(), StoreError::unavailable);
  store_->close();  // idempotent
}

TESSERA_ALL_BACKENDS(KeysAndSettings);

}  // namespace
}  // namespace tessera::store::testing
