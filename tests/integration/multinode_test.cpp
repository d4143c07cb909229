// Several tessera nodes on one PostgreSQL database, as behind a load balancer: the seed's story
// driven across nodes, revocation reaching every node within a second, key rotation under token
// traffic, and a database outage in the middle of traffic.
//
// Needs the ctest fixture "postgres" (tests/support/pg_test_cluster.sh); the outage test stops and
// starts that cluster, so these tests run alone (RUN_SERIAL).
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tessera/jose/base64url.hpp"
#include "tessera/verify/key_source.hpp"
#include "tessera/verify/verifier.hpp"
#include "unit/server/store/postgres_test_db.hpp"

namespace tessera::multinode {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kIssuer = "http://tessera.multinode.test";
constexpr const char* kMasterKey =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kAdminId = "skc_4242424242";
constexpr const char* kAdminSecret = "multinode-admin-secret-0123456789abcdef";

// --- HTTP (libcurl, one keep-alive handle per thread) -----------------------------------------

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  json parsed() const { return json::parse(body, nullptr, false); }
};

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t count, void* out) {
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

// curl_global_init is not thread-safe: run it before any test thread starts.
const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;

Response http(const std::string& method, const std::string& url, const std::string& body = "",
              const std::vector<std::string>& headers = {}) {
  // One handle per thread keeps connections alive; freed when the thread ends (LeakSanitizer).
  struct Handle {
    CURL* curl = curl_easy_init();
    ~Handle() { curl_easy_cleanup(curl); }
  };
  thread_local Handle handle;
  CURL* curl = handle.curl;
  curl_easy_reset(curl);
  Response response;
  if (!curl_ready) return response;
  curl_slist* list = nullptr;
  for (const auto& header : headers)
    list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty() || method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  }
  curl_slist_free_all(list);
  return response;
}

