// Shared helpers of the integration tests: a fixture that owns one server and talks to its
// management API and token endpoint, JWT decoding, and the contract's value formats.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/http_client.hpp"
#include "integration/server_process.hpp"
#include "tessera/verify/jwks_cache.hpp"
#include "tessera/verify/verifier.hpp"

namespace tessera::it {

using Json = nlohmann::json;

// The seed document's curl request body, byte for byte.
inline constexpr std::string_view kSeedClientBody =
    R"({"name": "GitHub Actions Deployment Service","description": "Service account for GitHub Actions to deploy applications to production","scopes": ["deploy:applications","read:deployments"],"expiry": 3600})";

// --- Formats ---------------------------------------------------------------------------------

// `<prefix>_<decimal>` without a leading zero, at most 32 characters (api-contract.md §1).
bool is_id(const Json& value, std::string_view prefix);
// RFC 3339 UTC with optional fractional seconds, e.g. 2025-04-16T06:56:05.367190455Z.
bool is_rfc3339_utc(const Json& value);
// application/x-www-form-urlencoded of one name or value.
std::string form_encode(std::string_view text);
std::string base64(std::string_view bytes);  // RFC 4648 §4 with padding
std::string basic_auth(std::string_view client_id, std::string_view secret);  // "Basic …"

struct Jwt {
  Json header;
  Json claims;
};
// Decodes (without verifying) a compact JWS; throws std::runtime_error when it is not one.
Jwt decode_jwt(std::string_view token);

// A verifier for tokens of `issuer`, fetching `{issuer}/keys` over plain HTTP.
verify::Verifier make_verifier(const std::string& issuer,
                               std::shared_ptr<verify::JwksCache>* cache = nullptr);

// Runs `sql` on a SQLite file through a connection opened read-only; each row is its columns
// joined with '|' (NULL as empty). Throws std::runtime_error with SQLite's message on any error.
std::vector<std::string> sqlite_readonly_query(const std::filesystem::path& db,
                                               const std::string& sql);
// Runs `sql` read-write on a database no server has open (the server must be stopped): for tests
// that need a row the API cannot produce, such as a secret that has expired.
void sqlite_write(const std::filesystem::path& db, const std::string& sql);

// True when `needle` occurs in the file's bytes.
bool file_contains(const std::filesystem::path& file, std::string_view needle);

// Throws with the response when its status is not `expected` (ends the test as a failure).
const Response& require_status(const Response& response, int expected, std::string_view what);

// --- Talking to one server --------------------------------------------------------------------

struct CreatedClient {
  Json client;
  std::string plain_secret;
  std::string id() const { return client.at("client_id").get<std::string>(); }
};

class Api {
 public:
  explicit Api(ServerProcess& server) : server_(server) {}

  // The credentials of the environment client (printed on first start unless set explicitly).
  void set_admin(std::string client_id, std::string secret);
  const std::string& admin_id() const { return admin_id_; }
  const std::string& admin_secret() const { return admin_secret_; }
  // A management token (fetched once, then reused).
  const std::string& admin_token();

  // Management calls with the admin token; `body` is sent as application/json when given.
  Response call(std::string_view method, std::string_view target,
                const std::optional<Json>& body = std::nullopt);
  Response call_as(std::string_view bearer, std::string_view method, std::string_view target,
                   const std::optional<Json>& body = std::nullopt);
  Response raw(std::string_view method, std::string_view target, const Headers& headers,
               std::string_view body = {});

  Json create_organization(std::string_view display_name = "Acme Corp");
  CreatedClient create_client(std::string_view org_id, const Json& body);
  CreatedClient create_client_raw(std::string_view org_id, std::string_view json_body);
  Json add_secret(std::string_view org_id, std::string_view client_id);  // {plain_secret, secret}

  // The token endpoint.
  Response token_post(std::string_view client_id, std::string_view secret,
                      std::optional<std::string_view> scope = std::nullopt);
  Response token_basic(std::string_view client_id, std::string_view secret,
                       std::optional<std::string_view> scope = std::nullopt);
  Response token_form(std::string_view form, const Headers& extra = {});
  // access_token of a 200 (client_secret_post); throws otherwise.
  std::string access_token(std::string_view client_id, std::string_view secret,
                           std::optional<std::string_view> scope = std::nullopt);

  std::uint16_t port() const { return server_.port(); }
  const std::string& url() const { return server_.url(); }

 private:
  ServerProcess& server_;
  std::string admin_id_;
  std::string admin_secret_;
  std::string admin_token_;
};

// A test with its own freshly started server (fresh data directory).
class ServerTest : public ::testing::Test {
 protected:
  // Override to start the server with other flags or environment.
  virtual ServerOptions server_options() { return {}; }

  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Api> api;
};

}  // namespace tessera::it
