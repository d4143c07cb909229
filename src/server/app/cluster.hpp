// What a node needs to share a database with other nodes: a node id leased from the database, and
// the change feed applied to this node's memory (client cache, signing keys).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/auth/client_cache.hpp"
#include "server/store/store.hpp"
#include "tessera/result.hpp"

namespace tessera::app {

// Holds this process's node id lease. Ids embed the node id (domain/ids.hpp), so two live
// processes must never hold the same one: a lease lost to another node (this one could not renew
// for longer than the TTL and someone took the id) is fatal, and the app stops.
class NodeLease {
 public:
  static constexpr std::chrono::seconds kTtl{60};
  static constexpr std::chrono::seconds kRenewEvery{10};

  // `wanted`: the configured --node-id (refused while another live node holds it); nullopt: any
  // free id.
  static Result<std::unique_ptr<NodeLease>, std::string> acquire(
      store::Store& store, std::optional<std::uint16_t> wanted);
  ~NodeLease();

  std::uint16_t node_id() const { return node_id_; }
  // false when the lease is lost for good; a database outage only logs (the lease outlives it by
  // up to the TTL, and the id stays ours as long as nobody else takes it).
  bool renew();

 private:
  NodeLease(store::Store& store, std::string holder, std::uint16_t node_id)
      : store_(store), holder_(std::move(holder)), node_id_(node_id) {}

  store::Store& store_;
  const std::string holder_;
  const std::uint16_t node_id_;
};

// Applies committed changes from any node to this node's memory: a changed or deleted client is
// dropped from the cache (the next token request reloads it), a signing key change reloads the
// ring, and a resync (the feed was interrupted and may have missed changes) does both for
// everything.
class ChangeApplier {
 public:
  // `reload_keys` is called from the store's feed thread; it must only schedule the reload.
  ChangeApplier(store::Store& store, auth::ClientCache& cache, std::function<void()> reload_keys);
  ~ChangeApplier();

 private:
  void apply(const store::Change& change);

  auth::ClientCache& cache_;
  std::function<void()> reload_keys_;
  std::unique_ptr<store::ChangeSubscription> subscription_;  // last: unsubscribed first
};

}  // namespace tessera::app
