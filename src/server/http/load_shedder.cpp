#include "server/http/load_shedder.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tessera::http {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto kPeriod = std::chrono::milliseconds(10);

}  // namespace

void LoadShedder::start(const std::vector<asio::io_context*>& loops,
                        const std::atomic<bool>& stopping) {
  if (max_lag_.count() == 0) return;
  for (asio::io_context* loop : loops) {
    auto& lag_us = lag_us_.emplace_back(0);
    asio::co_spawn(*loop, probe(lag_us, stopping), asio::detached);
  }
}

std::chrono::microseconds LoadShedder::last_lag() const {
  std::int64_t largest = 0;
  for (const auto& lag_us : lag_us_)
    largest = std::max(largest, lag_us.load(std::memory_order_relaxed));
  return std::chrono::microseconds(largest);
}

asio::awaitable<void> LoadShedder::probe(std::atomic<std::int64_t>& lag_us,
                                         const std::atomic<bool>& stopping) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  bool shedding = false;
  while (!stopping.load()) {
    const auto due = Clock::now() + kPeriod;
    timer.expires_at(due);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due);
    lag_us.store(lag.count(), std::memory_order_relaxed);
    // Hysteresis: shed from max_lag, resume below half of it, so the state does not flap.
    if (!shedding && lag > max_lag_) {
      shedding = true;
      overloaded_loops_.fetch_add(1, std::memory_order_relaxed);
    } else if (shedding && lag < max_lag_ / 2) {
      shedding = false;
      overloaded_loops_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  if (shedding) overloaded_loops_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace tessera::http
