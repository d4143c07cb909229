// The management API's happy paths beyond the seed: organization CRUD, PATCH merge semantics
// (and their effect on the next token), pagination with page tokens and total_size.
#include <set>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

class ManagementTest : public ServerTest {
 protected:
  Json get_json(const std::string& target) {
    const auto response = api->call("GET", target);
    require_status(response, 200, "GET " + target);
    return response.json();
  }
};

TEST_F(ManagementTest, OrganizationLifecycle) {
  const auto created =
      api->call("POST", "/api/v1/organizations",
                Json{{"display_name", "Acme Corp"},
                     {"external_id", "acme-42"},
                     {"metadata", {{"plan", "enterprise"}, {"region", "eu-west-1"}}}});
  ASSERT_EQ(created.status, 201) << created.describe();
  const Json org = created.json().at("organization");
  const std::string id = org.at("id").get<std::string>();
  EXPECT_TRUE(is_id(org.at("id"), "org"));
  EXPECT_EQ(org.at("external_id"), "acme-42");
  EXPECT_EQ(org.at("metadata"), (Json{{"plan", "enterprise"}, {"region", "eu-west-1"}}));
  EXPECT_EQ(get_json("/api/v1/organizations/" + id).at("organization"), org);

  // PATCH changes what it names and leaves the rest alone.
  const auto patched =
      api->call("PATCH", "/api/v1/organizations/" + id, Json{{"display_name", "Acme Corporation"}});
  ASSERT_EQ(patched.status, 200) << patched.describe();
  const Json after = patched.json().at("organization");
  EXPECT_EQ(after.at("display_name"), "Acme Corporation");
  EXPECT_EQ(after.at("external_id"), "acme-42");
  EXPECT_EQ(after.at("metadata"), org.at("metadata"));
  EXPECT_EQ(after.at("create_time"), org.at("create_time"));
  EXPECT_TRUE(is_rfc3339_utc(after.at("update_time")));
  // Empty fields are left alone too.
  const Json unchanged = api->call("PATCH", "/api/v1/organizations/" + id,
                                   Json{{"display_name", ""}, {"metadata", Json::object()}})
                             .json()
                             .at("organization");
  EXPECT_EQ(unchanged.at("display_name"), "Acme Corporation");
  EXPECT_EQ(unchanged.at("metadata"), org.at("metadata"));
  EXPECT_EQ(get_json("/api/v1/organizations/" + id).at("organization").at("display_name"),
            "Acme Corporation");

  const auto deleted = api->call("DELETE", "/api/v1/organizations/" + id);
  ASSERT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.json(), Json::object());
  EXPECT_EQ(api->call("GET", "/api/v1/organizations/" + id).status, 404);
  EXPECT_EQ(api->call("DELETE", "/api/v1/organizations/" + id).status, 404);
  // The external id is free again.
  EXPECT_EQ(api->call("POST", "/api/v1/organizations",
                      Json{{"display_name", "Acme again"}, {"external_id", "acme-42"}})
                .status,
            201);
}

TEST_F(ManagementTest, ClientPatchMergesAndTheNextTokenFollows) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient created = api->create_client(
      org_id,
      Json{{"name", "exporter"},
           {"description", "nightly export"},
           {"scopes", {"read:deployments", "deploy:applications"}},
           {"audience", {"https://api.example.com"}},
           {"custom_claims", {{{"key", "a"}, {"value", "1"}}, {{"key", "b"}, {"value", "2"}}}},
           {"expiry", 3600}});
  const std::string path = "/api/v1/organizations/" + org_id + "/clients/" + created.id();
  ASSERT_EQ(api->token_post(created.id(), created.plain_secret).status, 200);  // cached now

  auto patch = [&](const Json& body) {
    const auto response = api->call("PATCH", path, body);
    require_status(response, 200, "PATCH " + body.dump());
    return response.json().at("client");
  };

  Json client = patch({{"description", "hourly export"}});
  EXPECT_EQ(client.at("description"), "hourly export");
  EXPECT_EQ(client.at("name"), "exporter");
  EXPECT_EQ(client.at("scopes"), created.client.at("scopes"));
  EXPECT_EQ(client.at("audience"), created.client.at("audience"));
  EXPECT_EQ(client.at("custom_claims"), created.client.at("custom_claims"));
  EXPECT_EQ(client.at("expiry"), 3600);
  EXPECT_EQ(client.at("secrets").size(), 1u);
  EXPECT_EQ(client.dump().find(created.plain_secret), std::string::npos);

  // Empty values are "not set": nothing changes.
  client = patch({{"name", ""}, {"description", ""}, {"scopes", Json::array()}, {"expiry", 0}});
  EXPECT_EQ(client.at("name"), "exporter");
  EXPECT_EQ(client.at("description"), "hourly export");
  EXPECT_EQ(client.at("scopes"), created.client.at("scopes"));
  EXPECT_EQ(client.at("expiry"), 3600);

  // custom_claims replaces the whole list.
  client = patch({{"custom_claims", {{{"key", "c"}, {"value", "3"}}}}});
  EXPECT_EQ(client.at("custom_claims"), Json::parse(R"([{"key":"c","value":"3"}])"));
  EXPECT_EQ(client.at("audience"), created.client.at("audience"));

  client = patch({{"scopes", {"read:deployments"}}, {"expiry", 900}});
  EXPECT_EQ(client.at("scopes"), Json::array({"read:deployments"}));
  EXPECT_EQ(client.at("expiry"), 900);
  EXPECT_EQ(get_json(path).at("client"), client);

  // The very next token reflects the change (no stale cache).
  const auto token = api->token_post(created.id(), created.plain_secret);
  ASSERT_EQ(token.status, 200);
  const Json claims = decode_jwt(token.json().at("access_token").get<std::string>()).claims;
  EXPECT_EQ(claims.at("scopes"), Json::array({"read:deployments"}));
  EXPECT_EQ(claims.at("exp").get<std::int64_t>() - claims.at("iat").get<std::int64_t>(), 900);
  EXPECT_EQ(claims.at("custom_claims"), (Json{{"c", "3"}}));
  EXPECT_EQ(api->token_post(created.id(), created.plain_secret, "deploy:applications").status, 400);
}

