#include "server/domain/entities.hpp"

#include <gtest/gtest.h>

namespace tessera::domain {
namespace {

const Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

TEST(Credentials, KeepWhatTokensNeedAndEverySecretWithItsStatus) {
  ApiClient api;
  api.id = "m2morg_1";
  api.organization_id = "org_1";
  api.name = "not needed for tokens";
  api.scopes = {"a", "b"};
  api.audience = {"https://api.example.com"};
  api.custom_claims = {{"k", "v"}, {"a", "w"}};
  api.expiry_seconds = 600;
  Secret inactive;
  inactive.id = "sks_1";
  inactive.hash[0] = 1;
  inactive.status = SecretStatus::inactive;
  Secret expiring;
  expiring.id = "sks_2";
  expiring.hash[0] = 2;
  expiring.expire_time = kT0;
  expiring.suffix = "abcd";
  api.secrets = {inactive, expiring};

  const ClientCredentials credentials = credentials_of(api);
  const ClientCredentials expected{"m2morg_1",
                                   "org_1",
                                   {"a", "b"},
                                   {"https://api.example.com"},
                                   {{"k", "v"}, {"a", "w"}},
                                   600,
                                   {{"sks_1", inactive.hash, SecretStatus::inactive, std::nullopt},
                                    {"sks_2", expiring.hash, SecretStatus::active, kT0}}};
  EXPECT_EQ(credentials, expected);
  EXPECT_FALSE(credentials.is_environment_client());
}

TEST(Credentials, OfAnEnvironmentClientHaveNoOrganization) {
  ApiClient admin;
  admin.id = "skc_1";
  const ClientCredentials credentials = credentials_of(admin);
  EXPECT_FALSE(credentials.organization_id);
  EXPECT_TRUE(credentials.is_environment_client());
  EXPECT_TRUE(credentials.secrets.empty());
}

}  // namespace
}  // namespace tessera::domain
