// Brute-force throttling for client authentication (security rules: "throttle repeated failures
// per client id and per source address, without locking out the legitimate holder for good").
//
// Failures drain token buckets: one per client id and one per source address. An empty bucket
// answers 429 with the seconds until it refills enough for one more attempt; buckets refill
// continuously, so a lock never outlives the attack by more than a few seconds. A source that
// authenticated successfully as a client recently is exempt from that client's bucket: an attacker
// hammering a client id from elsewhere cannot lock its real holder out.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/domain/time.hpp"

namespace tessera::auth {

struct ThrottlePolicy {
  double client_burst = 10;            // failures a client id absorbs at once
  double client_refill_per_sec = 0.2;  // then one more every 5 s
  double source_burst = 50;            // failures a source address absorbs at once
  double source_refill_per_sec = 1;
  // Exemption after a success. Later successes renew it once half of it has passed, so a pair
  // in steady use stays exempt for at least half of this after its last success.
  std::chrono::seconds trusted_source_ttl{3600};
  std::size_t max_tracked_keys = 200'000;  // memory bound; full buckets are forgotten
};

class Throttle {
 public:
  explicit Throttle(ThrottlePolicy policy = {});

  // Seconds to wait when this attempt must be refused before checking the credentials.
  std::optional<std::chrono::seconds> refused(std::string_view client_id, std::string_view source,
                                              domain::Timestamp now);
  void record_failure(std::string_view client_id, std::string_view source, domain::Timestamp now);
  void record_success(std::string_view client_id, std::string_view source, domain::Timestamp now);

  std::size_t tracked_keys() const;

  // Nodes sharing one database each enforce 1/nodes of the policy (bursts and refill rates, a
  // burst never below one attempt), so that guesses spread over every node of a cluster get the
  // policy's rate in total, not nodes times it. Buckets keep their levels, capped to the new burst.
  void set_cluster_size(std::size_t nodes);

 private:
  struct Bucket {
    double tokens;
    domain::Timestamp updated;
  };
  struct Table {
    std::unordered_map<std::string, Bucket> buckets;
    double burst;
    double refill_per_sec;
    domain::Timestamp last_sweep{};
  };

  // A full table is swept for forgettable entries at most this often. Sweeping on every call
  // made each request scan max_tracked_keys entries under the lock once an attacker (many IPv6
  // sources, many client ids) or a million legitimate clients had filled it.
  static constexpr std::chrono::seconds kSweepInterval{1};
  static bool sweep_due(domain::Timestamp& last_sweep, domain::Timestamp now);

  static double level(const Table& table, const Bucket& bucket, domain::Timestamp now);
  std::optional<std::chrono::seconds> empty_for(const Table& table, const std::string& key,
                                                domain::Timestamp now) const;
  void drain(Table& table, const std::string& key, domain::Timestamp now);
  void forget_full_buckets(Table& table, domain::Timestamp now);
  bool trusted(std::uint64_t pair, domain::Timestamp now) const;
  void forget_oldest_trust();

  ThrottlePolicy policy_;
  mutable std::mutex mutex_;
  Table clients_;
  Table sources_;
  // Keyed by a hash of (client id, source): the success path must not allocate.
  std::unordered_map<std::uint64_t, domain::Timestamp> trusted_until_;
  // The same trust in the order it was granted, so in expiry order: a full map forgets its oldest
  // trust, and expired trust is dropped, from the front, in constant time. Sweeping the map for
  // expired entries instead scanned all of them once a second as soon as max_tracked_keys pairs
  // were trusted and none had expired (1,000,000 clients within an hour), under the lock every
  // token request takes: about 2 ms per scan of 200,000 entries, with every I/O thread waiting,
  // and the newest successes were not trusted at all. A renewal appends a record and leaves the
  // old one, which no longer matches the map when it reaches the front; renewing at most every
  // half-TTL keeps it to 3 records per pair.
  std::deque<std::pair<std::uint64_t, domain::Timestamp>> trust_order_;
};

}  // namespace tessera::auth
