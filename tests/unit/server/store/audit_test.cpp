// The audit log's storage: append in batches, list newest first with filters and page tokens.
#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using domain::AuditEvent;
using domain::AuditOutcome;
using namespace std::chrono_literals;

class AuditLog : public StoreTest {
 protected:
  AuditEvent event(std::string action, std::string organization_id = "",
                   std::string actor = "skc_1") {
    AuditEvent e;
    e.id = ids_.next(IdKind::audit_event);
    e.time = domain::now();
    e.actor = std::move(actor);
    e.action = std::move(action);
    e.target_id = ids_.next(IdKind::api_client);
    e.organization_id = std::move(organization_id);
    e.source_address = "192.0.2.7";
    return e;
  }

  std::vector<AuditEvent> append(int count, const std::string& organization_id = "") {
    std::vector<AuditEvent> events;
    for (int i = 0; i < count; ++i)
      events.push_back(event("client.create", organization_id));
    EXPECT_TRUE(store_->append_audit_events(events).ok());
    return events;
  }

  Page<AuditEvent> list(std::int64_t size, std::string token = "", AuditFilter filter = {}) {
    auto page = store_->list_audit_events({size, std::move(token)}, filter);
    EXPECT_TRUE(page.ok());
    return page.ok() ? *page : Page<AuditEvent>{};
  }
};

TEST_P(AuditLog, EventsRoundTripNewestFirst) {
  const AuditEvent first = event("organization.create");
  AuditEvent failed = event("secret.delete", "org_5", "m2morg_9");
  failed.outcome = AuditOutcome::failure;
  failed.source_address = "[2001:db8::1]:443";
  ASSERT_TRUE(store_->append_audit_events(std::vector<AuditEvent>{first}).ok());
  ASSERT_TRUE(store_->append_audit_events(std::vector<AuditEvent>{failed}).ok());
  const auto page = list(10);
  EXPECT_EQ(page.items, (std::vector<AuditEvent>{failed, first}));
  EXPECT_EQ(page.total_size, 2);
  EXPECT_TRUE(page.next_page_token.empty());
  EXPECT_TRUE(page.prev_page_token.empty());
  EXPECT_TRUE(store_->append_audit_events({}).ok());
}

TEST_P(AuditLog, PagesWalkFromNewestToOldestAndBack) {
  const auto events = append(25);
  std::vector<AuditEvent> newest_first(events.rbegin(), events.rend());
  const auto first = list(10);
  EXPECT_EQ(first.items, std::vector<AuditEvent>(newest_first.begin(), newest_first.begin() + 10));
  const auto second = list(10, first.next_page_token);
  EXPECT_EQ(second.items,
            std::vector<AuditEvent>(newest_first.begin() + 10, newest_first.begin() + 20));
  const auto third = list(10, second.next_page_token);
  EXPECT_EQ(third.items, std::vector<AuditEvent>(newest_first.begin() + 20, newest_first.end()));
  EXPECT_TRUE(third.next_page_token.empty());
  const auto back = list(10, third.prev_page_token);
  EXPECT_EQ(back.items, second.items);
  EXPECT_EQ(back.total_size, 25);
}

TEST_P(AuditLog, FiltersMatchExactly) {
  append(3, "org_1");
  const auto other = append(2, "org_2");
  AuditEvent rotation = event("key.rotate");
  ASSERT_TRUE(store_->append_audit_events(std::vector<AuditEvent>{rotation}).ok());

  AuditFilter by_organization;
  by_organization.organization_id = "org_2";
  auto page = list(10, "", by_organization);
  EXPECT_EQ(page.items, (std::vector<AuditEvent>{other[1], other[0]}));
  EXPECT_EQ(page.total_size, 2);

  AuditFilter by_action;
  by_action.action = "key.rotate";
  EXPECT_EQ(list(10, "", by_action).items, std::vector<AuditEvent>{rotation});

  AuditFilter by_target;
  by_target.target_id = other[0].target_id;
  by_target.actor = "skc_1";
  EXPECT_EQ(list(10, "", by_target).items, std::vector<AuditEvent>{other[0]});

  AuditFilter nobody;
  nobody.actor = "skc_2";
  EXPECT_TRUE(list(10, "", nobody).items.empty());
}

TEST_P(AuditLog, ATokenBelongsToItsFilter) {
  append(5, "org_1");
  AuditFilter filter;
  filter.organization_id = "org_1";
  const auto page = list(2, "", filter);
  ASSERT_FALSE(page.next_page_token.empty());
  EXPECT_EQ(store_->list_audit_events({2, page.next_page_token}, {}).error(),
            StoreError::invalid_page_token);
  EXPECT_EQ(store_->list_audit_events({2, "garbage"}, filter).error(),
            StoreError::invalid_page_token);
}

TEST_P(AuditLog, ABatchIsAllOrNothing) {
  const auto stored = append(1);
  std::vector<AuditEvent> batch{event("client.delete"), stored[0]};  // the second id is taken
  EXPECT_EQ(store_->append_audit_events(batch).error(), StoreError::already_exists);
  batch = {event("client.delete")};
  batch[0].id = "evt_1";
  EXPECT_EQ(store_->append_audit_events(batch).error(), StoreError::failed_precondition);
  EXPECT_EQ(list(10).total_size, 1);
}

TESSERA_ALL_BACKENDS(AuditLog);

}  // namespace
}  // namespace tessera::store::testing
