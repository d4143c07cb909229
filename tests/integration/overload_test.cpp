// Overload at about twice the measured capacity. An open-loop generator (requests are sent on a
// schedule, whether or not earlier ones were answered, as real traffic arrives) drives /oauth/token
// over a pool of keep-alive connections. The excess must be shed with 503/429 + Retry-After while
// real tokens keep coming out, the server's memory stays flat, /keys and /healthz answer promptly
// throughout, and once the load stops the server is fully back within seconds. Label: faults.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Under AddressSanitizer freed memory sits in quarantine (up to 256 MiB), so RSS grows with the
// request count whatever the server does: the memory checks mean something only without it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif
#else
constexpr bool kThreadSanitizer = false;
#endif

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

struct Outcome {
  long ok = 0;
  long shed = 0;  // 503 or 429, each with Retry-After
  long shed_without_retry = 0;
  long other = 0;
  long unsent = 0;                 // due, but no free connection to send it on
  std::vector<double> ok_latency;  // seconds, of the 200s
};

// Drives `rate` token requests per second for `duration` over `pool` keep-alive connections,
// single-threaded with epoll. A connection carries one request at a time.
class LoadLoop {
 public:
  LoadLoop(std::uint16_t port, std::string request, int pool) : request_(std::move(request)) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < pool; ++i) {
      auto connection = std::make_unique<Slot>();
      connection->socket = std::make_unique<Connection>(port);
      connection->fd = connection->socket->native_handle();
      ::fcntl(connection->fd, F_SETFL, ::fcntl(connection->fd, F_GETFL) | O_NONBLOCK);
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u32 = static_cast<std::uint32_t>(slots_.size());
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, connection->fd, &event);
      slots_.push_back(std::move(connection));
    }
  }
  ~LoadLoop() { ::close(epoll_); }

  Outcome run(double rate, std::chrono::milliseconds duration,
              const std::function<void()>& every_250ms = {}) {
    Outcome outcome;
    const auto start = Clock::now();
    auto next_tick = start;
    long sent = 0;
    std::vector<std::size_t> idle;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (!slots_[i]->busy && !slots_[i]->dead) idle.push_back(i);
    }
    // Send on schedule until `duration`, then collect the answers still due (bounded).
    while (true) {
      const auto now = Clock::now();
      const bool sending = now - start < duration;
      if (sending) {
        const long due =
            static_cast<long>(rate * std::chrono::duration<double>(now - start).count());
        while (sent < due) {
          ++sent;
          if (idle.empty()) {
            ++outcome.unsent;
            continue;
          }
          Slot& slot = *slots_[idle.back()];
          idle.pop_back();
          slot.busy = true;
          slot.sent_at = now;
          if (!slot.socket->try_send(request_)) {
            slot.dead = true;
            ++outcome.other;
          }
        }
      } else if (std::none_of(slots_.begin(), slots_.end(),
                              [](const auto& s) { return s->busy && !s->dead; }) ||
                 now - start > duration + 10s) {
        break;
      }
      if (every_250ms && now >= next_tick) {
        every_250ms();
        next_tick = now + 250ms;
      }
      epoll_event events[64];
      const int ready = ::epoll_wait(epoll_, events, 64, 1);
      for (int i = 0; i < ready; ++i) {
        const std::size_t index = events[i].data.u32;
        Slot& slot = *slots_[index];
        if (!read_answers(slot, outcome)) {
          slot.dead = true;
          ::epoll_ctl(epoll_, EPOLL_CTL_DEL, slot.fd, nullptr);
          ++outcome.other;
          continue;
        }
        if (!slot.busy) idle.push_back(index);
      }
    }
    return outcome;
  }

 private:
  struct Slot {
    std::unique_ptr<Connection> socket;
    int fd = -1;
    bool busy = false;
    bool dead = false;
    Clock::time_point sent_at;
    std::string buffer;
  };

  // Reads what is there; classifies a complete answer. False when the connection is gone.
  static bool read_answers(Slot& slot, Outcome& outcome) {
    char chunk[16384];
    for (;;) {
      const ssize_t n = ::recv(slot.fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        slot.buffer.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) return false;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return false;
    }
    const auto head_end = slot.buffer.find("\r\n\r\n");
    if (head_end == std::string::npos) return true;
    const std::string head = slot.buffer.substr(0, head_end);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto length_at = lower.find("content-length:");
    const std::size_t length =
        length_at == std::string::npos ? 0 : std::stoul(lower.substr(length_at + 15));
    if (slot.buffer.size() < head_end + 4 + length) return true;
    const int status = std::atoi(head.c_str() + 9);
    const bool retry_after = lower.find("\r\nretry-after:") != std::string::npos;
    if (status == 200) {
      ++outcome.ok;
      outcome.ok_latency.push_back(
          std::chrono::duration<double>(Clock::now() - slot.sent_at).count());
    } else if (status == 503 || status == 429) {
      ++(retry_after ? outcome.shed : outcome.shed_without_retry);
    } else {
      ++outcome.other;
    }
    slot.buffer.erase(0, head_end + 4 + length);
    slot.busy = false;
    return lower.find("\r\nconnection: close") == std::string::npos;
  }

  std::string request_;
  int epoll_ = -1;
  std::vector<std::unique_ptr<Slot>> slots_;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * values.size()))];
}

