#include "server/http/load_shedder.hpp"

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

void LoadShedder::start(asio::io_context& io, const std::atomic<bool>& stopping) {
  if (max_lag_.count() == 0) return;
  asio::co_spawn(io, probe(stopping), asio::detached);
}

asio::awaitable<void> LoadShedder::probe(const std::atomic<bool>& stopping) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping.load()) {
    const auto due = Clock::now() + kPeriod;
    timer.expires_at(due);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due);
    lag_us_.store(lag.count(), std::memory_order_relaxed);
    // Hysteresis: shed from max_lag, resume below half of it, so the state does not flap.
    if (lag > max_lag_) {
      overloaded_.store(true, std::memory_order_relaxed);
    } else if (lag < max_lag_ / 2) {
      overloaded_.store(false, std::memory_order_relaxed);
    }
  }
}

}  // namespace tessera::http