// Walks a list forward with next_page_token, then back with prev_page_token.
void check_pagination(Api& api, const std::string& list, const char* items_name,
                      const char* id_name, const std::vector<std::string>& expected_ids) {
  const std::size_t total = expected_ids.size();
  std::vector<Json> pages;
  std::vector<std::string> seen;
  std::string token;
  for (int guard = 0; guard < 20; ++guard) {
    const std::string target =
        list + "?page_size=2" + (token.empty() ? "" : "&page_token=" + form_encode(token));
    const auto response = api.call("GET", target);
    require_status(response, 200, "GET " + target);
    const Json page = response.json();
    EXPECT_EQ(page.at("total_size"), total) << page;
    EXPECT_LE(page.at(items_name).size(), 2u);
    for (const auto& item : page.at(items_name))
      seen.push_back(item.at(id_name).get<std::string>());
    EXPECT_EQ(page.at("prev_page_token").get<std::string>().empty(), pages.empty()) << page;
    pages.push_back(page);
    token = page.at("next_page_token").get<std::string>();
    if (token.empty()) break;
  }
  EXPECT_EQ(pages.size(), (total + 1) / 2);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()),
            std::set<std::string>(expected_ids.begin(), expected_ids.end()));
  EXPECT_EQ(seen.size(), total);

  // Back from the last page, page by page, to the first.
  for (std::size_t i = pages.size() - 1; i > 0; --i) {
    const std::string prev = pages[i].at("prev_page_token").get<std::string>();
    const auto response = api.call("GET", list + "?page_size=2&page_token=" + form_encode(prev));
    require_status(response, 200, "previous page");
    EXPECT_EQ(response.json().at(items_name), pages[i - 1].at(items_name)) << "page " << i - 1;
  }
}

TEST_F(ManagementTest, OrganizationsPaginateBothWays) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(api->create_organization("Org " + std::to_string(i)).at("id").get<std::string>());
  }
  check_pagination(*api, "/api/v1/organizations", "organizations", "id", ids);
  const Json all = get_json("/api/v1/organizations");
  EXPECT_EQ(all.at("organizations").size(), 5u);  // default page size is larger than 5
  EXPECT_EQ(all.at("next_page_token"), "");
}

TEST_F(ManagementTest, ClientsPaginateBothWays) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const std::string other_org = api->create_organization("Other").at("id").get<std::string>();
  api->create_client(other_org, Json{{"name", "not in the list"}});
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(api->create_client(org_id, Json{{"name", "client " + std::to_string(i)}}).id());
  }
  check_pagination(*api, "/api/v1/organizations/" + org_id + "/clients", "clients", "client_id",
                   ids);
}

TEST_F(ManagementTest, BadPageParametersAreInvalidArgument) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const std::string other_org = api->create_organization("Other").at("id").get<std::string>();
  for (int i = 0; i < 3; ++i)
    api->create_client(org_id, Json{{"name", "c" + std::to_string(i)}});
  const std::string token = get_json("/api/v1/organizations/" + org_id + "/clients?page_size=1")
                                .at("next_page_token")
                                .get<std::string>();
  ASSERT_FALSE(token.empty());

  for (const std::string& target :
       {std::string("/api/v1/organizations?page_token=garbage"),
        "/api/v1/organizations?page_token=" + form_encode(token),  // a token of another list
        "/api/v1/organizations/" + other_org + "/clients?page_token=" + form_encode(token),
        std::string("/api/v1/organizations?page_size=abc"),
        std::string("/api/v1/organizations?page_size=-1"),
        std::string("/api/v1/organizations?page_size=1&page_size=2")}) {
    SCOPED_TRACE(target);
    const auto response = api->call("GET", target);
    EXPECT_EQ(response.status, 400) << response.describe();
    EXPECT_EQ(response.json().at("code"), 3);
  }
}

}  // namespace
}  // namespace tessera::it
