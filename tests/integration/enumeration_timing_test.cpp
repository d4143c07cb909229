// Enumeration by timing: an unknown client, a wrong secret, a deleted secret, an expired secret, a
// deleted client and a
// client of a deleted organization must take the same time to be refused (security rules: "timing
// within noise"), or an attacker could tell which client ids exist.
//
// The statistics, made to hold on a loaded two-core machine:
// - Interleaved sampling: each round sends one request of every category, in a fresh random
//   order, so a burst of load elsewhere (compiler, other tests) hits all categories alike instead
//   of skewing whichever happened to run then.
// - Medians, not means: a request descheduled for 50 ms moves a mean a lot and a median not at all.
// - A generous bound: each category's median must be within max(20 % of the pooled median,
//   150 µs) of the pooled median of all failures. The paths compared should differ by nothing
//   but noise (one HMAC, one memory lookup each); a database query per attempt for one kind of
//   failure, or a slow hash for known clients only, would exceed it.
// - A positive control proves the measurement can see such a difference: successful requests
//   (which sign an RS256 token, about a millisecond more work) must stand out by more than the
//   bound. A round whose control does not stand out was too noisy to judge and is measured again
//   (at most three times).
// Throttling is kept out of the picture by spreading each category over 40 client ids and the
// requests over 200 loopback source addresses, below every burst.
#include <algorithm>
#include <random>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct Credential {
  std::string id;
  std::string secret;
};

struct Category {
  std::string name;
  std::vector<Credential> credentials;
  int expected_status;
  std::vector<double> micros;
  std::size_t next = 0;  // round robin over the credentials, across attempts
};

class EnumerationTimingTest : public ServerTest {
 protected:
  // Each id is failed at most (3 * kRounds + 1) / kIdsPerCategory = 9 times over all attempts,
  // under the client id burst of 10.
  static constexpr int kIdsPerCategory = 40;
  static constexpr int kRounds = 120;

  // One request on a fresh connection from `source`; the microseconds from the first byte sent to
  // the last byte received (connecting is not part of it).
  double timed_token_request(const std::string& source, const Credential& credential,
                             int expected_status) {
    Connection connection(server->port(), source);
    const std::string bytes =
        format_request(server->port(), "POST", "/oauth/token",
                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "grant_type=client_credentials&client_id=" + form_encode(credential.id) +
                           "&client_secret=" + form_encode(credential.secret),
                       true);
    const auto start = Clock::now();
    connection.send(bytes);
    const auto response = connection.read_response();
    const auto end = Clock::now();
    if (!response) throw std::runtime_error("no answer");
    if (response->status != expected_status) {
      throw std::runtime_error("expected " + std::to_string(expected_status) + ", got " +
                               response->describe());
    }
    return std::chrono::duration<double, std::micro>(end - start).count();
  }
};

