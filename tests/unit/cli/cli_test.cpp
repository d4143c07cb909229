// The `tessera` management subcommands, run as the built binary against a real server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "support/temp_dir.hpp"
#include "unit/cli/run_command.hpp"
#include "unit/client/live_server.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr int kInvalid = 1;
constexpr int kUsage = 2;
constexpr int kServer = 3;
constexpr int kUnavailable = 4;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs the binary with a private profile file, so that no real profile is ever read or written.
class CliBase : public ::testing::Test {
 protected:
  CommandResult tessera(const std::vector<std::string>& args, const std::string& input = {}) {
    return run_command(TESSERA_BINARY, args, env_, input);
  }

  // `args` with --json; the command must succeed and print one JSON document.
  json tessera_json(std::vector<std::string> args) {
    args.push_back("--json");
    const auto result = tessera(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out);
  }

  TempDir home_;
  std::filesystem::path profile_ = home_.path() / "profile.toml";
  std::map<std::string, std::string> env_{{"TESSERA_PROFILE_FILE", profile_.string()}};
};

class Cli : public CliBase {
 protected:
  Cli() {
    env_["TESSERA_URL"] = server_.url();
    env_["TESSERA_CLIENT_ID"] = server_.client_id();
    env_["TESSERA_CLIENT_SECRET"] = server_.client_secret();
  }

  std::string create_org(const std::string& name) {
    return tessera_json({"orgs", "create", "--name", name})["organization"]["id"];
  }

  LiveServer server_;
};

// --- Without a server --------------------------------------------------------------------------

