// The token endpoint's view of API clients (what issuing a token needs, as
// Store::get_client_credentials reads it), kept in memory so that a warm client costs no database
// query. Bounded (least recently used entries go first), sharded to keep lock hold times tiny, and
// it also remembers ids that do not exist, so a flood of unknown ids does not become a flood of
// queries.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/domain/entities.hpp"

namespace tessera::auth {

class ClientCache {
 public:
  enum class State { unknown, absent, present };
  struct Entry {
    State state = State::unknown;
    std::shared_ptr<const domain::ClientCredentials> client;  // set when present
  };

  // `capacity`: entries across all shards (positive and negative). `absent_ttl`: how long an id
  // that the store did not know is answered from memory.
  explicit ClientCache(std::size_t capacity,
                       std::chrono::seconds absent_ttl = std::chrono::seconds(5));

  Entry find(std::string_view client_id, domain::Timestamp now);

  // Loads race with invalidations: a load that began before an erase() must not put back what was
  // erased. Take a ticket before reading the store and hand it to put*; stale tickets are ignored.
  std::uint64_t ticket() const { return generation_.load(std::memory_order_acquire); }
  void put(std::shared_ptr<const domain::ClientCredentials> client, std::uint64_t ticket);
  void put_absent(std::string_view client_id, domain::Timestamp now, std::uint64_t ticket);

  void erase(std::string_view client_id);
  void clear();

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }

 private:
  // The LRU list holds views of the map's keys, not copies: a node-based map never moves its keys,
  // and each key leaves the list before its node is erased. A copy cost an allocation per cold
  // request and about 60 bytes per entry.
  struct Slot {
    Entry entry;
    domain::Timestamp absent_until;
    std::list<std::string_view>::iterator lru;
  };
  // Lets find() look up a string_view without building a std::string on the token hot path.
  struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Slot, TransparentHash, std::equal_to<>> slots;
    std::list<std::string_view> lru;  // front: most recently used
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_for(std::string_view client_id);
  void insert(std::string_view client_id, Entry entry, domain::Timestamp absent_until,
              std::uint64_t ticket);

  std::size_t capacity_;
  std::size_t shard_capacity_;
  std::chrono::seconds absent_ttl_;
  std::atomic<std::uint64_t> generation_{0};
  Shard shards_[kShards];
};

}  // namespace tessera::auth