// --- One `tessera serve` process ----------------------------------------------------------------

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class Node {
 public:
  Node(std::string name, const std::string& db_url, const std::filesystem::path& root)
      : name_(std::move(name)), port_(free_port()), dir_(root / name_) {
    std::filesystem::create_directories(dir_);
    pid_ = ::fork();
    if (pid_ == 0) exec_server(db_url);
  }
  ~Node() { stop(); }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // Waits until the node answers /keys; false (with its log in the failure) when it does not.
  bool wait_ready(std::chrono::seconds timeout = 30s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (http("GET", url("/keys")).status == 200) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << name_ << " did not start:\n" << log();
    return false;
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  const std::string& name() const { return name_; }
  std::string log() const {
    std::ifstream in(dir_ / "output.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  [[noreturn]] void exec_server(const std::string& db_url) {
    const std::string log_path = (dir_ / "output.log").string();
    std::FILE* log = std::fopen(log_path.c_str(), "w");
    if (log) {
      ::dup2(::fileno(log), 1);
      ::dup2(::fileno(log), 2);
    }
    ::setenv("TESSERA_MASTER_KEY", kMasterKey, 1);
    ::setenv("TESSERA_ADMIN_CLIENT_ID", kAdminId, 1);
    ::setenv("TESSERA_ADMIN_CLIENT_SECRET", kAdminSecret, 1);
    // These tests count every non-200 token answer as a failure; overload shedding (a 503 when
    // the event loop lags, likely on two shared cores under a sanitizer) is tested elsewhere.
    ::setenv("TESSERA_SHED_LAG_MS", "0", 1);
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    const std::string data_dir = (dir_ / "data").string();
    ::execl(TESSERA_BINARY, TESSERA_BINARY, "serve", "--db", db_url.c_str(), "--listen",
            listen.c_str(), "--issuer", kIssuer, "--data-dir", data_dir.c_str(),
            "--signing-algorithm", "ES256", "--io-threads", "1", "--worker-threads", "2",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }

  std::string name_;
  std::uint16_t port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// The "kid" of a compact JWS's header.
std::string kid_of(const std::string& jwt) {
  const auto header = jose::base64url_decode(jwt.substr(0, jwt.find('.')));
  if (!header) return {};
  return json::parse(*header, nullptr, false).value("kid", "");
}

std::string form_token_request(const std::string& id, const std::string& secret) {
  return "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret;
}

// --- Fixture: a fresh database and three nodes on it ---------------------------------------------

class MultiNode : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok());
    char pattern[] = "/tmp/tessera-multinode-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    // The first node creates the schema and the first key; the others then start together.
    nodes_.push_back(std::make_unique<Node>("a", database_.url(), root_));
    ASSERT_TRUE(nodes_[0]->wait_ready());
    nodes_.push_back(std::make_unique<Node>("b", database_.url(), root_));
    nodes_.push_back(std::make_unique<Node>("c", database_.url(), root_));
    ASSERT_TRUE(nodes_[1]->wait_ready());
    ASSERT_TRUE(nodes_[2]->wait_ready());
    admin_token_ = token(a(), kAdminId, kAdminSecret);
    ASSERT_FALSE(admin_token_.empty());
  }
  void TearDown() override {
    nodes_.clear();
    std::filesystem::remove_all(root_);
  }

  Node& a() { return *nodes_[0]; }
  Node& b() { return *nodes_[1]; }
  Node& c() { return *nodes_[2]; }

  Response token_response(Node& node, const std::string& id, const std::string& secret) {
    return http("POST", node.url("/oauth/token"), form_token_request(id, secret),
                {"Content-Type: application/x-www-form-urlencoded"});
  }
  std::string token(Node& node, const std::string& id, const std::string& secret) {
    const Response response = token_response(node, id, secret);
    if (response.status != 200) return {};
    return response.parsed().value("access_token", "");
  }
  Response manage(Node& node, const std::string& method, const std::string& path,
                  const json& body = nullptr) {
    return http(method, node.url(path), body.is_null() ? "" : body.dump(),
                {"Authorization: Bearer " + admin_token_, "Content-Type: application/json"});
  }

  // An organization and a client in it, created through `node`: {org id, client id, secret}.
  std::array<std::string, 3> create_client(Node& node) {
    const Response organization =
        manage(node, "POST", "/api/v1/organizations", {{"display_name", "Acme"}});
    EXPECT_EQ(organization.status, 201) << organization.body;
    const std::string org = organization.parsed()["organization"].value("id", "");
    const Response client = manage(
        node, "POST", "/api/v1/organizations/" + org + "/clients",
        {{"name", "deployer"}, {"scopes", {"deploy:applications"}}, {"audience", {"deploy-api"}}});
    EXPECT_EQ(client.status, 201) << client.body;
    const json parsed = client.parsed();
    return {org, parsed["client"].value("client_id", ""), parsed.value("plain_secret", "")};
  }

  // Verifies `jwt` against the JWKS that `node` serves right now.
  bool verifies_against(Node& node, const std::string& jwt) {
    const Response jwks = http("GET", node.url("/keys"));
    auto keys = verify::StaticKeySource::from_json(jwks.body);
    if (!keys) return false;
    auto verifier = verify::Verifier::create(
        {.issuer = kIssuer,
         .algorithms = {jose::Algorithm::ES256, jose::Algorithm::RS256, jose::Algorithm::EdDSA},
         .key_source = *keys});
    return verifier && verifier->verify(jwt).ok();
  }

  // How long until `node` refuses the credentials (every 5 ms), or `limit` when it never does;
  // a failure message names the answers it gave meanwhile.
  std::chrono::milliseconds time_until_refused(Node& node, const std::string& id,
                                               const std::string& secret, Clock::time_point since,
                                               std::chrono::milliseconds limit = 3000ms) {
    std::map<long, int> answers;
    while (Clock::now() - since < limit) {
      const long status = token_response(node, id, secret).status;
      if (status == 401) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
      }
      ++answers[status];
      std::this_thread::sleep_for(5ms);
    }
    std::string seen;
    for (const auto& [status, count] : answers) {
      seen += " " + std::to_string(count) + "x" + std::to_string(status);
    }
    ADD_FAILURE() << node.name() << " never refused the deleted client; it answered" << seen << "\n"
                  << node.log();
    return limit;
  }

  store::testing::TestDatabase database_;
  std::filesystem::path root_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::string admin_token_;
};

TEST_F(MultiNode, CreateOnOneNodeTokenFromAnotherVerifyAgainstTheThird) {
  const auto [org, client_id, secret] = create_client(a());
  ASSERT_FALSE(secret.empty());
  const std::string jwt = token(b(), client_id, secret);
  ASSERT_FALSE(jwt.empty());
  EXPECT_TRUE(verifies_against(c(), jwt));
  // Ids minted on different nodes carry different node ids (the low 16 bits).
  const auto [org_c, client_c, secret_c] = create_client(c());
  const auto node_of = [](const std::string& id) {
    return std::stoull(id.substr(id.find('_') + 1)) & 0xFFFF;
  };
  EXPECT_NE(node_of(client_id), node_of(client_c));
}

