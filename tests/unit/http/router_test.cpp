#include "server/http/router.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

Handler noop() {
  return
      [](Request&, const PathParams&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router.add(bhttp::verb::get, "/api/v1/organizations/{org}", noop());
    router.add(bhttp::verb::delete_, "/api/v1/organizations/{org}", noop());
    router.add(bhttp::verb::get, "/api/v1/organizations/{org}/clients/{client}", noop());
    router.add(bhttp::verb::post, "/oauth/token", noop(), 4096);
  }
  Router router;
};

TEST_F(RouterTest, MatchesLiteralsAndCapturesPlaceholdersInOrder) {
  const auto match = router.match(bhttp::verb::get, "/api/v1/organizations/org_1/clients/m2morg_2");
  ASSERT_NE(match.route, nullptr);
  ASSERT_EQ(match.params.size(), 2u);
  EXPECT_EQ(match.params[0], "org_1");
  EXPECT_EQ(match.params[1], "m2morg_2");
}

TEST_F(RouterTest, ReportsAllowedMethodsForAKnownPath) {
  const auto match = router.match(bhttp::verb::put, "/api/v1/organizations/org_1");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed.size(), 2u);
}

TEST_F(RouterTest, UnknownPathHasNoRouteAndNoAllowedMethods) {
  for (const char* path : {"/", "", "/api/v1/organizations", "/api/v1/organizations/",
                           "/oauth/token/", "//oauth/token", "/api/v1/organizations/org_1/x"}) {
    const auto match = router.match(bhttp::verb::get, path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed.empty()) << path;
  }
}

TEST_F(RouterTest, PlaceholderNeverMatchesAnEmptySegment) {
  EXPECT_EQ(router.match(bhttp::verb::get, "/api/v1/organizations//clients/x").route, nullptr);
}

TEST_F(RouterTest, CarriesPerRouteBodyLimit) {
  const auto match = router.match(bhttp::verb::post, "/oauth/token");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->body_limit, 4096u);
}

}  // namespace
}  // namespace tessera::http
