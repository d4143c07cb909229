// Overload protection. When more token requests arrive than the cores can sign, they queue in the
// event loop and every caller waits longer. The shedder measures that wait directly (how late a
// 10 ms timer fires) and, while it exceeds a bound, the token endpoint answers 503 + Retry-After
// without signing: a cheap answer drains the queue, so latency stays bounded, memory stays flat,
// and /keys and /healthz (which never sign) keep answering.
#pragma once

#include <atomic>
#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace tessera::http {

class LoadShedder {
 public:
  // `max_lag`: event-loop lateness beyond which expensive requests are refused (0 disables).
  explicit LoadShedder(std::chrono::milliseconds max_lag) : max_lag_(max_lag) {}

  // Starts the probe on `io`; it stops when `stopping` becomes true.
  void start(boost::asio::io_context& io, const std::atomic<bool>& stopping);

  bool overloaded() const { return overloaded_.load(std::memory_order_relaxed); }
  std::chrono::microseconds last_lag() const {
    return std::chrono::microseconds(lag_us_.load(std::memory_order_relaxed));
  }
  std::uint64_t shed_count() const { return shed_.load(std::memory_order_relaxed); }
  void count_shed() { shed_.fetch_add(1, std::memory_order_relaxed); }

 private:
  boost::asio::awaitable<void> probe(const std::atomic<bool>& stopping);

  std::chrono::milliseconds max_lag_;
  std::atomic<bool> overloaded_{false};
  std::atomic<std::int64_t> lag_us_{0};
  std::atomic<std::uint64_t> shed_{0};
};

}  // namespace tessera::http
