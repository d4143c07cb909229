#include "server/store/sqlite/writer.hpp"

#include <algorithm>

namespace tessera::store::sqlite {

Writer::Writer(std::unique_ptr<Connection> connection, std::size_t max_batch)
    : connection_(std::move(connection)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      thread_([this] { loop(); }) {}

Writer::~Writer() {
  close();
}

void Writer::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  std::lock_guard join_lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

std::optional<StoreError> Writer::execute(Job& job) {
  std::future<void> done = job.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closing_) return StoreError::unavailable;
    queue_.push_back(&job);
  }
  wake_.notify_one();
  done.wait();
  return job.failure;
}

void Writer::loop() {
  std::vector<Job*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and nothing left to do
      const std::size_t count = std::min(queue_.size(), max_batch_);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
    }
    run_batch(batch);
    // After set_value the caller may return and destroy its Job: touch nothing afterwards.
    for (Job* job : batch) {
      job->done.set_value();
    }
  }
}

void Writer::run_batch(const std::vector<Job*>& batch) {
  Connection& db = *connection_;
  try {
    db.run("BEGIN IMMEDIATE");
    for (Job* job : batch) {
      run_job(*job);
      // Some failures (I/O error, disk full) roll the whole transaction back by themselves.
      if (!db.in_transaction()) throw SqliteError(0, "transaction rolled back by SQLite");
    }
    db.run("COMMIT");
  } catch (const std::exception&) {
    db.rollback_quietly();
    for (Job* job : batch) {
      job->failure = StoreError::unavailable;
    }
  }
}

void Writer::run_job(Job& job) {
  Connection& db = *connection_;
  db.run("SAVEPOINT job");
  bool keep = false;
  try {
    keep = job.run(db);
  } catch (const std::exception& error) {
    job.failure = to_store_error(error);
  }
  if (!db.in_transaction()) return;  // run_batch fails the whole batch
  if (!keep) db.run("ROLLBACK TO job");
  db.run("RELEASE job");
}

}  // namespace tessera::store::sqlite
