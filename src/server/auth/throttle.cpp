#include "server/auth/throttle.hpp"

#include <algorithm>
#include <cmath>

namespace tessera::auth {
namespace {

double seconds_between(domain::Timestamp from, domain::Timestamp to) {
  return std::chrono::duration<double>(to - from).count();
}

std::uint64_t pair_key(std::string_view client_id, std::string_view source) {
  const std::uint64_t a = std::hash<std::string_view>{}(client_id);
  const std::uint64_t b = std::hash<std::string_view>{}(source);
  return a ^ (b * 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
}

}  // namespace

Throttle::Throttle(ThrottlePolicy policy)
    : policy_(policy),
      clients_{{}, policy.client_burst, policy.client_refill_per_sec},
      sources_{{}, policy.source_burst, policy.source_refill_per_sec} {}

double Throttle::level(const Table& table, const Bucket& bucket, domain::Timestamp now) {
  const double refilled =
      std::max(0.0, seconds_between(bucket.updated, now)) * table.refill_per_sec;
  return std::min(table.burst, bucket.tokens + refilled);
}

std::optional<std::chrono::seconds> Throttle::empty_for(const Table& table, const std::string& key,
                                                        domain::Timestamp now) const {
  const auto it = table.buckets.find(key);
  if (it == table.buckets.end()) return std::nullopt;
  const double tokens = level(table, it->second, now);
  if (tokens >= 1.0) return std::nullopt;
  const double wait = (1.0 - tokens) / table.refill_per_sec;
  return std::chrono::seconds(
      std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait))));
}

bool Throttle::trusted(std::uint64_t key, domain::Timestamp now) const {
  const auto it = trusted_until_.find(key);
  return it != trusted_until_.end() && now < it->second;
}

std::optional<std::chrono::seconds> Throttle::refused(std::string_view client_id,
                                                      std::string_view source,
                                                      domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  if (clients_.buckets.empty() && sources_.buckets.empty()) return std::nullopt;  // the usual case
  const std::string source_key(source);
  auto wait = empty_for(sources_, source_key, now);
  if (!trusted(pair_key(client_id, source), now)) {
    const auto client_wait = empty_for(clients_, std::string(client_id), now);
    if (client_wait && (!wait || *client_wait > *wait)) wait = client_wait;
  }
  return wait;
}

bool Throttle::sweep_due(domain::Timestamp& last_sweep, domain::Timestamp now) {
  if (now - last_sweep < kSweepInterval && now >= last_sweep) return false;
  last_sweep = now;
  return true;
}

void Throttle::drain(Table& table, const std::string& key, domain::Timestamp now) {
  const bool full = table.buckets.size() >= policy_.max_tracked_keys;
  if (full && !table.buckets.contains(key)) {
    if (sweep_due(table.last_sweep, now)) forget_full_buckets(table, now);
    // Under a flood: fail open for this key; the other table's bucket still counts.
    if (table.buckets.size() >= policy_.max_tracked_keys) return;
  }
  auto [it, inserted] = table.buckets.try_emplace(key, Bucket{table.burst, now});
  Bucket& bucket = it->second;
  bucket.tokens = std::max(0.0, level(table, bucket, now) - 1.0);
  bucket.updated = now;
}

void Throttle::forget_full_buckets(Table& table, domain::Timestamp now) {
  std::erase_if(table.buckets,
                [&](const auto& entry) { return level(table, entry.second, now) >= table.burst; });
}

void Throttle::set_cluster_size(std::size_t nodes) {
  const double share = 1.0 / static_cast<double>(std::max<std::size_t>(1, nodes));
  std::lock_guard lock(mutex_);
  clients_.burst = std::max(1.0, policy_.client_burst * share);
  clients_.refill_per_sec = policy_.client_refill_per_sec * share;
  sources_.burst = std::max(1.0, policy_.source_burst * share);
  sources_.refill_per_sec = policy_.source_refill_per_sec * share;
  for (Table* table : {&clients_, &sources_}) {
    for (auto& [key, bucket] : table->buckets)
      bucket.tokens = std::min(bucket.tokens, table->burst);
  }
}

void Throttle::record_failure(std::string_view client_id, std::string_view source,
                              domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  drain(sources_, std::string(source), now);
  if (!trusted(pair_key(client_id, source), now)) drain(clients_, std::string(client_id), now);
}

void Throttle::record_success(std::string_view client_id, std::string_view source,
                              domain::Timestamp now) {
  if (policy_.max_tracked_keys == 0) return;
  const std::uint64_t key = pair_key(client_id, source);
  const auto until = now + policy_.trusted_source_ttl;
  std::lock_guard lock(mutex_);
  while (!trust_order_.empty() && trust_order_.front().second <= now)
    forget_oldest_trust();
  if (auto it = trusted_until_.find(key); it != trusted_until_.end()) {
    if (it->second - now < policy_.trusted_source_ttl / 2) {
      it->second = until;
      trust_order_.emplace_back(key, until);
    }
    return;
  }
  while (trusted_until_.size() >= policy_.max_tracked_keys && !trust_order_.empty())
    forget_oldest_trust();
  trusted_until_.emplace(key, until);
  trust_order_.emplace_back(key, until);
}

void Throttle::forget_oldest_trust() {
  const auto [key, until] = trust_order_.front();
  trust_order_.pop_front();
  // A renewed pair has a later record further back; this one is stale.
  if (auto it = trusted_until_.find(key); it != trusted_until_.end() && it->second == until) {
    trusted_until_.erase(it);
  }
}

std::size_t Throttle::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return clients_.buckets.size() + sources_.buckets.size() + trusted_until_.size();
}

}  // namespace tessera::auth
