#include "server/keys/master_key.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace tessera::keys {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("tessera-mk-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(MasterKey, AcceptsBase64UrlAndHexOf32Bytes) {
  EXPECT_TRUE(MasterKey::from_text(std::string(64, 'a')));
  EXPECT_TRUE(MasterKey::from_text("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_TRUE(MasterKey::from_text("  " + std::string(64, 'F') + "\n"));
}

TEST(MasterKey, RejectsAnythingElse) {
  for (const std::string& text :
       {std::string(), std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'g'),
        std::string("short"), std::string(44, 'A'), std::string(43, '+')}) {
    auto key = MasterKey::from_text(text);
    ASSERT_FALSE(key) << text;
    EXPECT_EQ(key.error(), MasterKeyError::malformed);
  }
}

TEST(MasterKey, CreatesAnOwnerOnlyFileOnceAndReloadsTheSameKey) {
  TempDir dir;
  const auto file = dir.path() / "master.key";
  bool created = false;
  auto first = MasterKey::load_or_create(file, &created);
  ASSERT_TRUE(first);
  EXPECT_TRUE(created);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto second = MasterKey::load_or_create(file, &created);
  ASSERT_TRUE(second);
  EXPECT_FALSE(created);
  EXPECT_EQ(first->derive("x"), second->derive("x"));
}

TEST(MasterKey, RefusesAFileOthersCanRead) {
  TempDir dir;
  const auto file = dir.path() / "master.key";
  ASSERT_TRUE(MasterKey::load_or_create(file));
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto key = MasterKey::load_or_create(file);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error(), MasterKeyError::insecure_file);
}

TEST(MasterKey, DerivesIndependentSubkeysPerLabel) {
  auto key = MasterKey::from_text(std::string(64, '1'));
  ASSERT_TRUE(key);
  EXPECT_NE(key->derive("a"), key->derive("b"));
  EXPECT_EQ(key->derive("a"), key->derive("a"));
  auto other = MasterKey::from_text(std::string(64, '2'));
  EXPECT_NE(key->derive("a"), other->derive("a"));
}

TEST(Sealer, RoundTripsAndBindsTheAssociatedData) {
  const Sealer sealer(MasterKey::from_text(std::string(64, '3'))->derive("seal"));
  const auto sealed = sealer.seal("private key bytes", "snk_1");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->find("private key bytes"), std::string::npos);
  EXPECT_EQ(sealer.open(*sealed, "snk_1"), "private key bytes");
  EXPECT_FALSE(sealer.open(*sealed, "snk_2"));
}

TEST(Sealer, DetectsTamperingAndTheWrongKey) {
  const auto master = MasterKey::from_text(std::string(64, '4'));
  const Sealer sealer(master->derive("seal"));
  auto sealed = *sealer.seal("secret", "aad");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string flipped = sealed;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(sealer.open(flipped, "aad")) << i;
  }
  EXPECT_FALSE(Sealer(master->derive("other")).open(sealed, "aad"));
  EXPECT_FALSE(sealer.open(sealed.substr(0, 20), "aad"));
}

TEST(Sealer, UsesAFreshNonceEveryTime) {
  const Sealer sealer(MasterKey::from_text(std::string(64, '5'))->derive("seal"));
  EXPECT_NE(*sealer.seal("same", "aad"), *sealer.seal("same", "aad"));
}

}  // namespace
}  // namespace tessera::keys
