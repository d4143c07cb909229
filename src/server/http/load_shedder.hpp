// Overload protection. When more token requests arrive than the cores can sign, they queue in the
// event loop and every caller waits longer. The shedder measures that wait directly (how late a
// 10 ms timer fires) and, while it exceeds a bound, the token endpoint answers 503 + Retry-After
// without signing: a cheap answer drains the queue, so latency stays bounded, memory stays flat,
// and /keys and /healthz (which never sign) keep answering. Each event loop is probed: the server
// sheds while any of them lags.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace tessera::http {

class LoadShedder {
 public:
  // `max_lag`: event-loop lateness beyond which expensive requests are refused (0 disables).
  explicit LoadShedder(std::chrono::milliseconds max_lag) : max_lag_(max_lag) {}

  // Starts a probe on each loop; they stop when `stopping` becomes true. Call once.
  void start(const std::vector<boost::asio::io_context*>& loops, const std::atomic<bool>& stopping);

  bool overloaded() const { return overloaded_loops_.load(std::memory_order_relaxed) > 0; }
  // The largest of the loops' latest lags.
  std::chrono::microseconds last_lag() const;
  std::uint64_t shed_count() const { return shed_.load(std::memory_order_relaxed); }
  void count_shed() { shed_.fetch_add(1, std::memory_order_relaxed); }

 private:
  boost::asio::awaitable<void> probe(std::atomic<std::int64_t>& lag_us,
                                     const std::atomic<bool>& stopping);

  std::chrono::milliseconds max_lag_;
  std::atomic<int> overloaded_loops_{0};
  std::deque<std::atomic<std::int64_t>> lag_us_;  // one per loop; a deque never moves them
  std::atomic<std::uint64_t> shed_{0};
};

}  // namespace tessera::http
