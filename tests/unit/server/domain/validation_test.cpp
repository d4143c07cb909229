#include "server/domain/validation.hpp"

#include <gtest/gtest.h>

#include "server/domain/utf8.hpp"

namespace tessera::domain {
namespace {

std::string repeat(std::string_view unit, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out += unit;
  }
  return out;
}

// "é" is 2 bytes, "€" 3 and "😀" 4: lengths count code points, not bytes.
constexpr std::string_view kTwoByte = "\xC3\xA9";
constexpr std::string_view kFourByte = "\xF0\x9F\x98\x80";

Organization valid_organization() {
  Organization organization;
  organization.display_name = "Megasoft";
  organization.external_id = "ext-1";
  organization.metadata = {{"plan", "enterprise"}};
  return organization;
}

ApiClient valid_client() {
  ApiClient client;
  client.name = "GitHub Actions Deployment Service";
  client.description = "Service account for GitHub Actions to deploy applications";
  client.scopes = {"deploy:applications", "read:deployments"};
  client.audience = {"deployment-api.acmecorp.com"};
  client.custom_claims = {{"github_repository", "acmecorp/inventory-service"},
                          {"environment", "production_us"}};
  client.expiry_seconds = 3600;
  return client;
}

// The fields named in the violations, in order.
std::vector<std::string> fields(const FieldViolations& violations) {
  std::vector<std::string> out;
  for (const auto& violation : violations) {
    out.push_back(violation.field);
  }
  return out;
}

using Fields = std::vector<std::string>;

// --- UTF-8 -----------------------------------------------------------------------------------

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length(kTwoByte), 1u);
  EXPECT_EQ(utf8_length("\xE2\x82\xAC"), 1u);
  EXPECT_EQ(utf8_length(kFourByte), 1u);
  EXPECT_EQ(utf8_length("\xF4\x8F\xBF\xBF"), 1u);  // U+10FFFF
}

TEST(Utf8, RefusesInvalidSequences) {
  for (const char* text :
       {"\x80", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
        "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x82", "a\xC3(", "\xF0\x9F\x98"}) {
    EXPECT_FALSE(utf8_length(text).has_value()) << testing::PrintToString(text);
  }
}

TEST(Utf8, FindsControlCharacters) {
  EXPECT_TRUE(has_control_characters(std::string_view("a\0b", 3), ControlPolicy::none_allowed));
  EXPECT_TRUE(has_control_characters("a\x7F", ControlPolicy::none_allowed));
  EXPECT_TRUE(has_control_characters("a\xC2\x85", ControlPolicy::none_allowed));  // U+0085
  EXPECT_TRUE(has_control_characters("a\nb", ControlPolicy::none_allowed));
  EXPECT_FALSE(has_control_characters("a\nb\tc\r", ControlPolicy::allow_tab_and_newlines));
  EXPECT_TRUE(has_control_characters("a\x1B", ControlPolicy::allow_tab_and_newlines));
  EXPECT_FALSE(has_control_characters("caf\xC3\xA9 \xC2\xA0", ControlPolicy::none_allowed));
}

// --- Organizations ---------------------------------------------------------------------------

TEST(ValidateOrganization, AcceptsAValidOne) {
  EXPECT_TRUE(validate_organization(valid_organization()).empty());
  Organization minimal;
  minimal.display_name = "A";
  EXPECT_TRUE(validate_organization(minimal).empty());
}

TEST(ValidateOrganization, DisplayNameLength) {
  Organization organization = valid_organization();
  organization.display_name = "";
  EXPECT_EQ(fields(validate_organization(organization)), Fields{"display_name"});
  organization.display_name = std::string(200, 'a');
  EXPECT_TRUE(validate_organization(organization).empty());
  organization.display_name = std::string(201, 'a');
  const auto violations = validate_organization(organization);
  ASSERT_EQ(fields(violations), Fields{"display_name"});
  EXPECT_EQ(violations[0].description, "must be at most 200 characters");
  organization.display_name = repeat(kFourByte, 200);  // 800 bytes, 200 characters
  EXPECT_TRUE(validate_organization(organization).empty());
  organization.display_name = repeat(kFourByte, 201);
  EXPECT_EQ(fields(validate_organization(organization)), Fields{"display_name"});
}

TEST(ValidateOrganization, DisplayNameContent) {
  Organization organization = valid_organization();
  for (const std::string& bad : {std::string("   "), std::string("a\nb"), std::string("\xC3"),
                                 std::string("a\0b", 3), std::string("\x1B[31m")}) {
    organization.display_name = bad;
    EXPECT_EQ(fields(validate_organization(organization)), Fields{"display_name"})
        << testing::PrintToString(bad);
  }
}

