// The shedder probes each event loop: one loop stuck behind long work must be enough to shed, and
// recovery must follow once that loop is free again.
#include "server/http/load_shedder.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace tessera::http {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class TwoLoops : public ::testing::Test {
 protected:
  void TearDown() override {
    release = true;
    stopping = true;
    for (auto* loop : {&first, &second})
      loop->stop();
    for (auto& thread : threads)
      thread.join();
  }
  void run() {
    for (auto* loop : {&first, &second}) {
      threads.emplace_back([loop] {
        auto busy = asio::make_work_guard(*loop);
        loop->run();
      });
    }
  }
  // Keeps `loop` busy in 80 ms slices until `release`, so that each of its timers fires late.
  void hog(asio::io_context& loop) {
    asio::post(loop, [this, &loop] {
      std::this_thread::sleep_for(80ms);
      if (!release) hog(loop);
    });
  }
  template <class Predicate>
  static bool eventually(Predicate predicate, std::chrono::milliseconds limit = 3s) {
    for (const auto end = std::chrono::steady_clock::now() + limit;
         std::chrono::steady_clock::now() < end; std::this_thread::sleep_for(5ms)) {
      if (predicate()) return true;
    }
    return predicate();
  }

  std::optional<LoadShedder> shedder;  // outlives the loops' probes: TearDown joins them first
  asio::io_context first{1};
  asio::io_context second{1};
  std::atomic<bool> stopping{false};
  std::atomic<bool> release{false};
  std::vector<std::thread> threads;
};

TEST_F(TwoLoops, ShedsWhileEitherLoopLagsAndRecoversAfter) {
  shedder.emplace(50ms);
  shedder->start({&first, &second}, stopping);
  run();
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(shedder->overloaded());

  hog(second);  // the first loop keeps its timer on time
  EXPECT_TRUE(eventually([&] { return shedder->overloaded(); }))
      << "one loop running 80 ms late did not start shedding";
  EXPECT_GE(shedder->last_lag(), 50ms) << "last_lag is not the largest of the loops' lags";
  release = true;
  EXPECT_TRUE(eventually([&] { return !shedder->overloaded(); }))
      << "shedding did not stop once the loop was on time again";
}

TEST_F(TwoLoops, ZeroMaxLagNeverProbes) {
  shedder.emplace(0ms);
  shedder->start({&first, &second}, stopping);
  run();
  hog(first);
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(shedder->overloaded());
  EXPECT_EQ(shedder->last_lag(), 0us);
}

}  // namespace
}  // namespace tessera::http