TEST_F(MultiNode, DeletionOnOneNodeIsRefusedByTheOthersWithinASecond) {
  const auto [org, client_id, secret] = create_client(a());
  // Warm every node's cache: the deletion must evict, not merely miss.
  for (Node* node : {&a(), &b(), &c()})
    ASSERT_FALSE(token(*node, client_id, secret).empty());

  ASSERT_EQ(manage(b(), "DELETE", "/api/v1/organizations/" + org + "/clients/" + client_id).status,
            200);
  const auto deleted_at = Clock::now();
  const auto on_a = time_until_refused(a(), client_id, secret, deleted_at);
  const auto on_c = time_until_refused(c(), client_id, secret, deleted_at);
  std::printf("[ multinode ] client deleted on b: refused on a after %lld ms, on c after %lld ms\n",
              static_cast<long long>(on_a.count()), static_cast<long long>(on_c.count()));
  EXPECT_LT(on_a, 1000ms);
  EXPECT_LT(on_c, 1000ms);

  // An organization deleted on c takes its clients with it on a and b.
  const auto [org2, client2, secret2] = create_client(a());
  for (Node* node : {&a(), &b(), &c()})
    ASSERT_FALSE(token(*node, client2, secret2).empty());
  ASSERT_EQ(manage(c(), "DELETE", "/api/v1/organizations/" + org2).status, 200);
  const auto org_deleted_at = Clock::now();
  const auto org_on_a = time_until_refused(a(), client2, secret2, org_deleted_at);
  const auto org_on_b = time_until_refused(b(), client2, secret2, org_deleted_at);
  std::printf(
      "[ multinode ] organization deleted on c: refused on a after %lld ms, on b after "
      "%lld ms\n",
      static_cast<long long>(org_on_a.count()), static_cast<long long>(org_on_b.count()));
  EXPECT_LT(org_on_a, 1000ms);
  EXPECT_LT(org_on_b, 1000ms);
}

TEST_F(MultiNode, RevocationUnderLoadStillArrivesWithinASecond) {
  const auto [org, client_id, secret] = create_client(a());
  const auto [org2, busy_id, busy_secret] = create_client(a());
  for (Node* node : {&a(), &b(), &c()})
    ASSERT_FALSE(token(*node, client_id, secret).empty());
  // Background token traffic on every node while the revocation travels.
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int t = 0; t < 3; ++t) {
    load.emplace_back([&, t] {
      Node& node = *nodes_[t];
      for (int i = 0; i < 5000 && !stop; ++i)
        token_response(node, busy_id, busy_secret);
    });
  }
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(manage(c(), "DELETE", "/api/v1/organizations/" + org + "/clients/" + client_id).status,
            200);
  const auto deleted_at = Clock::now();
  const auto on_a = time_until_refused(a(), client_id, secret, deleted_at);
  const auto on_b = time_until_refused(b(), client_id, secret, deleted_at);
  stop = true;
  for (auto& thread : load)
    thread.join();
  std::printf("[ multinode ] under load: refused on a after %lld ms, on b after %lld ms\n",
              static_cast<long long>(on_a.count()), static_cast<long long>(on_b.count()));
  EXPECT_LT(on_a, 1000ms);
  EXPECT_LT(on_b, 1000ms);
}