TEST_F(EnumerationTimingTest, EveryKindOfBadCredentialTakesTheSameTime) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const std::string doomed_org = api->create_organization("Doomed").at("id").get<std::string>();
  const std::string clients = "/api/v1/organizations/" + org_id + "/clients";
  std::vector<Category> categories{
      {"unknown client", {}, 401, {}},       {"wrong secret", {}, 401, {}},
      {"deleted secret", {}, 401, {}},       {"deleted client", {}, 401, {}},
      {"deleted organization", {}, 401, {}}, {"expired secret", {}, 401, {}},
      {"success (control)", {}, 200, {}}};  // the control comes last
  std::vector<std::string> expiring_secrets;
  for (int i = 0; i < kIdsPerCategory; ++i) {
    // A well-formed id that was never issued (the id space is far from exhausted).
    categories[0].credentials.push_back(
        {"m2morg_" + std::to_string(8'100'000'000'000'000'000LL + i),
         "tessera_" + std::string(43, 'x')});
    const CreatedClient live = api->create_client(org_id, Json{{"name", "live"}});
    std::string wrong = live.plain_secret;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    categories[1].credentials.push_back({live.id(), wrong});
    categories[6].credentials.push_back({live.id(), live.plain_secret});

    const CreatedClient rotated = api->create_client(org_id, Json{{"name", "rotated"}});
    api->add_secret(org_id, rotated.id());
    require_status(
        api->call("DELETE", clients + "/" + rotated.id() + "/secrets/" +
                                rotated.client.at("secrets").at(0).at("id").get<std::string>()),
        200, "delete secret");
    categories[2].credentials.push_back({rotated.id(), rotated.plain_secret});

    const CreatedClient gone = api->create_client(org_id, Json{{"name", "gone"}});
    categories[3].credentials.push_back({gone.id(), gone.plain_secret});

    const CreatedClient orphan = api->create_client(doomed_org, Json{{"name", "orphan"}});
    categories[4].credentials.push_back({orphan.id(), orphan.plain_secret});

    const CreatedClient expiring = api->create_client(org_id, Json{{"name", "expiring"}});
    categories[5].credentials.push_back({expiring.id(), expiring.plain_secret});
    const std::string secret_id = expiring.client.at("secrets").at(0).at("id").get<std::string>();
    expiring_secrets.push_back(secret_id.substr(secret_id.find('_') + 1));
  }
  // The API has no way to give a secret an expiry: set one in the past in the stopped server's
  // database (expire_time is in microseconds since the epoch).
  ASSERT_EQ(server->stop(), 0);
  for (const auto& row : expiring_secrets) {
    server->write_database("UPDATE secrets SET expire_time = 1000000 WHERE id = " + row);
  }
  server->start();
  api->set_admin(api->admin_id(), api->admin_secret());
  ASSERT_EQ(
      api->token_post(categories[5].credentials[0].id, categories[5].credentials[0].secret).status,
      401);
  // Every client was used once before its deletion, as a real one would have been (cached).
  for (const auto& c : categories[3].credentials)
    ASSERT_EQ(api->token_post(c.id, c.secret).status, 200);
  for (const auto& c : categories[4].credentials)
    ASSERT_EQ(api->token_post(c.id, c.secret).status, 200);
  for (const auto& c : categories[3].credentials) {
    require_status(api->call("DELETE", clients + "/" + c.id), 200, "delete client");
  }
  require_status(api->call("DELETE", "/api/v1/organizations/" + doomed_org), 200, "delete org");

  std::mt19937 random(6);
  int source = 0;
  auto next_source = [&] {
    source = (source + 1) % 200;
    return "127.0.3." + std::to_string(1 + source);
  };
  std::vector<std::size_t> order(categories.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;

  bool conclusive = false;
  for (int attempt = 1; attempt <= 3 && !conclusive; ++attempt) {
    for (auto& c : categories)
      c.micros.clear();
    for (int round = attempt == 1 ? -1 : 0; round < kRounds; ++round) {  // -1: warm-up
      std::shuffle(order.begin(), order.end(), random);
      for (const std::size_t index : order) {
        Category& c = categories[index];
        const Credential& credential = c.credentials[c.next++ % c.credentials.size()];
        const double micros = timed_token_request(next_source(), credential, c.expected_status);
        if (round >= 0) c.micros.push_back(micros);
      }
    }
    std::vector<double> failures;
    for (std::size_t i = 0; i + 1 < categories.size(); ++i) {
      failures.insert(failures.end(), categories[i].micros.begin(), categories[i].micros.end());
    }
    const double pooled = median(failures);
    const double bound = std::max(0.2 * pooled, 150.0);
    const double control = median(categories.back().micros);
    std::cout << "[ timing ] attempt " << attempt << ": pooled failure median " << pooled
              << " us, bound +-" << bound << " us;";
    for (const auto& c : categories)
      std::cout << " " << c.name << " " << median(c.micros) << ";";
    std::cout << "\n";
    if (control - pooled <= bound) continue;  // too noisy to see a signature: measure again
    conclusive = true;
    for (std::size_t i = 0; i + 1 < categories.size(); ++i) {
      const double m = median(categories[i].micros);
      EXPECT_LE(std::abs(m - pooled), bound)
          << categories[i].name << ": median " << m << " us vs pooled " << pooled << " us";
    }
  }
  EXPECT_TRUE(conclusive) << "three measurements too noisy to tell a token signature from a "
                             "refusal; the timing comparison could not be made";
}

}  // namespace
}  // namespace tessera::it