TEST_F(CliBase, HelpEverywhere) {
  const auto top = tessera({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command :
       {"serve", "orgs", "clients", "secrets", "token", "verify", "keys", "audit", "login"}) {
    EXPECT_TRUE(contains(top.out, command)) << command;
  }
  EXPECT_TRUE(contains(top.out, "Exit codes"));
  const auto create = tessera({"clients", "create", "--help"});
  EXPECT_EQ(create.exit_code, 0);
  for (const char* flag : {"--org", "--scope", "--audience", "--claim", "--expiry", "--json",
                           "--url", "--client-id"}) {
    EXPECT_TRUE(contains(create.out, flag)) << flag;
  }
  for (auto group : {"orgs", "clients", "secrets", "keys", "audit"}) {
    EXPECT_EQ(tessera({group, "--help"}).exit_code, 0) << group;
  }
  EXPECT_EQ(tessera({"verify", "--help"}).exit_code, 0);
}

TEST_F(CliBase, UsageErrorsExit2) {
  EXPECT_EQ(tessera({"orgs"}).exit_code, kUsage);
  EXPECT_EQ(tessera({"orgs", "frobnicate"}).exit_code, kUsage);
  EXPECT_EQ(tessera({"clients", "create", "--name", "x"}).exit_code, kUsage);  // no --org
  EXPECT_EQ(tessera({"orgs", "get"}).exit_code, kUsage);                       // no id
  EXPECT_EQ(tessera({"clients", "list", "--org", "org_1", "--page-size", "0"}).exit_code, kUsage);

  const auto no_url = tessera({"orgs", "list"});
  EXPECT_EQ(no_url.exit_code, kUsage);
  EXPECT_TRUE(contains(no_url.err, "no server URL")) << no_url.err;
  const auto no_secret = tessera({"orgs", "list", "--url", "http://127.0.0.1:9"});
  EXPECT_EQ(no_secret.exit_code, kUsage);
  EXPECT_TRUE(contains(no_secret.err, "no credentials")) << no_secret.err;
  const auto insecure = tessera({"orgs", "list", "--url", "http://auth.example.com", "--client-id",
                                 "skc_1", "--client-secret", "s"});
  EXPECT_EQ(insecure.exit_code, kUsage);
  EXPECT_TRUE(contains(insecure.err, "https")) << insecure.err;
}

TEST_F(CliBase, UnreachableServerExits4) {
  env_["TESSERA_CLIENT_ID"] = "skc_1";
  env_["TESSERA_CLIENT_SECRET"] = "secret";
  const auto result = tessera({"keys", "list", "--url", "http://127.0.0.1:9"});
  EXPECT_EQ(result.exit_code, kUnavailable);
  EXPECT_TRUE(contains(result.err, "UNAVAILABLE")) << result.err;
  // Well-formed (RS256 header with a kid, 256-byte signature), so that only the keys are missing.
  const std::string well_formed =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0."
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ";
  const auto verify = tessera({"verify", well_formed, "--issuer", "http://127.0.0.1:9"});
  EXPECT_EQ(verify.exit_code, kUnavailable) << verify.out << verify.err;
  EXPECT_TRUE(contains(verify.err, "JWKS")) << verify.err;
}

// --- Against a server --------------------------------------------------------------------------

TEST_F(Cli, Organizations) {
  const auto created = tessera(
      {"orgs", "create", "--name", "Acme", "--external-id", "acme-1", "--metadata", "tier=gold"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(contains(created.out, "display_name  Acme")) << created.out;
  EXPECT_TRUE(contains(created.out, "tier=gold")) << created.out;
  const std::string id = create_org("Globex");
  EXPECT_TRUE(id.starts_with("org_"));

  const auto listed = tessera({"orgs", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(contains(listed.out, "DISPLAY NAME")) << listed.out;
  EXPECT_TRUE(contains(listed.out, id)) << listed.out;
  EXPECT_TRUE(contains(listed.out, "2 of 2 organizations")) << listed.out;
  const json page = tessera_json({"orgs", "list", "--page-size", "1"});
  EXPECT_EQ(page["organizations"].size(), 1u);
  EXPECT_EQ(page["total_size"], 2);
  EXPECT_FALSE(page["next_page_token"].get<std::string>().empty());
  EXPECT_EQ(tessera_json({"orgs", "list", "--page-size", "1", "--all"})["organizations"].size(),
            2u);

  EXPECT_EQ(tessera_json({"orgs", "get", id})["organization"]["display_name"], "Globex");
  const auto updated = tessera_json({"orgs", "update", id, "--name", "Globex Corp"});
  EXPECT_EQ(updated["organization"]["display_name"], "Globex Corp");
  EXPECT_EQ(tessera({"orgs", "update", id}).exit_code, kUsage);  // nothing to change

  const auto deleted = tessera({"orgs", "delete", id});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_TRUE(contains(deleted.out, "Deleted organization " + id));
  const auto gone = tessera({"orgs", "get", id});
  EXPECT_EQ(gone.exit_code, kServer);
  EXPECT_TRUE(contains(gone.err, "NOT_FOUND (HTTP 404)")) << gone.err;
  EXPECT_TRUE(gone.out.empty());
}

TEST_F(Cli, ClientsAndSecrets) {
  const std::string org = create_org("Acme");
  env_["TESSERA_ORGANIZATION_ID"] = org;
  const auto created = tessera({"clients", "create", "--name", "GitHub Actions Deployment Service",
                                "--scope", "deploy:applications", "--scope", "read:deployments",
                                "--audience", "https://deploy.example.com", "--claim",
                                "team=platform", "--expiry", "3600", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(contains(created.err, "only time")) << created.err;  // the secret's warning
  const json response = json::parse(created.out);
  const std::string id = response["client"]["client_id"];
  const std::string secret = response["plain_secret"];
  EXPECT_TRUE(id.starts_with("m2morg_"));
  EXPECT_EQ(response["client"]["scopes"], json::array({"deploy:applications", "read:deployments"}));
  EXPECT_EQ(response["client"]["custom_claims"][0]["key"], "team");
  EXPECT_EQ(response["client"]["expiry"], 3600);
  const std::string first_secret = response["client"]["secrets"][0]["id"];

  const auto table = tessera({"clients", "create", "--name", "Backup", "--scope", "backup"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(contains(table.out, "plain_secret")) << table.out;

  const auto listed = tessera({"clients", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(contains(listed.out, id)) << listed.out;
  EXPECT_TRUE(contains(listed.out, "2 of 2 clients")) << listed.out;
  const auto shown = tessera({"clients", "get", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_TRUE(contains(shown.out, "deploy:applications read:deployments")) << shown.out;
  EXPECT_FALSE(contains(shown.out, secret));

  const json updated = tessera_json(
      {"clients", "update", id, "--scope", "read:deployments", "--description", "read only"});
  EXPECT_EQ(updated["client"]["scopes"], json::array({"read:deployments"}));
  EXPECT_EQ(updated["client"]["description"], "read only");

  const json added = tessera_json({"secrets", "add", id});
  const std::string second = added["plain_secret"];
  EXPECT_TRUE(added["secret"]["id"].get<std::string>().starts_with("sks_"));
  EXPECT_EQ(tessera({"secrets", "remove", id, first_secret}).exit_code, 0);

  const auto old_token = tessera({"token", "--client-id", id, "--client-secret", secret});
  EXPECT_EQ(old_token.exit_code, kServer);
  EXPECT_TRUE(contains(old_token.err, "invalid_client")) << old_token.err;
  const auto new_token = tessera({"token", "--client-id", id, "--client-secret", second, "--raw"});
  ASSERT_EQ(new_token.exit_code, 0) << new_token.err;
  EXPECT_EQ(std::count(new_token.out.begin(), new_token.out.end(), '.'), 2);

  // The last secret stays.
  const auto last = tessera({"secrets", "remove", id, added["secret"]["id"]});
  EXPECT_EQ(last.exit_code, kServer);
  EXPECT_TRUE(contains(last.err, "FAILED_PRECONDITION")) << last.err;

  EXPECT_EQ(tessera({"clients", "delete", id}).exit_code, 0);
  EXPECT_EQ(tessera({"clients", "get", id}).exit_code, kServer);
}

TEST_F(Cli, ValidationErrorsNameTheField) {
  const std::string org = create_org("Acme");
  const auto result = tessera({"clients", "create", "--org", org, "--name", "x", "--expiry", "10"});
  EXPECT_EQ(result.exit_code, kServer);
  EXPECT_TRUE(contains(result.err, "INVALID_ARGUMENT (HTTP 400)")) << result.err;
  EXPECT_TRUE(contains(result.err, "expiry")) << result.err;
  const auto claim =
      tessera({"clients", "create", "--org", org, "--name", "x", "--claim", "novalue"});
  EXPECT_EQ(claim.exit_code, kUsage);

  env_["TESSERA_CLIENT_SECRET"] = "wrong";
  const auto denied = tessera({"orgs", "list"});
  EXPECT_EQ(denied.exit_code, kServer);
  EXPECT_TRUE(contains(denied.err, "UNAUTHENTICATED")) << denied.err;
  EXPECT_TRUE(contains(denied.err, "tessera login")) << denied.err;
}

TEST_F(Cli, TokenAndVerify) {
  const std::string org = create_org("Acme");
  const json created =
      tessera_json({"clients", "create", "--org", org, "--name", "Deployer", "--scope",
                    "deploy:applications", "--scope", "read:deployments"});
  const std::string id = created["client"]["client_id"];
  const std::string secret = created["plain_secret"];

  const json token = tessera_json(
      {"token", "--client-id", id, "--client-secret", secret, "--scope", "read:deployments"});
  EXPECT_EQ(token["token_type"], "Bearer");
  EXPECT_EQ(token["scope"], "read:deployments");
  const std::string narrow = token["access_token"];
  const auto full = tessera({"token", "--client-id", id, "--client-secret", secret, "--raw"});
  ASSERT_EQ(full.exit_code, 0);
  const std::string jwt = full.out.substr(0, full.out.find('\n'));

  const auto valid = tessera({"verify", jwt, "--scope", "deploy:applications"});
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
  EXPECT_TRUE(valid.out.starts_with("valid\n")) << valid.out;
  EXPECT_TRUE(contains(valid.out, id)) << valid.out;

  const auto missing = tessera({"verify", narrow, "--scope", "deploy:applications"});
  EXPECT_EQ(missing.exit_code, kInvalid);
  EXPECT_TRUE(contains(missing.out, "insufficient scope: missing deploy:applications"))
      << missing.out;

  const auto from_stdin = tessera({"verify", "--json"}, narrow + "\n");
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  const json claims = json::parse(from_stdin.out);
  EXPECT_EQ(claims["valid"], true);
  EXPECT_EQ(claims["claims"]["oid"], org);

  std::string tampered = jwt;
  tampered[tampered.rfind('.') + 5] = tampered[tampered.rfind('.') + 5] == 'A' ? 'B' : 'A';
  const auto bad = tessera({"verify", tampered});
  EXPECT_EQ(bad.exit_code, kInvalid);
  EXPECT_TRUE(bad.out.starts_with("invalid: ")) << bad.out;

  const auto wrong_issuer = tessera({"verify", jwt, "--issuer", server_.url() + "/other",
                                     "--jwks-uri", server_.url() + "/keys", "--json"});
  EXPECT_EQ(wrong_issuer.exit_code, kInvalid);
  EXPECT_EQ(json::parse(wrong_issuer.out)["valid"], false);

  const auto management = tessera({"token", "--raw"});  // the environment credentials
  EXPECT_EQ(management.exit_code, 0) << management.err;
}

TEST_F(Cli, KeysAndAudit) {
  const auto keys = tessera({"keys", "list"});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  EXPECT_TRUE(contains(keys.out, "ACTIVE")) << keys.out;
  EXPECT_TRUE(contains(keys.out, "RS256")) << keys.out;

  const json rotated =
      tessera_json({"keys", "rotate", "--algorithm", "ES256", "--activate-after", "600"});
  EXPECT_EQ(rotated["key"]["state"], "PENDING");
  EXPECT_EQ(rotated["key"]["algorithm"], "ES256");
  EXPECT_EQ(tessera_json({"keys", "list"})["keys"].size(), 2u);
  const auto bad = tessera({"keys", "rotate", "--algorithm", "HS256"});
  EXPECT_EQ(bad.exit_code, kServer);

  const auto audit = tessera({"audit", "list", "--action", "key.rotate"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_TRUE(contains(audit.out, "key.rotate")) << audit.out;
  EXPECT_TRUE(contains(audit.out, "SUCCESS")) << audit.out;
  const json events = tessera_json({"audit", "list", "--target", rotated["key"]["id"]});
  ASSERT_EQ(events["audit_events"].size(), 1u);
  EXPECT_EQ(events["audit_events"][0]["actor"], server_.client_id());
}

TEST_F(Cli, LoginSavesAPrivateProfile) {
  const std::map<std::string, std::string> saved_env = env_;
  env_ = {{"TESSERA_PROFILE_FILE", profile_.string()}};
  const auto wrong = tessera({"login", "--url", server_.url(), "--client-id", server_.client_id()},
                             "wrong-secret\n");
  EXPECT_EQ(wrong.exit_code, kServer);
  EXPECT_FALSE(std::filesystem::exists(profile_));

  const auto login = tessera({"login", "--url", server_.url(), "--client-id", server_.client_id()},
                             server_.client_secret() + "\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  struct stat info {};
  ASSERT_EQ(::stat(profile_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::ifstream in(profile_);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(text, server_.client_id()));

  // Later commands need nothing else; flags still win over the profile.
  EXPECT_EQ(tessera({"keys", "list"}).exit_code, 0);
  EXPECT_EQ(tessera({"keys", "list", "--client-secret", "wrong"}).exit_code, kServer);
  // A second profile leaves the first alone.
  env_["TESSERA_CLIENT_SECRET"] = server_.client_secret();
  EXPECT_EQ(tessera({"login", "--profile", "staging", "--url", server_.url(), "--client-id",
                     server_.client_id()})
                .exit_code,
            0);
  env_.erase("TESSERA_CLIENT_SECRET");
  EXPECT_EQ(tessera({"keys", "list", "--profile", "staging"}).exit_code, 0);
  EXPECT_EQ(tessera({"keys", "list"}).exit_code, 0);
  EXPECT_EQ(tessera({"keys", "list", "--profile", "nope"}).exit_code, kUsage);
  // The issuer of `verify` comes from the profile too.
  const auto token = tessera({"token", "--raw"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  EXPECT_EQ(tessera({"verify"}, token.out).exit_code, 0);
  env_ = saved_env;
}

}  // namespace
}  // namespace tessera::testing