TEST_F(MultiNode, KeyRotationUnderTrafficKeepsEveryTokenVerifying) {
  const auto [org, client_id, secret] = create_client(a());
  const std::size_t keys_before = manage(a(), "GET", "/api/v1/keys").parsed()["keys"].size();
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::pair<int, std::string>> tokens;  // issuing node, token
  std::atomic<int> failures{0};
  std::vector<std::thread> traffic;
  for (int t = 0; t < 3; ++t) {
    traffic.emplace_back([&, t] {
      while (!stop) {
        const std::string jwt = token(*nodes_[t], client_id, secret);
        if (jwt.empty()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        tokens.emplace_back(t, jwt);
      }
    });
  }
  std::this_thread::sleep_for(500ms);
  // Two rotations at once on two nodes: each must add exactly one key.
  std::thread other([&] {
    EXPECT_EQ(manage(c(), "POST", "/api/v1/keys:rotate", {{"activate_after_seconds", 2}}).status,
              201);
  });
  const Response rotated =
      manage(b(), "POST", "/api/v1/keys:rotate", {{"activate_after_seconds", 2}});
  other.join();
  EXPECT_EQ(rotated.status, 201) << rotated.body;
  std::this_thread::sleep_for(3500ms);  // past the activation: the new key signs everywhere
  stop = true;
  for (auto& thread : traffic)
    thread.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(manage(a(), "GET", "/api/v1/keys").parsed()["keys"].size(), keys_before + 2);
  // Every token verifies against another node's JWKS (fetched once per node after the traffic,
  // which still holds every key that signed any of them), and both old and new keys signed.
  std::set<std::string> kids;
  int unverified = 0;
  std::map<int, std::unique_ptr<verify::Verifier>> verifiers;
  for (int n = 0; n < 3; ++n) {
    auto keys = verify::StaticKeySource::from_json(http("GET", nodes_[n]->url("/keys")).body);
    ASSERT_TRUE(keys.ok());
    auto verifier = verify::Verifier::create(
        {.issuer = kIssuer, .algorithms = {jose::Algorithm::ES256}, .key_source = *keys});
    ASSERT_TRUE(verifier.ok());
    verifiers[n] = std::make_unique<verify::Verifier>(std::move(*verifier));
  }
  for (const auto& [issuer_node, jwt] : tokens) {
    if (!verifiers[(issuer_node + 1) % 3]->verify(jwt).ok()) ++unverified;
    kids.insert(kid_of(jwt));
  }
  std::printf(
      "[ multinode ] rotation under traffic: %zu tokens from 3 nodes, %zu signing keys "
      "seen, %d failed to verify\n",
      tokens.size(), kids.size(), unverified);
  EXPECT_EQ(unverified, 0);
  EXPECT_GE(kids.size(), 2u);
  EXPECT_GT(tokens.size(), 100u);
}

// Stops the shared cluster for a moment (pg_ctl stop, then start on the same port), as a database
// restart or failover would.
void bounce_database(std::chrono::milliseconds down_for) {
  const char* dir = std::getenv("TESSERA_TEST_POSTGRES_DIR");
  ASSERT_TRUE(dir) << "run through ctest: the outage test controls the test cluster";
  const std::string script = TESSERA_PG_CLUSTER_SCRIPT;
  ASSERT_EQ(std::system((script + " halt " + dir).c_str()), 0);
  std::this_thread::sleep_for(down_for);
  ASSERT_EQ(std::system((script + " start " + dir).c_str()), 0);
}

TEST_F(MultiNode, ADatabaseRestartMidTrafficIsA503ThenHealsWithNothingLost) {
  const auto [org, client_id, secret] = create_client(a());
  for (Node* node : {&a(), &b(), &c()})
    ASSERT_FALSE(token(*node, client_id, secret).empty());

  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::string> acknowledged;  // organizations whose creation was answered 201
  std::atomic<int> unavailable{0}, without_retry_after{0}, unexpected{0};
  std::atomic<int> token_failures{0}, keys_failures{0};
  std::atomic<long long> last_503_ms{0};
  const auto start = Clock::now();
  std::vector<std::thread> traffic;
  for (int t = 0; t < 3; ++t) {
    traffic.emplace_back([&, t] {
      Node& node = *nodes_[t];
      while (!stop) {
        const Response created =
            manage(node, "POST", "/api/v1/organizations", {{"display_name", "during outage"}});
        if (created.status == 201) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(created.parsed()["organization"].value("id", ""));
        } else if (created.status == 503) {
          ++unavailable;
          if (created.headers.count("retry-after") == 0) ++without_retry_after;
          last_503_ms =
              std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
        } else {
          ++unexpected;
        }
        // A warm client's tokens and the JWKS need no database.
        if (token_response(node, client_id, secret).status != 200) ++token_failures;
        if (http("GET", node.url("/keys")).status != 200) ++keys_failures;
        std::this_thread::sleep_for(10ms);
      }
    });
  }
  std::this_thread::sleep_for(500ms);
  const auto down_at = Clock::now();
  bounce_database(1500ms);
  const auto up_at = Clock::now();
  // Recovery: the first write that succeeds on every node after the database is back.
  std::map<int, long long> recovered_ms;
  for (int n = 0; n < 3; ++n) {
    while (Clock::now() - up_at < 15s) {
      if (manage(*nodes_[n], "POST", "/api/v1/organizations", {{"display_name", "after"}}).status ==
          201) {
        recovered_ms[n] =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - up_at).count();
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  std::this_thread::sleep_for(300ms);
  stop = true;
  for (auto& thread : traffic)
    thread.join();

  std::printf(
      "[ multinode ] database down %lld ms: %d writes got 503, writes recovered after "
      "%lld/%lld/%lld ms on a/b/c, %zu acknowledged writes\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(up_at - down_at).count()),
      unavailable.load(), recovered_ms.count(0) ? recovered_ms[0] : -1,
      recovered_ms.count(1) ? recovered_ms[1] : -1, recovered_ms.count(2) ? recovered_ms[2] : -1,
      acknowledged.size());
  EXPECT_GT(unavailable.load(), 0) << "no write ever saw the outage";
  EXPECT_EQ(without_retry_after.load(), 0);
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(token_failures.load(), 0);
  EXPECT_EQ(keys_failures.load(), 0);
  EXPECT_EQ(recovered_ms.size(), 3u) << "a node did not recover without a restart";
  // Nothing acknowledged is lost: every 201 is there, read through another node.
  for (std::size_t i = 0; i < acknowledged.size(); ++i) {
    EXPECT_EQ(manage(*nodes_[i % 3], "GET", "/api/v1/organizations/" + acknowledged[i]).status, 200)
        << acknowledged[i];
  }
}

}  // namespace
}  // namespace tessera::multinode
