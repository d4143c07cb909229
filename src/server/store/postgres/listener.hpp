// The PostgreSQL side of the change feed: one dedicated connection that LISTENs on the changes
// channel and hands each notification to the store's ChangeHub. It reconnects by itself (backing
// off up to a second); after any gap it publishes `resync`, because notifications sent while it was
// away are lost for good.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "server/store/change_hub.hpp"
#include "server/store/postgres/connection.hpp"

namespace tessera::store::postgres {

class Listener {
 public:
  // `on_connected` runs on the listener's thread each time its connection is (re)established:
  // proof that the database accepts connections again.
  Listener(std::string url, ConnectOptions options, ChangeHub& hub,
           std::function<void()> on_connected = {});
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Starts the thread on the first call; later calls do nothing.
  void start();
  void stop();
  // Whether the LISTEN connection is up (for tests and health reporting).
  bool connected() const { return connected_; }

 private:
  void run();
  void listen(Connection& connection);
  void drain(Connection& connection);
  // Sleeps up to `duration`, or less when stop() is called.
  void pause(std::chrono::milliseconds duration);

  const std::string url_;
  const ConnectOptions options_;
  ChangeHub& hub_;
  const std::function<void()> on_connected_;
  int wake_[2] = {-1, -1};  // a pipe: stop() writes, the poll loop wakes
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::mutex mutex_;
  std::thread thread_;
};

}  // namespace tessera::store::postgres
