#include "server/store/paging.hpp"
#include "store_fixture.hpp"
#include "tessera/jose/base64url.hpp"

namespace tessera::store::testing {
namespace {

std::vector<std::string> ids_of(const std::vector<Organization>& organizations) {
  std::vector<std::string> ids;
  for (const auto& organization : organizations) {
    ids.push_back(organization.id);
  }
  return ids;
}

std::vector<std::string> ids_of(const std::vector<ApiClient>& clients) {
  std::vector<std::string> ids;
  for (const auto& client : clients) {
    ids.push_back(client.id);
  }
  return ids;
}

class PaginationTest : public StoreTest {
 protected:
  // Creates `count` organizations; returns their ids in creation (= id) order.
  std::vector<std::string> create_organizations(int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      ids.push_back(create_organization("org " + std::to_string(i)).id);
    }
    return ids;
  }

  Page<Organization> list(std::int64_t page_size, std::string token = "") {
    auto page = store_->list_organizations({page_size, std::move(token)});
    EXPECT_TRUE(page.ok());
    return page.ok() ? *page : Page<Organization>{};
  }
};

TEST_P(PaginationTest, EmptyList) {
  const auto page = list(10);
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total_size, 0);
  EXPECT_TRUE(page.next_page_token.empty());
  EXPECT_TRUE(page.prev_page_token.empty());
}

TEST_P(PaginationTest, ForwardThroughAllPages) {
  const auto all = create_organizations(25);
  const auto first = list(10);
  EXPECT_EQ(ids_of(first.items), std::vector<std::string>(all.begin(), all.begin() + 10));
  EXPECT_EQ(first.total_size, 25);
  EXPECT_TRUE(first.prev_page_token.empty());
  ASSERT_FALSE(first.next_page_token.empty());

  const auto second = list(10, first.next_page_token);
  EXPECT_EQ(ids_of(second.items), std::vector<std::string>(all.begin() + 10, all.begin() + 20));
  EXPECT_EQ(second.total_size, 25);
  EXPECT_FALSE(second.prev_page_token.empty());

  const auto third = list(10, second.next_page_token);
  EXPECT_EQ(ids_of(third.items), std::vector<std::string>(all.begin() + 20, all.end()));
  EXPECT_TRUE(third.next_page_token.empty());
  EXPECT_FALSE(third.prev_page_token.empty());
}

TEST_P(PaginationTest, BackwardReturnsThePreviousPages) {
  const auto all = create_organizations(25);
  const auto first = list(10);
  const auto second = list(10, first.next_page_token);
  const auto third = list(10, second.next_page_token);

  const auto back_to_second = list(10, third.prev_page_token);
  EXPECT_EQ(ids_of(back_to_second.items), ids_of(second.items));
  EXPECT_FALSE(back_to_second.next_page_token.empty());
  EXPECT_FALSE(back_to_second.prev_page_token.empty());

  const auto back_to_first = list(10, back_to_second.prev_page_token);
  EXPECT_EQ(ids_of(back_to_first.items), ids_of(first.items));
  EXPECT_TRUE(back_to_first.prev_page_token.empty());
  EXPECT_EQ(list(10, back_to_first.next_page_token).items.size(), 10u);
}

TEST_P(PaginationTest, ExactMultipleHasNoEmptyLastPage) {
  create_organizations(20);
  const auto first = list(10);
  const auto second = list(10, first.next_page_token);
  EXPECT_EQ(second.items.size(), 10u);
  EXPECT_TRUE(second.next_page_token.empty());
}

TEST_P(PaginationTest, PageSizeDefaultsAndIsCapped) {
  create_organizations(105);
  EXPECT_EQ(list(0).items.size(), 10u);
  EXPECT_EQ(list(-3).items.size(), 10u);
  EXPECT_EQ(list(1).items.size(), 1u);
  EXPECT_EQ(list(100).items.size(), 100u);
  EXPECT_EQ(list(101).items.size(), 100u);
  EXPECT_EQ(list(100000).items.size(), 100u);
}

