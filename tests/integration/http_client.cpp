#include "integration/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tessera::it {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

bool has(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return lower(h.first) == lower(name); });
}

}  // namespace

std::string Response::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [n, v] : headers) {
    if (n == key) return v;
  }
  return {};
}

std::size_t Response::header_count(std::string_view name) const {
  const std::string key = lower(name);
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == key; }));
}

nlohmann::json Response::json() const {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("response body is not JSON (" + std::string(e.what()) +
                             "): " + describe());
  }
}

std::string Response::describe() const {
  return "HTTP " + std::to_string(status) + " " + reason + " " + body.substr(0, 2000);
}

Connection::Connection(std::uint16_t port) : Connection(port, std::string()) {}

Connection::Connection(std::uint16_t port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      const std::string error = std::strerror(errno);
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("bind to " + source + ": " + error);
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + error);
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::try_send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Connection::send(std::string_view bytes) {
  if (!try_send(bytes)) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
}

Connection::Fill Connection::fill(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Fill::timeout;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return Fill::timeout;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fill::eof;  // EOF, or a reset: either way the peer is gone
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return Fill::data;
  }
}

std::optional<Response> Connection::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (fill(deadline) != Fill::data) return std::nullopt;
  }
  Response response;
  const std::string head = buffer_.substr(0, header_end);
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  const auto sp1 = status_line.find(' ');
  if (sp1 == std::string::npos || !status_line.starts_with("HTTP/1.")) return std::nullopt;
  response.status = std::atoi(status_line.c_str() + sp1 + 1);
  const auto sp2 = status_line.find(' ', sp1 + 1);
  if (sp2 != std::string::npos) response.reason = status_line.substr(sp2 + 1);
  while (line_end != std::string::npos && line_end < head.size()) {
    const auto start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    response.headers.emplace_back(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  buffer_.erase(0, header_end + 4);
  if (response.status / 100 == 1) return read_response(timeout);  // skip 100 Continue

  if (response.has_header("content-length")) {
    const auto length = std::stoull(response.header("content-length"));
    while (buffer_.size() < length) {
      if (fill(deadline) != Fill::data) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
  } else if (lower(response.header("transfer-encoding")) == "chunked") {
    for (;;) {
      std::size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (fill(deadline) != Fill::data) return std::nullopt;
      }
      const auto size = std::stoull(buffer_.substr(0, eol), nullptr, 16);
      while (buffer_.size() < eol + 2 + size + 2) {
        if (fill(deadline) != Fill::data) return std::nullopt;
      }
      response.body += buffer_.substr(eol + 2, size);
      buffer_.erase(0, eol + 2 + size + 2);
      if (size == 0) break;
    }
  } else if (response.status != 204 && response.status != 304) {
    while (fill(deadline) == Fill::data) {
    }
    response.body = std::move(buffer_);
    buffer_.clear();
  }
  return response;
}

bool Connection::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::size_t before = buffer_.size();
  for (;;) {
    switch (fill(deadline)) {
      case Fill::eof:
        return buffer_.size() == before;
      case Fill::timeout:
        return false;
      case Fill::data:
        return false;
    }
  }
}

std::optional<std::string> Connection::read_until_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    switch (fill(deadline)) {
      case Fill::eof:
        return std::exchange(buffer_, {});
      case Fill::timeout:
        return std::nullopt;
      case Fill::data:
        break;
    }
  }
}

std::string format_request(std::uint16_t port, std::string_view method, std::string_view target,
                           const Headers& headers, std::string_view body, bool close) {
  std::string text;
  text.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has(headers, "host")) text += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (const auto& [name, value] : headers)
    text += name + ": " + value + "\r\n";
  const bool needs_length =
      !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (needs_length && !has(headers, "content-length") && !has(headers, "transfer-encoding")) {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  if (close && !has(headers, "connection")) text += "Connection: close\r\n";
  text += "\r\n";
  text.append(body);
  return text;
}

Response request(std::uint16_t port, std::string_view method, std::string_view target,
                 const Headers& headers, std::string_view body) {
  return request_from(std::string(), port, method, target, headers, body);
}

Response request_from(const std::string& source, std::uint16_t port, std::string_view method,
                      std::string_view target, const Headers& headers, std::string_view body) {
  Connection connection(port, source);
  connection.send(format_request(port, method, target, headers, body, true));
  auto response = connection.read_response();
  if (!response) {
    throw std::runtime_error("no complete response to " + std::string(method) + " " +
                             std::string(target));
  }
  return std::move(*response);
}

}  // namespace tessera::it
