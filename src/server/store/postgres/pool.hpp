// A bounded pool of connections that heals itself. Callers wait at most `acquire_timeout` for a
// free connection; a connection that broke is dropped (with every idle one: after a database
// restart or failover they are all dead) and replaced on demand. While the database refuses
// connections, attempts are spaced out (a circuit breaker): callers in between fail at once with
// unavailable instead of each waiting for a connect timeout.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/postgres/connection.hpp"

namespace tessera::store::postgres {

struct PoolOptions {
  std::size_t max_connections = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  // Circuit breaker: the first retry after a failed connect, doubling up to the maximum.
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{1000};
  ConnectOptions connect;
};

class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  Pool(std::string url, PoolOptions options);

  // nullptr-free: either a lease or unavailable (closed, timed out, or the database is down).
  StoreResult<Lease> acquire();
  // The database is known to accept connections again (the change feed reconnected): close the
  // circuit breaker at once instead of after its backoff.
  void reset_backoff();
  // Drops idle connections; later acquires fail.
  void close();

 private:
  void release(std::unique_ptr<Connection> connection);
  StoreResult<std::unique_ptr<Connection>> connect();

  const std::string url_;
  const PoolOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle + leased + being opened
  bool closed_ = false;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace tessera::store::postgres
