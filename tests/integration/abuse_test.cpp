// Brute force on /oauth/token (security rules, "Token endpoint"): failures are throttled per client
// id and per source address with 429 + Retry-After, the legitimate holder of a client (who
// authenticated from its address before) is never locked out by someone hammering its id from
// elsewhere, every failure is logged with its source and without the secret, and X-Forwarded-For
// names the source only when the peer is a configured trusted proxy.
//
// Sources are distinct loopback addresses (127.0.0.0/8 is all local on Linux), so one test acts as
// an attacker and a legitimate holder at once.
#include <regex>
#include <thread>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;

// The server's policy (src/server/auth/throttle.hpp): a client id absorbs 10 failures, then one per
// 5 s; a source address absorbs 50, then one per second.
constexpr int kClientBurst = 10;
constexpr int kSourceBurst = 50;

std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

class AbuseTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    org_id = api->create_organization().at("id").get<std::string>();
    victim = api->create_client_raw(org_id, kSeedClientBody);
    wrong_secret = victim.plain_secret;
    wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  }

  Response token_from(const std::string& source, std::string_view client_id,
                      std::string_view secret, const Headers& extra = {}) {
    Headers headers{{"Content-Type", "application/x-www-form-urlencoded"}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    return request_from(source, server->port(), "POST", "/oauth/token", headers,
                        "grant_type=client_credentials&client_id=" + form_encode(client_id) +
                            "&client_secret=" + form_encode(secret));
  }

  // A 429 in the RFC 6749 error shape whose Retry-After is a whole number of seconds in [1, max].
  static void expect_throttled(const Response& response, int max_retry_after) {
    ASSERT_EQ(response.status, 429) << response.describe();
    EXPECT_EQ(response.json().value("error", ""), "slow_down");
    EXPECT_EQ(response.header("cache-control"), "no-store");
    const std::string retry = response.header("retry-after");
    ASSERT_TRUE(std::regex_match(retry, std::regex("[0-9]+"))) << "Retry-After: " << retry;
    EXPECT_GE(std::stoi(retry), 1);
    EXPECT_LE(std::stoi(retry), max_retry_after);
    EXPECT_EQ(response.body.find("access_token"), std::string::npos);
  }

  // Sends failing attempts (attempt(i) returns the response) until the first 429, at most
  // burst + 20. The bucket refills while the loop runs, so up to burst + refill * elapsed + 1
  // attempts may pass before it: anything outside that range fails the test. Returns the 429.
  template <class Attempt>
  Response fail_until_throttled(int burst, double refill_per_sec, Attempt attempt) {
    const auto start = std::chrono::steady_clock::now();
    int passed = 0;
    for (int i = 0; i < burst + 20; ++i) {
      Response r = attempt(i);
      last_failure = std::chrono::steady_clock::now();
      if (r.status == 429) {
        const double elapsed = std::chrono::duration<double>(last_failure - start).count();
        EXPECT_GE(passed, burst) << "throttled before the burst was used";
        EXPECT_LE(passed, burst + static_cast<int>(refill_per_sec * elapsed) + 1)
            << "throttled too late (" << elapsed << " s)";
        return r;
      }
      EXPECT_EQ(r.status, 401) << r.describe();
      ++passed;
    }
    ADD_FAILURE() << "never throttled after " << passed << " failures";
    return {};
  }

  // True while a bucket of `refill_per_sec` that last answered 429 at `last_failure` cannot have
  // refilled one attempt yet (with a margin): only then must the next attempt be refused too.
  bool still_empty(double refill_per_sec) const {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_failure).count();
    return elapsed * refill_per_sec < 0.8;
  }

  std::string org_id;
  CreatedClient victim;
  std::string wrong_secret;
  std::chrono::steady_clock::time_point last_failure;
};

TEST_F(AbuseTest, FailuresPerClientIdAre429WithRetryAfterAndTheLockLifts) {
  const std::string attacker = "127.0.0.11";
  expect_throttled(
      fail_until_throttled(kClientBurst, 0.2,
                           [&](int) { return token_from(attacker, victim.id(), wrong_secret); }),
      5);
  // While the client id is locked, even the right secret from an address that never
  // authenticated as it gets the same 429: a correct guess must look like a wrong one.
  const Response right_but_locked = token_from("127.0.0.12", victim.id(), victim.plain_secret);
  ASSERT_TRUE(still_empty(0.2));
  expect_throttled(right_but_locked, 5);
  // Other clients are untouched (the attacker's address has used 11 of its 50).
  const CreatedClient other = api->create_client(org_id, Json{{"name", "other"}});
  EXPECT_EQ(token_from(attacker, other.id(), other.plain_secret).status, 200);

  // Not locked for good: after Retry-After the bucket has refilled one attempt.
  std::this_thread::sleep_for(
      std::chrono::seconds(std::stoi(right_but_locked.header("retry-after"))) + 200ms);
  const Response after = token_from("127.0.0.12", victim.id(), victim.plain_secret);
  EXPECT_EQ(after.status, 200) << after.describe();
}