TEST_P(PaginationTest, TokensSurviveDeletions) {
  const auto all = create_organizations(6);
  const auto first = list(3);
  // The item the cursor points at goes away; the next page still starts after it.
  ASSERT_TRUE(store_->delete_organization(all[2]).ok());
  const auto second = list(3, first.next_page_token);
  EXPECT_EQ(ids_of(second.items), std::vector<std::string>(all.begin() + 3, all.end()));
  EXPECT_EQ(second.total_size, 5);

  // Everything after the cursor gone: an empty page that still leads back.
  for (int i = 3; i < 6; ++i) {
    ASSERT_TRUE(store_->delete_organization(all[i]).ok());
  }
  const auto empty = list(3, first.next_page_token);
  EXPECT_TRUE(empty.items.empty());
  EXPECT_TRUE(empty.next_page_token.empty());
  ASSERT_FALSE(empty.prev_page_token.empty());
  EXPECT_EQ(ids_of(list(3, empty.prev_page_token).items),
            (std::vector<std::string>{all[0], all[1]}));
}

TEST_P(PaginationTest, InvalidTokensAreRefused) {
  create_organizations(3);
  const std::string valid = list(1).next_page_token;
  ASSERT_FALSE(valid.empty());
  for (const std::string& token : {
           std::string("garbage!"),
           std::string("AAAA"),
           valid + "A",
           valid.substr(1),
           jose::base64url_encode(std::string_view("1.f.0.-5")),
           jose::base64url_encode(std::string_view("1.f.0.007")),
           jose::base64url_encode(std::string_view("1.x.0.5")),
           jose::base64url_encode(std::string_view("2.f.0.5")),
           jose::base64url_encode(std::string_view("1.f.0.5.6")),
           jose::base64url_encode(std::string_view("1.f.0.99999999999999999999")),
           std::string(500, 'A'),
       }) {
    auto page = store_->list_organizations({10, token});
    ASSERT_FALSE(page.ok()) << token;
    EXPECT_EQ(page.error(), StoreError::invalid_page_token) << token;
  }
}

TEST_P(PaginationTest, ClientPagesBelongToTheirOrganization) {
  const Organization big = create_organization("big");
  const Organization small = create_organization("small");
  std::vector<std::string> big_clients;
  for (int i = 0; i < 7; ++i) {
    big_clients.push_back(create_client(big.id, "c" + std::to_string(i)).id);
  }
  create_client(small.id);
  create_client("", "admin");  // environment clients are in no organization's list

  auto first = store_->list_clients(big.id, {5, ""});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total_size, 7);
  EXPECT_EQ(ids_of(first->items),
            std::vector<std::string>(big_clients.begin(), big_clients.begin() + 5));
  ASSERT_EQ(first->items[0].secrets.size(), 1u);  // clients come with their secrets

  auto second = store_->list_clients(big.id, {5, first->next_page_token});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(ids_of(second->items),
            std::vector<std::string>(big_clients.begin() + 5, big_clients.end()));
  EXPECT_TRUE(second->next_page_token.empty());

  auto back = store_->list_clients(big.id, {5, second->prev_page_token});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ids_of(back->items), ids_of(first->items));

  // A token of one organization's list is not a token of another's.
  auto crossed = store_->list_clients(small.id, {5, first->next_page_token});
  ASSERT_FALSE(crossed.ok());
  EXPECT_EQ(crossed.error(), StoreError::invalid_page_token);
  EXPECT_EQ(store_->list_organizations({5, first->next_page_token}).error(),
            StoreError::invalid_page_token);

  auto small_page = store_->list_clients(small.id, {});
  ASSERT_TRUE(small_page.ok());
  EXPECT_EQ(small_page->total_size, 1);
}

TEST(PageToken, RoundTripsAndIsCanonical) {
  const PageCursor cursor{Direction::backward, 123, 456789};
  const std::string token = encode_page_token(cursor);
  EXPECT_EQ(decode_page_token(token, 123), cursor);
  EXPECT_FALSE(decode_page_token(token, 124).has_value());
  EXPECT_FALSE(decode_page_token(token + "=", 123).has_value());
  EXPECT_EQ(effective_page_size(0), 10u);
  EXPECT_EQ(effective_page_size(55), 55u);
  EXPECT_EQ(effective_page_size(101), 100u);
}

TESSERA_ALL_BACKENDS(PaginationTest);

}  // namespace
}  // namespace tessera::store::testing