TEST(ValidateOrganization, ExternalId) {
  Organization organization = valid_organization();
  organization.external_id.reset();
  EXPECT_TRUE(validate_organization(organization).empty());
  organization.external_id = std::string(255, 'x');
  EXPECT_TRUE(validate_organization(organization).empty());
  organization.external_id = std::string(256, 'x');
  EXPECT_EQ(fields(validate_organization(organization)), Fields{"external_id"});
  organization.external_id = "";
  EXPECT_EQ(fields(validate_organization(organization)), Fields{"external_id"});
  organization.external_id = "a\tb";
  EXPECT_EQ(fields(validate_organization(organization)), Fields{"external_id"});
}

TEST(ValidateOrganization, MetadataCount) {
  Organization organization = valid_organization();
  organization.metadata.clear();
  for (int i = 0; i < 10; ++i) {
    organization.metadata["key" + std::to_string(i)] = "v";
  }
  EXPECT_TRUE(validate_organization(organization).empty());
  organization.metadata["key10"] = "v";
  const auto violations = validate_organization(organization);
  ASSERT_EQ(fields(violations), Fields{"metadata"});
  EXPECT_EQ(violations[0].description, "must have at most 10 entries");
}

TEST(ValidateOrganization, MetadataKeyLength) {
  Organization organization = valid_organization();
  for (const std::size_t length : {3u, 25u}) {
    organization.metadata = {{std::string(length, 'k'), "v"}};
    EXPECT_TRUE(validate_organization(organization).empty()) << length;
  }
  for (const std::size_t length : {0u, 2u, 26u}) {
    organization.metadata = {{std::string(length, 'k'), "v"}};
    const auto violations = validate_organization(organization);
    ASSERT_EQ(fields(violations), Fields{"metadata"}) << length;
    EXPECT_TRUE(violations[0].description.starts_with("keys ")) << violations[0].description;
  }
  organization.metadata = {{repeat(kTwoByte, 3), "v"}};  // 6 bytes, 3 characters
  EXPECT_TRUE(validate_organization(organization).empty());
}

TEST(ValidateOrganization, MetadataValueLength) {
  Organization organization = valid_organization();
  for (const std::size_t length : {1u, 256u}) {
    organization.metadata = {{"key", std::string(length, 'v')}};
    EXPECT_TRUE(validate_organization(organization).empty()) << length;
  }
  for (const std::size_t length : {0u, 257u}) {
    organization.metadata = {{"key", std::string(length, 'v')}};
    const auto violations = validate_organization(organization);
    ASSERT_EQ(fields(violations), Fields{"metadata"}) << length;
    EXPECT_TRUE(violations[0].description.starts_with("values ")) << violations[0].description;
  }
  organization.metadata = {{"key", "line one\nline two"}};
  EXPECT_TRUE(validate_organization(organization).empty());
  organization.metadata = {{"key", "\xFF"}};
  EXPECT_EQ(fields(validate_organization(organization)), Fields{"metadata"});
}

TEST(ValidateOrganizationPatch, ChecksOnlyPresentFields) {
  OrganizationPatch patch;
  EXPECT_TRUE(validate_organization_patch(patch).empty());
  patch.display_name = "";
  patch.external_id = std::string(256, 'x');
  patch.metadata = std::map<std::string, std::string>{{"k", "v"}};
  EXPECT_EQ(fields(validate_organization_patch(patch)),
            (Fields{"display_name", "external_id", "metadata"}));
}

// --- API clients -----------------------------------------------------------------------------

TEST(ValidateClient, AcceptsTheSeedExample) {
  EXPECT_TRUE(validate_client(valid_client()).empty());
}

TEST(ValidateClient, NameLength) {
  ApiClient client = valid_client();
  client.name = "";
  const auto violations = validate_client(client);
  ASSERT_EQ(fields(violations), Fields{"name"});
  EXPECT_EQ(violations[0].description, "must not be empty");
  client.name = "a";
  EXPECT_TRUE(validate_client(client).empty());
  client.name = std::string(128, 'a');
  EXPECT_TRUE(validate_client(client).empty());
  client.name = std::string(129, 'a');
  ASSERT_EQ(fields(validate_client(client)), Fields{"name"});
  EXPECT_EQ(validate_client(client)[0].description, "must be at most 128 characters");
  client.name = repeat(kTwoByte, 128);
  EXPECT_TRUE(validate_client(client).empty());
}

TEST(ValidateClient, NameContent) {
  ApiClient client = valid_client();
  for (const std::string& bad :
       {std::string(" \t "), std::string("tab\tname"), std::string("nul\0name", 8),
        std::string("\xC0\xAF"), std::string("del\x7F")}) {
    client.name = bad;
    EXPECT_EQ(fields(validate_client(client)), Fields{"name"}) << testing::PrintToString(bad);
  }
}

