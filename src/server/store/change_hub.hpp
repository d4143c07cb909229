// Fans committed changes out to the subscribers of one store (Store::subscribe). Both backends use
// it: SQLite publishes its own commits, PostgreSQL what its LISTEN connection receives.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>

#include "server/store/store.hpp"

namespace tessera::store {

class ChangeHub {
 public:
  ChangeHub() : state_(std::make_shared<State>()) {}

  // The subscription may outlive the hub (the store closed first): it holds the shared state.
  std::unique_ptr<ChangeSubscription> subscribe(std::function<void(const Change&)> on_change);
  void publish(const Change& change);
  void publish(std::span<const Change> changes);
  bool has_subscribers() const;

 private:
  struct State {
    // Held while callbacks run, so that an unsubscribe returns only when none is running.
    mutable std::mutex mutex;
    std::map<std::uint64_t, std::function<void(const Change&)>> subscribers;
    std::uint64_t next = 0;
  };
  class Subscription;

  std::shared_ptr<State> state_;
};

// The changes a write makes visible to caches, named in one place for both backends.
Change client_changed(std::string_view client_id);
Change organization_deleted(std::string_view organization_id);
Change signing_keys_changed();

// delete_organization's feed: the organization and each of its clients, or a single resync when
// there are so many that one message per client would flood the feed.
std::vector<Change> organization_deletion_changes(std::string_view organization_id,
                                                  const std::vector<std::string>& client_ids);

}  // namespace tessera::store
