// The single writer with group commit. Callers hand write operations to one thread that runs
// everything queued so far in one transaction, each operation inside its own SAVEPOINT (so one
// failing operation rolls back alone), commits once (one fsync for the whole batch), and only then
// tells each caller its outcome. With N concurrent callers a commit carries up to N operations,
// and SQLite never sees two writers, so "database is locked" cannot happen inside the process.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/store/sqlite/connection.hpp"
#include "server/store/store.hpp"

namespace tessera::store::sqlite {

class Writer {
 public:
  Writer(std::unique_ptr<Connection> connection, std::size_t max_batch);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Runs `operation(Connection&) -> StoreResult<T>` in the next batch and returns its result once
  // that batch is durable, or unavailable if the batch could not be committed.
  template <class T, class Operation>
  StoreResult<T> write(Operation&& operation) {
    std::optional<StoreResult<T>> result;
    Job job;
    job.run = [&](Connection& connection) {
      result.emplace(operation(connection));
      return result->ok();
    };
    if (const auto failure = execute(job)) return fail(*failure);
    return std::move(*result);
  }

  // Completes the queued operations; later writes fail with unavailable.
  void close();

 private:
  struct Job {
    // Returns whether the operation succeeded (its changes are to be kept).
    std::function<bool(Connection&)> run;
    // Set when the operation threw or its batch failed: overrides the operation's own result.
    std::optional<StoreError> failure;
    std::promise<void> done;
  };

  std::optional<StoreError> execute(Job& job);
  void loop();
  void run_batch(const std::vector<Job*>& batch);
  void run_job(Job& job);

  std::unique_ptr<Connection> connection_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job*> queue_;
  bool closing_ = false;
  std::mutex join_mutex_;
  std::thread thread_;
};

}  // namespace tessera::store::sqlite
