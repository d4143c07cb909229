#include "tessera/verify/scopes.hpp"

#include <gtest/gtest.h>

namespace tessera::verify {
namespace {

const std::vector<std::string> kGranted = {"deploy:applications", "read:deployments"};

TEST(Scopes, MatchWholeStringsCaseSensitively) {
  EXPECT_TRUE(has_scope(kGranted, "deploy:applications"));
  for (const char* near :
       {"deploy", "deploy:", "applications", "Deploy:applications", "deploy:applications ",
        " deploy:applications", "deploy:application", "deploy:applications read:deployments", ""}) {
    EXPECT_FALSE(has_scope(kGranted, near)) << near;
  }
  EXPECT_FALSE(has_scope({}, "deploy:applications"));
  EXPECT_FALSE(has_scope(kGranted, std::string_view("deploy:applications\0", 20)));
}

TEST(Scopes, AllOf) {
  EXPECT_TRUE(has_all_scopes(kGranted, {"deploy:applications"}));
  EXPECT_TRUE(has_all_scopes(kGranted, {"read:deployments", "deploy:applications"}));
  EXPECT_FALSE(has_all_scopes(kGranted, {"deploy:applications", "admin"}));
  EXPECT_TRUE(has_all_scopes(kGranted, std::initializer_list<std::string_view>{}));
  const std::vector<std::string> required = {"read:deployments", "admin"};
  EXPECT_FALSE(has_all_scopes(kGranted, required));
  EXPECT_TRUE(has_all_scopes(kGranted, std::span(required).first(1)));
}

TEST(Scopes, AnyOf) {
  EXPECT_TRUE(has_any_scope(kGranted, {"admin", "read:deployments"}));
  EXPECT_FALSE(has_any_scope(kGranted, {"admin", "READ:DEPLOYMENTS"}));
  EXPECT_FALSE(has_any_scope(kGranted, std::initializer_list<std::string_view>{}));
  const std::vector<std::string> required = {"admin", "deploy:applications"};
  EXPECT_TRUE(has_any_scope(kGranted, required));
  EXPECT_FALSE(has_any_scope({}, required));
}

}  // namespace
}  // namespace tessera::verify