TEST_F(AbuseTest, FailuresPerSourceAre429AcrossClientIds) {
  const std::string scanner = "127.0.0.21";
  // Each attempt names another client id, so no client bucket empties: only the source's does.
  expect_throttled(fail_until_throttled(
                       kSourceBurst, 1.0,
                       [&](int i) {
                         return token_from(
                             scanner, "m2morg_" + std::to_string(7'000'000'000'000'000'000LL + i),
                             "guess");
                       }),
                   1);
  // The source is refused whatever it presents, valid credentials included ...
  const Response valid_but_throttled = token_from(scanner, victim.id(), victim.plain_secret);
  if (still_empty(1.0)) expect_throttled(valid_but_throttled, 1);
  // ... while every other address goes on as before, for any client.
  EXPECT_EQ(token_from("127.0.0.22", victim.id(), victim.plain_secret).status, 200);
  EXPECT_EQ(token_from("127.0.0.23", "m2morg_7200000000000000001", "guess").status, 401);
}

TEST_F(AbuseTest, LegitimateHolderKeepsGettingTokensWhileAnotherAddressHammersItsId) {
  const std::string holder = "127.0.0.31";
  ASSERT_EQ(token_from(holder, victim.id(), victim.plain_secret).status, 200);

  // Attackers from several addresses (so that no single source bucket stops them first) hammer the
  // client id; the holder keeps asking in between.
  int refused = 0;
  int holder_ok = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 120; ++i) {
    const std::string attacker = "127.0.1." + std::to_string(1 + i % 4);
    const Response attempt = token_from(attacker, victim.id(), wrong_secret);
    ASSERT_TRUE(attempt.status == 401 || attempt.status == 429) << attempt.describe();
    if (i < kClientBurst) {
      EXPECT_EQ(attempt.status, 401) << "attempt " << i;
    }
    if (attempt.status == 429) ++refused;
    if (i % 10 == 9) {
      const Response own = token_from(holder, victim.id(), victim.plain_secret);
      EXPECT_EQ(own.status, 200) << "holder refused after " << i + 1
                                 << " attacks: " << own.describe();
      holder_ok += own.status == 200;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // All but the burst and the refills (one per 5 s) meanwhile were refused.
  EXPECT_GE(refused, 120 - kClientBurst - static_cast<int>(elapsed * 0.2) - 1);
  EXPECT_EQ(holder_ok, 12);
  // The lock was real: the right secret from any address that has not authenticated before is
  // refused, and the holder's exemption covers its own address only.
  const Response outsider = token_from("127.0.0.32", victim.id(), victim.plain_secret);
  expect_throttled(outsider, 5);
  // A wrong secret from the holder's address is still a plain failure (401), not a free pass.
  EXPECT_EQ(token_from(holder, victim.id(), wrong_secret).status, 401);
}

TEST_F(AbuseTest, EveryFailureIsLoggedWithItsSourceAndWithoutTheSecret) {
  const std::string attacker = "127.0.0.41";
  const std::string guess_prefix = "tessera_guessedsecretvalue";
  int unauthorized = 0;
  int throttled = 0;
  for (int i = 0; i < kClientBurst + 5; ++i) {
    const Response r = token_from(attacker, victim.id(), guess_prefix + std::to_string(i));
    unauthorized += r.status == 401;
    throttled += r.status == 429;
  }
  // Basic credentials too: the secret travels base64-encoded and must not be logged either way.
  const Response basic =
      request_from("127.0.0.42", server->port(), "POST", "/oauth/token",
                   {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Authorization", basic_auth("m2morg_1234567890123", guess_prefix + "basic")}},
                   "grant_type=client_credentials");
  ASSERT_EQ(basic.status, 401);
  ASSERT_EQ(unauthorized, kClientBurst);
  ASSERT_EQ(throttled, 5);

  const std::string logs = server->all_stderr();
  EXPECT_EQ(count_occurrences(logs, "client authentication failed: client_id=" + victim.id() +
                                        " source=" + attacker),
            static_cast<std::size_t>(unauthorized))
      << logs;
  EXPECT_EQ(count_occurrences(
                logs, "token request throttled: client_id=" + victim.id() + " source=" + attacker),
            static_cast<std::size_t>(throttled))
      << logs;
  EXPECT_EQ(count_occurrences(logs, "client_id=m2morg_1234567890123 source=127.0.0.42"), 1u)
      << logs;
  EXPECT_EQ(logs.find(guess_prefix), std::string::npos) << logs;
  EXPECT_EQ(logs.find(base64(guess_prefix)), std::string::npos);
  EXPECT_EQ(logs.find(victim.plain_secret), std::string::npos);
  EXPECT_EQ(logs.find(wrong_secret), std::string::npos);
  EXPECT_EQ(server->all_stdout().find(guess_prefix), std::string::npos);
}

TEST_F(AbuseTest, ForwardedForIsIgnoredWithoutTrustedProxies) {
  // A client cannot pick the address it is charged to: every attempt names another X-Forwarded-For,
  // yet all are charged to the real peer, which is throttled after the source burst.
  const std::string peer = "127.0.0.51";
  expect_throttled(
      fail_until_throttled(kSourceBurst, 1.0,
                           [&](int i) {
                             return token_from(
                                 peer, "m2morg_" + std::to_string(7'300'000'000'000'000'000LL + i),
                                 "guess", {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}});
                           }),
      1);
  const std::string logs = server->all_stderr();
  EXPECT_EQ(logs.find("source=203.0.113."), std::string::npos);
  EXPECT_GE(count_occurrences(logs, "source=" + peer), static_cast<std::size_t>(kSourceBurst + 1));
}

class TrustedProxyAbuseTest : public AbuseTest {
 protected:
  // One trusted proxy address; 127.0.0.62 is an ordinary (untrusted) client.
  ServerOptions server_options() override { return {.args = {"--trusted-proxies", "127.0.0.61"}}; }
};

TEST_F(TrustedProxyAbuseTest, ForwardedForFromATrustedProxyNamesTheSource) {
  const std::string proxy = "127.0.0.61";
  // Through the proxy, each end client has its own bucket: 60 failures from 60 forwarded addresses
  // (more than one source's burst) are all plain 401s.
  for (int i = 0; i < 60; ++i) {
    const std::string id = "m2morg_" + std::to_string(7'500'000'000'000'000'000LL + i);
    ASSERT_EQ(
        token_from(proxy, id, "guess", {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}})
            .status,
        401)
        << "attempt " << i;
  }
  // One forwarded address that keeps failing is throttled on its own ...
  const std::string hammering = "198.51.100.7";
  expect_throttled(
      fail_until_throttled(kSourceBurst, 1.0,
                           [&](int i) {
                             return token_from(
                                 proxy, "m2morg_" + std::to_string(7'600'000'000'000'000'000LL + i),
                                 "guess", {{"X-Forwarded-For", hammering}});
                           }),
      1);
  // (the right-most untrusted hop counts: a spoofed left-most entry does not help it)
  const Response spoofed = token_from(proxy, "m2morg_7700000000000000002", "guess",
                                      {{"X-Forwarded-For", "192.0.2.1, " + hammering}});
  if (still_empty(1.0)) expect_throttled(spoofed, 1);
  // ... while the proxy's other clients go on.
  EXPECT_EQ(
      token_from(proxy, victim.id(), victim.plain_secret, {{"X-Forwarded-For", "203.0.113.200"}})
          .status,
      200);
  const std::string logs = server->all_stderr();
  EXPECT_NE(logs.find("source=" + hammering), std::string::npos);
  EXPECT_EQ(logs.find("source=127.0.0.61"), std::string::npos) << "charged to the proxy itself";

  // The same header from an address that is not a trusted proxy is ignored.
  const std::string untrusted = "127.0.0.62";
  expect_throttled(fail_until_throttled(
                       kSourceBurst, 1.0,
                       [&](int i) {
                         return token_from(
                             untrusted, "m2morg_" + std::to_string(7'800'000'000'000'000'000LL + i),
                             "guess",
                             {{"X-Forwarded-For", "203.0.113." + std::to_string(100 + i % 100)}});
                       }),
                   1);
}

}  // namespace
}  // namespace tessera::it