TEST(ValidateClient, DescriptionLength) {
  ApiClient client = valid_client();
  client.description = "";
  EXPECT_TRUE(validate_client(client).empty());
  client.description = std::string(512, 'd');
  EXPECT_TRUE(validate_client(client).empty());
  client.description = std::string(513, 'd');
  EXPECT_EQ(fields(validate_client(client)), Fields{"description"});
  client.description = "multi\nline\ttext";
  EXPECT_TRUE(validate_client(client).empty());
  client.description = "bell\a";
  EXPECT_EQ(fields(validate_client(client)), Fields{"description"});
}

TEST(ValidateClient, ScopeCount) {
  ApiClient client = valid_client();
  client.scopes.clear();
  EXPECT_TRUE(validate_client(client).empty());
  for (int i = 0; i < 50; ++i) {
    client.scopes.push_back("scope" + std::to_string(i));
  }
  EXPECT_TRUE(validate_client(client).empty());
  client.scopes.push_back("scope50");
  EXPECT_EQ(fields(validate_client(client)), Fields{"scopes"});
}

TEST(ValidateClient, ScopeLength) {
  ApiClient client = valid_client();
  client.scopes = {std::string(1, 's'), std::string(128, 's')};
  EXPECT_TRUE(validate_client(client).empty());
  client.scopes = {"ok", std::string(129, 's'), ""};
  EXPECT_EQ(fields(validate_client(client)), (Fields{"scopes[1]", "scopes[2]"}));
}

TEST(ValidateClient, ScopeTokenCharacters) {
  EXPECT_TRUE(is_scope_token("!#[]~{}:/.-_*+"));
  ApiClient client = valid_client();
  for (const std::string bad : {"a b", "a\"b", "a\\b", "caf\xC3\xA9", "tab\t", "\x7F"}) {
    client.scopes = {bad};
    EXPECT_EQ(fields(validate_client(client)), Fields{"scopes[0]"}) << bad;
  }
}

TEST(ValidateClient, ScopeDuplicates) {
  ApiClient client = valid_client();
  client.scopes = {"read", "write", "read"};
  const auto violations = validate_client(client);
  ASSERT_EQ(fields(violations), Fields{"scopes[2]"});
  EXPECT_EQ(violations[0].description, "is a duplicate");
  client.scopes = {"read", "READ"};  // scopes are case-sensitive
  EXPECT_TRUE(validate_client(client).empty());
}

TEST(ValidateClient, ReservedNamespaceInScopes) {
  ApiClient client = valid_client();
  for (const std::string reserved : {"tessera:manage", "TESSERA:manage", "Tessera:", "tEsSeRa:x"}) {
    client.scopes = {reserved};
    EXPECT_EQ(fields(validate_client(client)), Fields{"scopes[0]"}) << reserved;
  }
  client.scopes = {"tessera", "tessera-manage", "my:tessera:scope"};
  EXPECT_TRUE(validate_client(client).empty());
}

TEST(ValidateClient, AudienceCountAndLength) {
  ApiClient client = valid_client();
  client.audience.clear();
  EXPECT_TRUE(validate_client(client).empty());
  for (int i = 0; i < 10; ++i) {
    client.audience.push_back("https://api" + std::to_string(i));
  }
  EXPECT_TRUE(validate_client(client).empty());
  client.audience.push_back("https://api10");
  EXPECT_EQ(fields(validate_client(client)), Fields{"audience"});
  client.audience = {std::string(1, 'a'), std::string(256, 'a')};
  EXPECT_TRUE(validate_client(client).empty());
  client.audience = {"", std::string(257, 'a')};
  EXPECT_EQ(fields(validate_client(client)), (Fields{"audience[0]", "audience[1]"}));
}

TEST(ValidateClient, AudienceContent) {
  ApiClient client = valid_client();
  for (const std::string bad :
       {" api", "api ", "a\nb", "\xE2\x82", "TESSERA:management", "tessera:api"}) {
    client.audience = {bad};
    EXPECT_EQ(fields(validate_client(client)), Fields{"audience[0]"}) << bad;
  }
}

TEST(ValidateClient, CustomClaimCount) {
  ApiClient client = valid_client();
  client.custom_claims.clear();
  for (int i = 0; i < 20; ++i)
    client.custom_claims.push_back({"k" + std::to_string(i), "v"});
  EXPECT_TRUE(validate_client(client).empty());
  client.custom_claims.push_back({"k20", "v"});
  EXPECT_EQ(fields(validate_client(client)), Fields{"custom_claims"});
}

