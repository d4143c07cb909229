// Shared set-up for the store tests: a fresh SQLite store in a temporary directory, and builders
// for valid records.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "server/domain/ids.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace tessera::store::testing {

using domain::ApiClient;
using domain::IdKind;
using domain::Organization;
using domain::Secret;

inline std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tessera-store-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// Every byte of the hash depends on `seed`, so distinct secrets have distinct hashes.
inline domain::SecretHash hash_of(std::uint8_t seed) {
  domain::SecretHash hash{};
  for (std::size_t i = 0; i < hash.size(); ++i)
    hash[i] = static_cast<std::uint8_t>(seed + i);
  return hash;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    store_ = open_store();
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path db_path() const { return dir_ / "data" / "tessera.db"; }

  std::unique_ptr<Store> open_store() {
    auto opened = open_sqlite_store(SqliteOptions{.path = db_path()});
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  void reopen() {
    store_.reset();
    store_ = open_store();
  }

  Organization new_organization(std::string display_name = "Megasoft") {
    Organization organization;
    organization.id = ids_.next(IdKind::organization);
    organization.display_name = std::move(display_name);
    organization.metadata = {{"plan", "enterprise"}};
    organization.create_time = organization.update_time = domain::now();
    return organization;
  }

  Organization create_organization(std::string display_name = "Megasoft") {
    auto created = store_->create_organization(new_organization(std::move(display_name)));
    EXPECT_TRUE(created.ok());
    return created.ok() ? *created : Organization{};
  }

  Secret new_secret(const std::string& client_id, std::uint8_t seed = 1) {
    Secret secret;
    secret.id = ids_.next(IdKind::secret);
    secret.client_id = client_id;
    secret.hash = hash_of(seed);
    secret.suffix = "Ab3_";
    secret.create_time = secret.update_time = domain::now();
    return secret;
  }

  // An m2morg_ client of `organization_id`, or an skc_ client when it is empty.
  ApiClient new_client(const std::string& organization_id, std::string name = "deployer") {
    ApiClient client;
    if (organization_id.empty()) {
      client.id = ids_.next(IdKind::environment_client);
    } else {
      client.id = ids_.next(IdKind::api_client);
      client.organization_id = organization_id;
    }
    client.name = std::move(name);
    client.description = "Deploys applications";
    client.scopes = {"deploy:applications", "read:deployments"};
    client.audience = {"deployment-api.acmecorp.com"};
    client.custom_claims = {{"github_repository", "acmecorp/inventory-service"},
                            {"environment", "production_us"}};
    client.expiry_seconds = 3600;
    client.create_time = client.update_time = domain::now();
    client.secrets = {new_secret(client.id)};
    return client;
  }

  ApiClient create_client(const std::string& organization_id, std::string name = "deployer") {
    auto created = store_->create_client(new_client(organization_id, std::move(name)));
    EXPECT_TRUE(created.ok());
    return created.ok() ? *created : ApiClient{};
  }

  domain::IdGenerator ids_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace tessera::store::testing
