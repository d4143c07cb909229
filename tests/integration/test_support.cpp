#include "integration/test_support.hpp"

#include <fstream>
#include <iterator>
#include <regex>

#include <sqlite3.h>

#include "tessera/jose/base64url.hpp"

namespace tessera::it {

bool is_id(const Json& value, std::string_view prefix) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() > 32 || !text.starts_with(prefix) || text.size() <= prefix.size() + 1) {
    return false;
  }
  if (text[prefix.size()] != '_') return false;
  const std::string_view digits = std::string_view(text).substr(prefix.size() + 1);
  if (digits.front() == '0') return false;
  return digits.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_rfc3339_utc(const Json& value) {
  static const std::regex kPattern(
      R"(^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z$)");
  return value.is_string() && std::regex_match(value.get<std::string>(), kPattern);
}

std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '*') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out = jose::base64url_encode(bytes);
  for (char& c : out) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (out.size() % 4 != 0)
    out.push_back('=');
  return out;
}

std::string basic_auth(std::string_view client_id, std::string_view secret) {
  return "Basic " + base64(form_encode(client_id) + ":" + form_encode(secret));
}

Jwt decode_jwt(std::string_view token) {
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 == std::string_view::npos ? 0 : dot1 + 1);
  if (dot1 == std::string_view::npos || dot2 == std::string_view::npos ||
      token.find('.', dot2 + 1) != std::string_view::npos) {
    throw std::runtime_error("not a compact JWS: " + std::string(token));
  }
  const auto header = jose::base64url_decode(token.substr(0, dot1));
  const auto payload = jose::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header || !payload || !jose::base64url_decode(token.substr(dot2 + 1))) {
    throw std::runtime_error("not base64url: " + std::string(token));
  }
  return {Json::parse(*header), Json::parse(*payload)};
}

verify::Verifier make_verifier(const std::string& issuer,
                               std::shared_ptr<verify::JwksCache>* cache_out) {
  auto cache = verify::JwksCache::create({.uri = issuer + "/keys",
                                          .allow_http = true,
                                          .refresh_cooldown = std::chrono::milliseconds(0)});
  if (!cache)
    throw std::runtime_error("JwksCache: " + std::string(verify::to_string(cache.error())));
  if (cache_out != nullptr) *cache_out = *cache;
  auto verifier = verify::Verifier::create({.issuer = issuer, .key_source = *cache});
  if (!verifier) {
    throw std::runtime_error("Verifier: " + std::string(verify::to_string(verifier.error())));
  }
  return std::move(*verifier);
}