class OverloadTest : public ServerTest {
 protected:
  // Shed early: the generator below keeps at most 400 requests in flight, which queues about 80 ms
  // of work on this machine, under the default 100 ms threshold.
  ServerOptions server_options() override { return {.args = {"--shed-lag-ms", "20"}}; }
};

TEST_F(OverloadTest, ExcessIsShedMemoryStaysFlatProbesAnswerAndServiceRecovers) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient client = api->create_client_raw(org_id, kSeedClientBody);
  ASSERT_EQ(api->token_post(client.id(), client.plain_secret).status, 200);
  const std::string form = "grant_type=client_credentials&client_id=" + client.id() +
                           "&client_secret=" + form_encode(client.plain_secret);
  const std::string token_request =
      format_request(server->port(), "POST", "/oauth/token",
                     {{"Content-Type", "application/x-www-form-urlencoded"}}, form, false);

  // Capacity: what a closed loop of a few connections gets (each waits for its answer, so nothing
  // queues), as tokens per second.
  double capacity = 0;
  {
    std::atomic<long> done{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&] {
        Connection connection(server->port());
        while (!stop) {
          connection.send(token_request);
          const auto response = connection.read_response();
          if (!response || response->status != 200) return;
          ++done;
        }
      });
    }
    std::this_thread::sleep_for(2s);
    stop = true;
    for (auto& t : threads)
      t.join();
    capacity = static_cast<double>(done) / 2.0;
  }
  ASSERT_GT(capacity, 10) << "the server hardly answered at all";

  // Probes on their own connections throughout: /healthz and /keys must keep answering.
  std::atomic<bool> probing{true};
  std::vector<double> probe_latency;
  int probe_failures = 0;
  std::thread prober([&] {
    while (probing) {
      for (const char* path : {"/healthz", "/keys"}) {
        const auto sent = Clock::now();
        try {
          const Response r = request(server->port(), "GET", path);
          probe_latency.push_back(std::chrono::duration<double>(Clock::now() - sent).count());
          if (r.status != 200) ++probe_failures;
        } catch (const std::exception&) {
          ++probe_failures;
        }
      }
      std::this_thread::sleep_for(100ms);
    }
  });

  // Overload: twice the capacity, open loop, for six seconds. RSS sampled every 250 ms.
  const long rss_start = rss_kib(server->pid());
  std::vector<long> rss;
  LoadLoop load(server->port(), token_request, 400);
  const Outcome outcome =
      load.run(2 * capacity, 6s, [&] { rss.push_back(rss_kib(server->pid())); });
  probing = false;
  prober.join();

  const long answered = outcome.ok + outcome.shed + outcome.shed_without_retry + outcome.other;
  std::cout << "[ overload ] capacity " << capacity << "/s, offered " << 2 * capacity
            << "/s for 6 s: " << outcome.ok << " tokens, " << outcome.shed << " shed, "
            << outcome.shed_without_retry << " shed without Retry-After, " << outcome.other
            << " other, " << outcome.unsent << " unsent; token p50 "
            << percentile(outcome.ok_latency, 0.5) << " s, p99 "
            << percentile(outcome.ok_latency, 0.99) << " s; probes max "
            << percentile(probe_latency, 1.0) << " s; RSS " << rss_start << " -> "
            << (rss.empty() ? -1 : rss.back()) << " KiB (max "
            << (rss.empty() ? -1 : *std::max_element(rss.begin(), rss.end())) << ")\n";

  // The excess was shed, each refusal with Retry-After, nothing else went wrong.
  EXPECT_GT(outcome.shed, answered / 20) << "less than 5% shed at twice the capacity";
  EXPECT_EQ(outcome.shed_without_retry, 0);
  EXPECT_EQ(outcome.other, 0);
  // Real work went on: at least half the capacity in tokens, none of them waiting for long.
  // Under a sanitizer the signature (OpenSSL is not instrumented) costs what it always does while
  // every refusal costs several times more, so at twice the capacity the refusals alone take most
  // of the CPU. Since the accept loop takes all 400 connections at once, ASan goodput measured
  // 2.6-17 % of capacity (the normal build: 84-93 %); there it only has to reach 1 %, and under
  // TSan, slower still, the test is about races, not goodput.
  const bool sanitized = kAddressSanitizer || kThreadSanitizer;
  if (!kThreadSanitizer) {
    EXPECT_GT(static_cast<double>(outcome.ok), capacity * 6 * (sanitized ? 0.01 : 0.5));
  }
  EXPECT_LT(percentile(outcome.ok_latency, 0.5), 1.0);
  // The cheap endpoints stayed responsive.
  EXPECT_EQ(probe_failures, 0);
  EXPECT_FALSE(probe_latency.empty());
  EXPECT_LT(percentile(probe_latency, 1.0), sanitized ? 5.0 : 2.0);
  // Memory flat: the second half of the overload holds no more than the first half plus a margin
  // (a per-request leak at these rates would add megabytes per second).
  ASSERT_GE(rss.size(), 8u);
  if (kAddressSanitizer) std::cout << "[ overload ] RSS not checked under AddressSanitizer\n";
  const long first_half = *std::max_element(rss.begin(), rss.begin() + rss.size() / 2);
  const long second_half = *std::max_element(rss.begin() + rss.size() / 2, rss.end());
  if (!kAddressSanitizer) {
    EXPECT_LE(second_half, first_half + first_half / 10 + 4096) << "RSS grew under overload";
    EXPECT_LE(second_half, rss_start + 64 * 1024) << "RSS grew beyond 64 MiB under overload";
  }

  // Recovery: within a few seconds after the load stops, every token request succeeds again.
  const auto stopped = Clock::now();
  int consecutive = 0;
  while (consecutive < 20 && Clock::now() - stopped < 10s) {
    const Response r = api->token_post(client.id(), client.plain_secret);
    consecutive = r.status == 200 ? consecutive + 1 : 0;
    if (r.status != 200) std::this_thread::sleep_for(50ms);
  }
  const double recovery = std::chrono::duration<double>(Clock::now() - stopped).count();
  EXPECT_EQ(consecutive, 20);
  EXPECT_LT(recovery, 5.0) << "not fully back within 5 s";
  std::cout << "[ overload ] recovered in " << recovery << " s\n";
  EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);
}

