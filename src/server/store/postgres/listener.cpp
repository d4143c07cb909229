#include "server/store/postgres/listener.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include "server/store/postgres/queries.hpp"

namespace tessera::store::postgres {
namespace {

// With no traffic for this long the connection is probed with a query: keepalives may be turned
// off in the URL, and a half-open connection would otherwise wait forever.
constexpr int kIdleProbeMillis = 5000;

}  // namespace

Listener::Listener(std::string url, ConnectOptions options, ChangeHub& hub,
                   std::function<void()> on_connected)
    : url_(std::move(url)), options_(options), hub_(hub), on_connected_(std::move(on_connected)) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
}

Listener::~Listener() {
  stop();
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

void Listener::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void Listener::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
}

void Listener::run() {
  using std::chrono::milliseconds;
  const milliseconds min_backoff(100);
  const milliseconds max_backoff(1000);
  milliseconds backoff = min_backoff;
  bool gap = false;  // the first connection has missed nothing: nobody listened before it
  while (!stopping_) {
    try {
      Connection connection(url_, options_);
      connection.exec("LISTEN " + std::string(queries::kChangeChannel));
      connected_ = true;
      backoff = min_backoff;
      if (on_connected_) on_connected_();
      if (gap) hub_.publish(Change{Change::Kind::resync, {}});
      drain(connection);   // anything that arrived with the LISTEN's answer
      listen(connection);  // returns only when stopping; throws when the connection fails
    } catch (const std::exception&) {
      // Reconnect below.
    }
    connected_ = false;
    gap = true;
    pause(backoff);
    backoff = std::min(backoff * 2, max_backoff);
  }
}

void Listener::listen(Connection& connection) {
  PGconn* conn = connection.raw();
  while (!stopping_) {
    pollfd fds[2] = {{PQsocket(conn), POLLIN, 0}, {wake_[0], POLLIN, 0}};
    const int ready = ::poll(fds, 2, kIdleProbeMillis);
    if (stopping_) return;
    if (ready == 0) {
      connection.exec("SELECT 1");  // throws if the server is gone
    } else if (ready > 0 && fds[0].revents != 0) {
      if (PQconsumeInput(conn) == 0) throw PgError("", PQerrorMessage(conn));
    }
    drain(connection);
    if (!connection.healthy()) throw PgError("", "LISTEN connection lost");
  }
}

void Listener::drain(Connection& connection) {
  while (PGnotify* notification = PQnotifies(connection.raw())) {
    if (auto change = queries::decode_change(notification->extra)) hub_.publish(*change);
    PQfreemem(notification);
  }
}

void Listener::pause(std::chrono::milliseconds duration) {
  pollfd fd{wake_[0], POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(duration.count()));
}

}  // namespace tessera::store::postgres
