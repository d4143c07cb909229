#include "server/auth/client_cache.hpp"

#include <functional>

namespace tessera::auth {

ClientCache::ClientCache(std::size_t capacity, std::chrono::seconds absent_ttl)
    : capacity_(std::max<std::size_t>(capacity, kShards)),
      shard_capacity_(capacity_ / kShards),
      absent_ttl_(absent_ttl) {
  // Full size from the start: growing by rehash happened on the token path, under the shard lock.
  for (auto& shard : shards_)
    shard.slots.reserve(shard_capacity_);
}

ClientCache::Shard& ClientCache::shard_for(std::string_view client_id) {
  return shards_[std::hash<std::string_view>{}(client_id) % kShards];
}

ClientCache::Entry ClientCache::find(std::string_view client_id, domain::Timestamp now) {
  Shard& shard = shard_for(client_id);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.slots.find(client_id);
  if (it == shard.slots.end()) return {};
  Slot& slot = it->second;
  if (slot.entry.state == State::absent && slot.absent_until <= now) {
    shard.lru.erase(slot.lru);
    shard.slots.erase(it);
    return {};
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, slot.lru);
  return slot.entry;
}

void ClientCache::insert(std::string_view client_id, Entry entry, domain::Timestamp absent_until,
                         std::uint64_t ticket) {
  Shard& shard = shard_for(client_id);
  std::lock_guard lock(shard.mutex);
  // Checked under the shard lock: erase() bumps the generation under the same lock.
  if (ticket != generation_.load(std::memory_order_acquire)) return;
  if (auto it = shard.slots.find(client_id); it != shard.slots.end()) {
    it->second.entry = std::move(entry);
    it->second.absent_until = absent_until;
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru);
    return;
  }
  while (shard.slots.size() >= shard_capacity_ && !shard.lru.empty()) {
    const auto oldest = shard.slots.find(shard.lru.back());
    shard.lru.pop_back();
    shard.slots.erase(oldest);
  }
  const auto it =
      shard.slots.emplace(std::string(client_id), Slot{std::move(entry), absent_until, {}}).first;
  shard.lru.push_front(it->first);
  it->second.lru = shard.lru.begin();
}

void ClientCache::put(std::shared_ptr<const domain::ClientCredentials> client,
                      std::uint64_t ticket) {
  // The view stays valid: the entry passed to insert() keeps the client alive until it returns.
  const std::string_view id = client->id;
  insert(id, Entry{State::present, std::move(client)}, {}, ticket);
}

void ClientCache::put_absent(std::string_view client_id, domain::Timestamp now,
                             std::uint64_t ticket) {
  insert(client_id, Entry{State::absent, nullptr}, now + absent_ttl_, ticket);
}

void ClientCache::erase(std::string_view client_id) {
  Shard& shard = shard_for(client_id);
  std::lock_guard lock(shard.mutex);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  if (auto it = shard.slots.find(client_id); it != shard.slots.end()) {
    shard.lru.erase(it->second.lru);
    shard.slots.erase(it);
  }
}

void ClientCache::clear() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    shard.slots.clear();
    shard.lru.clear();
  }
}

std::size_t ClientCache::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.slots.size();
  }
  return total;
}

}  // namespace tessera::auth