// New connections while every I/O thread is busy signing: the accept loop gets one turn per pass
// through the event loop's queue, so it must take every connection the kernel has queued in that
// turn. Taking one per turn left a burst of newcomers waiting for seconds (p99 above 1 s with 256
// wrk connections against 65 ms for the rest).
class AcceptBurstTest : public ServerTest {
 protected:
  // No shedding: the busy connections must keep the I/O threads signing, not refusing.
  ServerOptions server_options() override { return {.args = {"--shed-lag-ms", "0"}}; }
};

TEST_F(AcceptBurstTest, ABurstOfNewConnectionsIsServedPromptlyWhileTheServerIsBusy) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient client = api->create_client_raw(org_id, kSeedClientBody);
  const std::string form = "grant_type=client_credentials&client_id=" + client.id() +
                           "&client_secret=" + form_encode(client.plain_secret);
  const std::string token_request =
      format_request(server->port(), "POST", "/oauth/token",
                     {{"Content-Type", "application/x-www-form-urlencoded"}}, form, false);

  // 64 connections in a closed loop: each sends its next token request as soon as it is answered
  // (a rate far above capacity leaves no connection idle).
  Outcome busy;
  std::thread load([&] {
    LoadLoop loop(server->port(), token_request, 64);
    busy = loop.run(1e6, 5s);
  });
  std::this_thread::sleep_for(1500ms);

  constexpr int kNewcomers = 500;
  const auto burst = Clock::now();
  std::vector<std::unique_ptr<Connection>> newcomers;
  for (int i = 0; i < kNewcomers; ++i) {
    newcomers.push_back(std::make_unique<Connection>(server->port()));
    newcomers.back()->send(format_request(server->port(), "GET", "/healthz", {}, "", false));
  }
  int answered = 0;
  for (auto& connection : newcomers) {
    const auto response = connection->read_response(20s);
    if (response && response->status == 200) ++answered;
  }
  const double slowest = std::chrono::duration<double>(Clock::now() - burst).count();
  load.join();

  std::cout << "[ accept burst ] " << answered << " of " << kNewcomers
            << " new connections answered within " << slowest << " s, while 64 others got "
            << busy.ok << " tokens\n";
  EXPECT_EQ(answered, kNewcomers);
  EXPECT_GT(busy.ok, 0);
  EXPECT_EQ(busy.other, 0);
  // Measured on the development VM: 0.10 s for 500 newcomers; one connection per turn took
  // 2.3 s (a turn of a few signatures each), growing with the number of newcomers.
  EXPECT_LT(slowest, kAddressSanitizer || kThreadSanitizer ? 3.0 : 0.75);
}

}  // namespace
}  // namespace tessera::it
