// The latency floor of target 1's paced run (issue 5): the thinnest HTTP/1.1 server around a raw
// OpenSSL RS256 signature, loaded by the same wrk script as tessera in the same run. Whatever
// p99 it shows at half the signing ceiling is what this machine, its scheduler and wrk's pacing
// give any server whose work per request is one signature; tessera's p99 is read against it.
//
//   sign_server PORT THREADS shared|per-thread
//
// Each request (any method and path, with or without a Content-Length body) is answered 200 with
// a fresh RS256 signature over a fixed JWT-sized header and payload, base64url-encoded, as the
// body. `per-thread`: one epoll set per thread, connections dealt out in turn, as tessera's event
// loops are. `shared`: one epoll set for all threads, each connection armed one-shot, so that
// whichever thread is free serves the next ready connection: a single queue for all cores.
//
// Benchmark code only: it trusts its client (wrk on loopback), bounds nothing and has no timeouts.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace {

// The size of a tessera token's signing input for the guide's client (header and claims).
constexpr std::string_view kSigningInput =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InNua18xMjM0NTY3ODkwMTIzNDU2IiwidHlwIjoiSldUIn0."
    "eyJhdWQiOlsiZGVwbG95bWVudC1hcGkuYWNtZWNvcnAuY29tIl0sImNsaWVudF9pZCI6Im0ybW9yZ18xMjM0NTY3"
    "ODkwMTIzNDU2IiwiZW52aXJvbm1lbnQiOiJwcm9kdWN0aW9uX3VzIiwiZXhwIjoxNzY1MTU0MDAwLCJpYXQiOjE3"
    "NjUxNTA0MDAsImlzcyI6Imh0dHA6Ly8xMjcuMC4wLjE6MTgwODAiLCJqdGkiOiJ0a25fMTIzNDU2Nzg5MDEyMzQ1"
    "NiIsIm5iZiI6MTc2NTE1MDQwMCwib2lkIjoib3JnXzEyMzQ1Njc4OTAxMjM0NTYiLCJzY29wZXMiOlsiZGVwbG95"
    "OmFwcGxpY2F0aW9ucyIsInJlYWQ6ZGVwbG95bWVudHMiXSwic3ViIjoibTJtb3JnXzEyMzQ1Njc4OTAxMjM0NTYi"
    "fQ";

struct Connection {
  int fd;
  std::string in;
};

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

EVP_PKEY* generate_key() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) die("EVP_RSA_gen");
  return key;
}

std::string base64url(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::string sign(EVP_PKEY* key) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char signature[512];
  std::size_t length = sizeof signature;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx, signature, &length,
                     reinterpret_cast<const unsigned char*>(kSigningInput.data()),
                     kSigningInput.size()) != 1) {
    die("EVP_DigestSign");
  }
  EVP_MD_CTX_free(ctx);
  std::string token(kSigningInput);
  token += '.';
  token += base64url(signature, length);
  return token;
}

// The length of the first complete request in `in`, or 0 while it is incomplete.
std::size_t complete_request(const std::string& in) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  std::size_t body = 0;
  for (std::size_t line = in.find("\r\n") + 2; line < end; line = in.find("\r\n", line) + 2) {
    if (strncasecmp(in.data() + line, "content-length:", 15) == 0) {
      body = std::strtoul(in.data() + line + 15, nullptr, 10);
    }
  }
  return in.size() >= end + 4 + body ? end + 4 + body : 0;
}

void write_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) continue;  // loopback, small answers: never in practice
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Reads what is there and answers every complete request; false once the peer has gone.
bool serve_ready(Connection& connection, EVP_PKEY* key) {
  char buffer[16384];
  while (true) {
    const ssize_t n = ::recv(connection.fd, buffer, sizeof buffer, 0);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EAGAIN) break;
      return false;
    }
    connection.in.append(buffer, static_cast<std::size_t>(n));
  }
  while (const std::size_t length = complete_request(connection.in)) {
    connection.in.erase(0, length);
    const std::string body = "{\"access_token\":\"" + sign(key) + "\"}";
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    write_all(connection.fd, head + body);
  }
  return true;
}

int listen_on(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("bind");
  if (::listen(fd, 1024) != 0) die("listen");
  return fd;
}

struct Server {
  int listener;
  bool shared;
  EVP_PKEY* key;
  std::vector<int> epolls;  // one, or one per thread
  std::atomic<std::size_t> next{0};

  void arm(int epoll, Connection* connection, int op) const {
    epoll_event event{};
    event.events = EPOLLIN | (shared ? EPOLLONESHOT : 0u);
    event.data.ptr = connection;
    ::epoll_ctl(epoll, op, connection->fd, &event);
  }

  void accept_all() {
    while (true) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
      if (fd < 0) return;
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      arm(epolls[next++ % epolls.size()], new Connection{fd, {}}, EPOLL_CTL_ADD);
    }
  }

  void run(int epoll) {
    epoll_event events[64];
    while (true) {
      // Shared: take one connection at a time, so that a thread holding a batch never keeps
      // ready connections from an idle thread.
      const int n = ::epoll_wait(epoll, events, shared ? 1 : 64, -1);
      for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == nullptr) {
          accept_all();
          continue;
        }
        auto* connection = static_cast<Connection*>(events[i].data.ptr);
        if (!serve_ready(*connection, key)) {
          ::close(connection->fd);
          delete connection;
        } else if (shared) {
          arm(epoll, connection, EPOLL_CTL_MOD);
        }
      }
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PORT THREADS shared|per-thread\n", argv[0]);
    return 2;
  }
  const int threads = std::atoi(argv[2]);
  Server server{
      listen_on(std::atoi(argv[1])), std::string_view(argv[3]) == "shared", generate_key(), {}, {}};
  const int sets = server.shared ? 1 : threads;
  for (int i = 0; i < sets; ++i)
    server.epolls.push_back(::epoll_create1(0));
  epoll_event listening{};
  listening.events = EPOLLIN;
  listening.data.ptr = nullptr;
  ::epoll_ctl(server.epolls[0], EPOLL_CTL_ADD, server.listener, &listening);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    const int epoll = server.epolls[static_cast<std::size_t>(i) % server.epolls.size()];
    pool.emplace_back([&server, epoll] { server.run(epoll); });
  }
  std::printf("listening\n");
  std::fflush(stdout);
  for (auto& thread : pool)
    thread.join();
}
