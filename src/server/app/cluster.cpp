#include "server/app/cluster.hpp"

#include <unistd.h>

#include <random>

#include <spdlog/spdlog.h>

namespace tessera::app {
namespace {

// Unique to this process: host, pid and a random part (pids repeat across hosts and restarts).
std::string holder_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random());
}

}  // namespace

Result<std::unique_ptr<NodeLease>, std::string> NodeLease::acquire(
    store::Store& store, std::optional<std::uint16_t> wanted) {
  std::string holder = holder_name();
  auto lease = store.acquire_node_lease(holder, wanted, domain::now(), kTtl);
  if (!lease) {
    if (lease.error() == store::StoreError::failed_precondition) {
      return fail(wanted ? "node id " + std::to_string(*wanted) +
                               " is held by another running node; give each node its own "
                               "--node-id, or leave it out to lease a free one"
                         : std::string("no free node id: 65536 nodes are running"));
    }
    return fail("cannot lease a node id: " + std::string(store::to_string(lease.error())));
  }
  return std::unique_ptr<NodeLease>(new NodeLease(store, std::move(holder), lease->node_id));
}

NodeLease::~NodeLease() {
  // Best effort: an unreleased lease simply expires after the TTL.
  (void)store_.release_node_lease(node_id_, holder_, domain::now());
}

bool NodeLease::renew() {
  auto renewed = store_.renew_node_lease(node_id_, holder_, domain::now(), kTtl);
  if (renewed) return true;
  if (renewed.error() == store::StoreError::not_found) {
    spdlog::critical(
        "node id {} was taken over by another node after this one failed to renew "
        "its lease; stopping so that no id is minted twice",
        node_id_);
    return false;
  }
  spdlog::warn("could not renew the lease of node id {}: {}", node_id_,
               store::to_string(renewed.error()));
  return true;
}

ChangeApplier::ChangeApplier(store::Store& store, auth::ClientCache& cache,
                             std::function<void()> reload_keys)
    : cache_(cache), reload_keys_(std::move(reload_keys)) {
  subscription_ = store.subscribe([this](const store::Change& change) { apply(change); });
}

ChangeApplier::~ChangeApplier() {
  subscription_.reset();
}

void ChangeApplier::apply(const store::Change& change) {
  switch (change.kind) {
    case store::Change::Kind::client:
      cache_.erase(change.id);
      break;
    case store::Change::Kind::organization_deleted:
      break;  // its clients arrive as client changes
    case store::Change::Kind::signing_keys:
      reload_keys_();
      break;
    case store::Change::Kind::resync:
      spdlog::info("change feed reconnected: dropping cached clients and reloading keys");
      cache_.clear();
      reload_keys_();
      break;
  }
}

}  // namespace tessera::app