std::vector<std::string> sqlite_readonly_query(const std::filesystem::path& db,
                                               const std::string& sql) {
  sqlite3* connection = nullptr;
  if (sqlite3_open_v2(db.c_str(), &connection, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string error = connection ? sqlite3_errmsg(connection) : "out of memory";
    sqlite3_close(connection);
    throw std::runtime_error("open " + db.string() + " read-only: " + error);
  }
  sqlite3_busy_timeout(connection, 5000);
  std::vector<std::string> rows;
  char* error = nullptr;
  const int rc = sqlite3_exec(
      connection, sql.c_str(),
      [](void* out, int columns, char** values, char**) {
        std::string row;
        for (int i = 0; i < columns; ++i) {
          if (i > 0) row += '|';
          if (values[i] != nullptr) row += values[i];
        }
        static_cast<std::vector<std::string>*>(out)->push_back(std::move(row));
        return 0;
      },
      &rows, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(connection);
  if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + message);
  return rows;
}

void sqlite_write(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* connection = nullptr;
  if (sqlite3_open_v2(db.c_str(), &connection, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string error = connection ? sqlite3_errmsg(connection) : "out of memory";
    sqlite3_close(connection);
    throw std::runtime_error("open " + db.string() + ": " + error);
  }
  char* error = nullptr;
  const int rc = sqlite3_exec(connection, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(connection);
  if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + message);
}

bool file_contains(const std::filesystem::path& file, std::string_view needle) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(needle) != std::string::npos;
}

const Response& require_status(const Response& response, int expected, std::string_view what) {
  if (response.status != expected) {
    throw std::runtime_error(std::string(what) + ": expected HTTP " + std::to_string(expected) +
                             ", got " + response.describe());
  }
  return response;
}

// --- Api -------------------------------------------------------------------------------------

void Api::set_admin(std::string client_id, std::string secret) {
  admin_id_ = std::move(client_id);
  admin_secret_ = std::move(secret);
  admin_token_.clear();
}

const std::string& Api::admin_token() {
  if (admin_token_.empty()) admin_token_ = access_token(admin_id_, admin_secret_);
  return admin_token_;
}

Response Api::call(std::string_view method, std::string_view target,
                   const std::optional<Json>& body) {
  return call_as(admin_token(), method, target, body);
}

Response Api::call_as(std::string_view bearer, std::string_view method, std::string_view target,
                      const std::optional<Json>& body) {
  Headers headers{{"Authorization", "Bearer " + std::string(bearer)}};
  if (body) headers.emplace_back("Content-Type", "application/json");
  return request(port(), method, target, headers, body ? body->dump() : std::string());
}

Response Api::raw(std::string_view method, std::string_view target, const Headers& headers,
                  std::string_view body) {
  return request(port(), method, target, headers, body);
}

Json Api::create_organization(std::string_view display_name) {
  const auto response = call("POST", "/api/v1/organizations", Json{{"display_name", display_name}});
  require_status(response, 201, "create organization");
  return response.json().at("organization");
}

CreatedClient Api::create_client(std::string_view org_id, const Json& body) {
  return create_client_raw(org_id, body.dump());
}

CreatedClient Api::create_client_raw(std::string_view org_id, std::string_view json_body) {
  const auto response =
      raw("POST", "/api/v1/organizations/" + std::string(org_id) + "/clients",
          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin_token()}},
          json_body);
  require_status(response, 201, "create client");
  const Json body = response.json();
  return {body.at("client"), body.at("plain_secret").get<std::string>()};
}

Json Api::add_secret(std::string_view org_id, std::string_view client_id) {
  const auto response = call("POST", "/api/v1/organizations/" + std::string(org_id) + "/clients/" +
                                         std::string(client_id) + "/secrets");
  require_status(response, 201, "add secret");
  return response.json();
}

Response Api::token_form(std::string_view form, const Headers& extra) {
  Headers headers{{"Content-Type", "application/x-www-form-urlencoded"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return request(port(), "POST", "/oauth/token", headers, form);
}

Response Api::token_post(std::string_view client_id, std::string_view secret,
                         std::optional<std::string_view> scope) {
  std::string form = "grant_type=client_credentials&client_id=" + form_encode(client_id) +
                     "&client_secret=" + form_encode(secret);
  if (scope) form += "&scope=" + form_encode(*scope);
  return token_form(form);
}

Response Api::token_basic(std::string_view client_id, std::string_view secret,
                          std::optional<std::string_view> scope) {
  std::string form = "grant_type=client_credentials";
  if (scope) form += "&scope=" + form_encode(*scope);
  return token_form(form, {{"Authorization", basic_auth(client_id, secret)}});
}

std::string Api::access_token(std::string_view client_id, std::string_view secret,
                              std::optional<std::string_view> scope) {
  const auto response = token_post(client_id, secret, scope);
  require_status(response, 200, "token request");
  return response.json().at("access_token").get<std::string>();
}

// --- ServerTest ------------------------------------------------------------------------------

void ServerTest::SetUp() {
  const ServerOptions options = server_options();
  server = std::make_unique<ServerProcess>(options);
  server->start();
  api = std::make_unique<Api>(*server);
  const auto id = options.env.find("TESSERA_ADMIN_CLIENT_ID");
  const auto secret = options.env.find("TESSERA_ADMIN_CLIENT_SECRET");
  if (id != options.env.end() && secret != options.env.end()) {
    api->set_admin(id->second, secret->second);
  } else {
    api->set_admin(server->printed_client_id(), server->printed_client_secret());
  }
}

void ServerTest::TearDown() {
  if (HasFailure() && server) {
    // The server's side of the story, for the failure report.
    const std::string logs = server->all_stderr();
    std::cerr << "---- tessera stderr (last 4000 bytes) ----\n"
              << (logs.size() > 4000 ? logs.substr(logs.size() - 4000) : logs) << "\n";
  }
  api.reset();
  server.reset();
}

}  // namespace tessera::it
