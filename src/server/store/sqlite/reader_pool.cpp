#include "server/store/sqlite/reader_pool.hpp"

namespace tessera::store::sqlite {

ReaderPool::ReaderPool(std::filesystem::path path, std::size_t max_connections,
                       ConnectionOptions options)
    : path_(std::move(path)),
      max_connections_(max_connections == 0 ? 1 : max_connections),
      options_([&] {
        options.read_only = true;
        return options;
      }()) {}

std::unique_ptr<Connection> ReaderPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return closed_ || !idle_.empty() || open_ < max_connections_; });
    if (closed_) return nullptr;
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;  // reserve the slot, open outside the lock
  }
  try {
    return std::make_unique<Connection>(path_, options_);
  } catch (const std::exception&) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
    return nullptr;
  }
}

void ReaderPool::release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      --open_;
      connection.reset();
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  available_.notify_one();
}

void ReaderPool::close() {
  std::vector<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    open_ -= idle_.size();
    idle.swap(idle_);
  }
  available_.notify_all();
}

}  // namespace tessera::store::sqlite
