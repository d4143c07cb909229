#include "server/keys/key_manager.hpp"

#include <gtest/gtest.h>

#include "server/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace tessera::keys {
namespace {

using namespace std::chrono_literals;

class KeyManagerTest : public ::testing::Test {
 protected:
  KeyManagerTest()
      : store(std::move(*store::open_sqlite_store({.path = dir.path() / "k.db"}))),
        sealer(MasterKey::from_text(std::string(64, 'b'))->derive(kKeySealingLabel)),
        ring(3600s),
        manager(*store, sealer, ring, ids) {}

  testing::TempDir dir;
  std::unique_ptr<store::Store> store;
  Sealer sealer;
  KeyRing ring;
  domain::IdGenerator ids;
  KeyManager manager;
};

TEST_F(KeyManagerTest, CreatesOneKeyOnFirstStartAndReloadsIt) {
  const auto now = domain::now();
  ASSERT_TRUE(manager.ensure_signing_key(jose::Algorithm::ES256, now));
  ASSERT_TRUE(manager.ensure_signing_key(jose::Algorithm::ES256, now));
  EXPECT_EQ(store->list_signing_keys()->size(), 1u);
  const std::string kid = ring.active_signer()->kid();

  KeyRing reloaded_ring(3600s);
  KeyManager reloaded(*store, sealer, reloaded_ring, ids);
  ASSERT_TRUE(reloaded.load(now));
  EXPECT_EQ(reloaded_ring.active_signer()->kid(), kid);
}

TEST_F(KeyManagerTest, StoresPrivateKeysOnlySealed) {
  ASSERT_TRUE(manager.ensure_signing_key(jose::Algorithm::ES256, domain::now()));
  const auto record = store->list_signing_keys()->front();
  const std::string blob(record.encrypted_private_key.begin(), record.encrypted_private_key.end());
  EXPECT_EQ(blob.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(record.public_jwk_json.find("\"d\""), std::string::npos);
}

TEST_F(KeyManagerTest, AnotherMasterKeyCannotLoadTheKeys) {
  ASSERT_TRUE(manager.ensure_signing_key(jose::Algorithm::ES256, domain::now()));
  Sealer other(MasterKey::from_text(std::string(64, 'c'))->derive(kKeySealingLabel));
  KeyRing other_ring(3600s);
  KeyManager wrong(*store, other, other_ring, ids);
  auto loaded = wrong.load(domain::now());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), KeyManagerError::undecryptable);
}

TEST_F(KeyManagerTest, RotationPublishesFirstAndSwitchesAtActivation) {
  const auto now = domain::now();
  ASSERT_TRUE(manager.ensure_signing_key(jose::Algorithm::ES256, now));
  const std::string old_kid = ring.active_signer()->kid();
  auto rotated = manager.rotate(jose::Algorithm::RS256, 60s, now);
  ASSERT_TRUE(rotated);
  EXPECT_EQ(ring.active_signer()->kid(), old_kid);
  EXPECT_NE(ring.published_keys()->find(*rotated), nullptr);
  ring.refresh(now + 60s);
  EXPECT_EQ(ring.active_signer()->kid(), *rotated);
  EXPECT_EQ(ring.active_signer()->algorithm(), jose::Algorithm::RS256);
  EXPECT_NE(ring.published_keys()->find(old_kid), nullptr);  // its tokens still verify
}

TEST_F(KeyManagerTest, PrunesKeysWhoseTokensHaveAllExpired) {
  const auto now = domain::now();
  ASSERT_TRUE(manager.ensure_signing_key(jose::Algorithm::ES256, now));
  const std::string old_kid = ring.active_signer()->kid();
  ASSERT_TRUE(manager.rotate(jose::Algorithm::ES256, 0s, now));
  ASSERT_TRUE(manager.prune(now + 3599s));
  EXPECT_EQ(store->list_signing_keys()->size(), 2u);
  ASSERT_TRUE(manager.prune(now + 3600s));
  EXPECT_EQ(store->list_signing_keys()->size(), 1u);
  EXPECT_EQ(ring.published_keys()->find(old_kid), nullptr);
}

}  // namespace
}  // namespace tessera::keys
