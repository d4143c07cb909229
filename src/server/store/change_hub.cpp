#include "server/store/change_hub.hpp"

namespace tessera::store {

class ChangeHub::Subscription final : public ChangeSubscription {
 public:
  Subscription(std::shared_ptr<State> state, std::uint64_t id)
      : state_(std::move(state)), id_(id) {}
  ~Subscription() override {
    std::lock_guard lock(state_->mutex);
    state_->subscribers.erase(id_);
  }

 private:
  std::shared_ptr<State> state_;
  std::uint64_t id_;
};

std::unique_ptr<ChangeSubscription> ChangeHub::subscribe(
    std::function<void(const Change&)> on_change) {
  std::lock_guard lock(state_->mutex);
  const std::uint64_t id = state_->next++;
  state_->subscribers.emplace(id, std::move(on_change));
  return std::make_unique<Subscription>(state_, id);
}

void ChangeHub::publish(const Change& change) {
  publish(std::span<const Change>(&change, 1));
}

void ChangeHub::publish(std::span<const Change> changes) {
  std::lock_guard lock(state_->mutex);
  for (const auto& [id, on_change] : state_->subscribers) {
    for (const Change& change : changes) {
      on_change(change);
    }
  }
}

bool ChangeHub::has_subscribers() const {
  std::lock_guard lock(state_->mutex);
  return !state_->subscribers.empty();
}

Change client_changed(std::string_view client_id) {
  return {Change::Kind::client, std::string(client_id)};
}

Change organization_deleted(std::string_view organization_id) {
  return {Change::Kind::organization_deleted, std::string(organization_id)};
}

Change signing_keys_changed() {
  return {Change::Kind::signing_keys, {}};
}

std::vector<Change> organization_deletion_changes(std::string_view organization_id,
                                                  const std::vector<std::string>& client_ids) {
  // PostgreSQL queues every NOTIFY of a transaction in memory until commit; past this many a
  // subscriber is better off dropping its whole cache once.
  constexpr std::size_t kMaxClientChanges = 1000;
  if (client_ids.size() > kMaxClientChanges) return {{Change::Kind::resync, {}}};
  std::vector<Change> changes{organization_deleted(organization_id)};
  for (const auto& client_id : client_ids) {
    changes.push_back(client_changed(client_id));
  }
  return changes;
}

}  // namespace tessera::store
