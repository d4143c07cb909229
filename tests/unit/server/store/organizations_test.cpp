#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using domain::OrganizationPatch;

using OrganizationStore = StoreTest;

TEST_P(OrganizationStore, CreateThenGetReturnsTheSameRecord) {
  Organization organization = new_organization("Acme \xF0\x9F\x9A\x80 Corp");
  organization.external_id = "crm-4711";
  organization.metadata = {{"plan", "enterprise"}, {"region", "eu\nwest"}};
  auto created = store_->create_organization(organization);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*created, organization);
  auto fetched = store_->get_organization(organization.id);
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(*fetched, organization);
}

TEST_P(OrganizationStore, EmptyMetadataAndNoExternalIdRoundTrip) {
  Organization organization = new_organization();
  organization.metadata.clear();
  ASSERT_TRUE(store_->create_organization(organization).ok());
  auto fetched = store_->get_organization(organization.id);
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(*fetched, organization);
  EXPECT_FALSE(fetched->external_id.has_value());
}

TEST_P(OrganizationStore, UnknownOrMalformedIdIsNotFound) {
  for (const std::string& id :
       {ids_.next(IdKind::organization), std::string("org_0"), std::string("org_abc"),
        std::string(""), ids_.next(IdKind::api_client), std::string("org_1; DROP TABLE x")}) {
    auto fetched = store_->get_organization(id);
    ASSERT_FALSE(fetched.ok()) << id;
    EXPECT_EQ(fetched.error(), StoreError::not_found) << id;
  }
}

TEST_P(OrganizationStore, DuplicateIdIsAlreadyExists) {
  const Organization organization = create_organization();
  auto again = store_->create_organization(organization);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), StoreError::already_exists);
}

TEST_P(OrganizationStore, ExternalIdIsUnique) {
  Organization first = new_organization();
  first.external_id = "crm-1";
  ASSERT_TRUE(store_->create_organization(first).ok());
  Organization second = new_organization();
  second.external_id = "crm-1";
  auto clash = store_->create_organization(second);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error(), StoreError::already_exists);
  EXPECT_EQ(store_->get_organization(second.id).error(), StoreError::not_found);
  // Absent external ids never clash.
  EXPECT_TRUE(store_->create_organization(new_organization()).ok());
  EXPECT_TRUE(store_->create_organization(new_organization()).ok());
}

TEST_P(OrganizationStore, GetByExternalId) {
  Organization organization = new_organization();
  organization.external_id = "crm-42";
  ASSERT_TRUE(store_->create_organization(organization).ok());
  auto fetched = store_->get_organization_by_external_id("crm-42");
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched->id, organization.id);
  EXPECT_EQ(store_->get_organization_by_external_id("crm-43").error(), StoreError::not_found);
  EXPECT_EQ(store_->get_organization_by_external_id("").error(), StoreError::not_found);
}

TEST_P(OrganizationStore, UpdateChangesOnlyPresentFields) {
  const Organization organization = create_organization("Before");
  OrganizationPatch patch;
  patch.display_name = "After";
  patch.update_time = organization.update_time + std::chrono::seconds(5);
  auto updated = store_->update_organization(organization.id, patch);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->display_name, "After");
  EXPECT_EQ(updated->metadata, organization.metadata);
  EXPECT_EQ(updated->create_time, organization.create_time);
  EXPECT_EQ(updated->update_time, patch.update_time);
  EXPECT_EQ(*store_->get_organization(organization.id), *updated);

  OrganizationPatch replace_metadata;
  replace_metadata.metadata = std::map<std::string, std::string>{{"tier", "gold"}};
  replace_metadata.external_id = "crm-9";
  replace_metadata.update_time = patch.update_time;
  updated = store_->update_organization(organization.id, replace_metadata);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->display_name, "After");
  EXPECT_EQ(updated->metadata, (std::map<std::string, std::string>{{"tier", "gold"}}));
  EXPECT_EQ(updated->external_id, "crm-9");
}

TEST_P(OrganizationStore, UpdateRefusesATakenExternalId) {
  Organization first = new_organization();
  first.external_id = "crm-1";
  ASSERT_TRUE(store_->create_organization(first).ok());
  const Organization second = create_organization();
  OrganizationPatch patch;
  patch.external_id = "crm-1";
  patch.update_time = domain::now();
  auto updated = store_->update_organization(second.id, patch);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error(), StoreError::already_exists);
  EXPECT_FALSE(store_->get_organization(second.id)->external_id.has_value());
}

TEST_P(OrganizationStore, UpdateUnknownIsNotFound) {
  OrganizationPatch patch;
  patch.display_name = "x";
  EXPECT_EQ(store_->update_organization(ids_.next(IdKind::organization), patch).error(),
            StoreError::not_found);
}

TEST_P(OrganizationStore, DeleteCascadesToClientsAndSecrets) {
  const Organization doomed = create_organization("Doomed");
  const Organization other = create_organization("Other");
  const ApiClient a = create_client(doomed.id, "a");
  const ApiClient b = create_client(doomed.id, "b");
  ASSERT_TRUE(store_->add_secret(doomed.id, new_secret(a.id, 9), 5).ok());
  const ApiClient survivor = create_client(other.id, "survivor");

  auto deleted = store_->delete_organization(doomed.id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, (std::vector<std::string>{a.id, b.id}));

  EXPECT_EQ(store_->get_organization(doomed.id).error(), StoreError::not_found);
  EXPECT_EQ(store_->get_client(a.id).error(), StoreError::not_found);
  EXPECT_EQ(store_->get_client(b.id).error(), StoreError::not_found);
  EXPECT_TRUE(store_->get_client(survivor.id).ok());
  EXPECT_EQ(count_rows("clients"), 1);
  EXPECT_EQ(count_rows("secrets"), 1);
  EXPECT_EQ(store_->list_organizations({})->total_size, 1);

  EXPECT_EQ(store_->delete_organization(doomed.id).error(), StoreError::not_found);
}

TEST_P(OrganizationStore, DeleteWithoutClientsReturnsNoIds) {
  const Organization organization = create_organization();
  auto deleted = store_->delete_organization(organization.id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->empty());
}

TESSERA_ALL_BACKENDS(OrganizationStore);

}  // namespace
}  // namespace tessera::store::testing