TEST(ValidateClient, CustomClaimKeys) {
  ApiClient client = valid_client();
  client.custom_claims = {{std::string(1, 'k'), "v"}, {std::string(64, 'k'), "v"}};
  EXPECT_TRUE(validate_client(client).empty());
  client.custom_claims = {{"", "v"}, {std::string(65, 'k'), "v"}, {"a\nb", "v"}};
  EXPECT_EQ(fields(validate_client(client)),
            (Fields{"custom_claims[0].key", "custom_claims[1].key", "custom_claims[2].key"}));
  client.custom_claims = {{"env", "a"}, {"env", "b"}};
  const auto violations = validate_client(client);
  ASSERT_EQ(fields(violations), Fields{"custom_claims[1].key"});
  EXPECT_EQ(violations[0].description, "is a duplicate");
}

TEST(ValidateClient, CustomClaimValues) {
  ApiClient client = valid_client();
  client.custom_claims = {{"a", ""}, {"b", std::string(256, 'v')}};
  EXPECT_TRUE(validate_client(client).empty());
  client.custom_claims = {{"a", std::string(257, 'v')}, {"b", "\xFF"}};
  EXPECT_EQ(fields(validate_client(client)),
            (Fields{"custom_claims[0].value", "custom_claims[1].value"}));
}

TEST(ValidateClient, Expiry) {
  ApiClient client = valid_client();
  for (const std::int64_t good : {300, 3600, 86400}) {
    client.expiry_seconds = good;
    EXPECT_TRUE(validate_client(client).empty()) << good;
  }
  for (const std::int64_t bad : {-1, 0, 299, 86401}) {
    client.expiry_seconds = bad;
    EXPECT_EQ(fields(validate_client(client)), Fields{"expiry"}) << bad;
  }
  client.expiry_seconds = 100000;
  EXPECT_TRUE(validate_client(client, ClientPolicy{.max_expiry_seconds = 100000}).empty());
  EXPECT_EQ(validate_client(client)[0].description, "must be at most 86400 seconds");
}

TEST(EffectiveExpiry, DefaultsAbsentOrZeroTo3600) {
  EXPECT_EQ(effective_expiry(std::nullopt, {}), 3600);
  EXPECT_EQ(effective_expiry(0, {}), 3600);
  EXPECT_EQ(effective_expiry(7200, {}), 7200);
  EXPECT_EQ(effective_expiry(299, {}), 299);  // kept for validation to refuse
  EXPECT_EQ(effective_expiry(0, ClientPolicy{.max_expiry_seconds = 1800}), 1800);
}

TEST(ValidateClient, ReportsEveryViolation) {
  ApiClient client;
  client.name = "";
  client.scopes = {"a b"};
  client.audience = {""};
  client.custom_claims = {{"", ""}};
  client.expiry_seconds = 1;
  EXPECT_EQ(fields(validate_client(client)),
            (Fields{"name", "scopes[0]", "audience[0]", "custom_claims[0].key", "expiry"}));
}

TEST(ValidateClientPatch, ChecksOnlyPresentFields) {
  ApiClientPatch patch;
  EXPECT_TRUE(validate_client_patch(patch).empty());
  patch.name = std::string(129, 'n');
  patch.description = std::string(513, 'd');
  patch.scopes = std::vector<std::string>{"tessera:admin"};
  patch.audience = std::vector<std::string>{"tessera:x"};
  patch.custom_claims = std::vector<CustomClaim>{{"", ""}};
  patch.expiry_seconds = 299;
  EXPECT_EQ(fields(validate_client_patch(patch)),
            (Fields{"name", "description", "scopes[0]", "audience[0]", "custom_claims[0].key",
                    "expiry"}));
}

TEST(ValidatePageSize, RefusesNegative) {
  EXPECT_TRUE(validate_page_size(0).empty());
  EXPECT_TRUE(validate_page_size(100).empty());
  EXPECT_TRUE(validate_page_size(1000).empty());  // coerced to the maximum by the store
  EXPECT_EQ(fields(validate_page_size(-1)), Fields{"page_size"});
}

TEST(SecretStatus, NamesRoundTrip) {
  EXPECT_EQ(to_string(SecretStatus::active), "ACTIVE");
  EXPECT_EQ(to_string(SecretStatus::inactive), "INACTIVE");
  EXPECT_EQ(parse_secret_status("ACTIVE"), SecretStatus::active);
  EXPECT_EQ(parse_secret_status("INACTIVE"), SecretStatus::inactive);
  EXPECT_FALSE(parse_secret_status("active").has_value());
}

}  // namespace
}  // namespace tessera::domain
