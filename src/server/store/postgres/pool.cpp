#include "server/store/postgres/pool.hpp"

namespace tessera::store::postgres {

using Clock = std::chrono::steady_clock;

Pool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

Pool::Pool(std::string url, PoolOptions options)
    : url_(std::move(url)), options_(std::move(options)) {}

StoreResult<Pool::Lease> Pool::acquire() {
  const auto deadline = Clock::now() + options_.acquire_timeout;
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (closed_) return fail(StoreError::unavailable);
      if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(connection));
      }
      if (open_ < options_.max_connections) {
        // The breaker is open: the database refused us moments ago.
        if (Clock::now() < next_attempt_) return fail(StoreError::unavailable);
        ++open_;
        break;
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout) {
        return fail(StoreError::unavailable);
      }
    }
  }
  auto connection = connect();  // outside the lock: it can take up to the connect timeout
  if (!connection) return fail(connection.error());
  return Lease(this, std::move(*connection));
}

StoreResult<std::unique_ptr<Connection>> Pool::connect() {
  try {
    auto connection = std::make_unique<Connection>(url_, options_.connect);
    std::lock_guard lock(mutex_);
    backoff_ = std::chrono::milliseconds(0);
    return connection;
  } catch (const std::exception&) {
    std::lock_guard lock(mutex_);
    --open_;
    backoff_ =
        backoff_.count() == 0 ? options_.min_backoff : std::min(backoff_ * 2, options_.max_backoff);
    next_attempt_ = Clock::now() + backoff_;
    available_.notify_one();
    return fail(StoreError::unavailable);
  }
}

void Pool::release(std::unique_ptr<Connection> connection) {
  std::vector<std::unique_ptr<Connection>> dropped;  // closed outside the lock
  {
    std::lock_guard lock(mutex_);
    if (closed_ || !connection->healthy()) {
      --open_;
      dropped.push_back(std::move(connection));
      if (!closed_) {
        // One dead connection usually means the server restarted or failed over: the idle ones
        // are dead too, and finding out one request at a time would fail each of them.
        open_ -= idle_.size();
        for (auto& idle : idle_)
          dropped.push_back(std::move(idle));
        idle_.clear();
      }
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  available_.notify_all();
}

void Pool::reset_backoff() {
  std::lock_guard lock(mutex_);
  backoff_ = std::chrono::milliseconds(0);
  next_attempt_ = {};
}

void Pool::close() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    open_ -= idle_.size();
    dropped = std::move(idle_);
    idle_.clear();
  }
  available_.notify_all();
}

}  // namespace tessera::store::postgres
