#include "net/http.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace tessera::net {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  void operator()(char* s) const { curl_free(s); }
};
template <class T>
using CurlOwned = std::unique_ptr<T, CurlFree>;

// Idle handles beyond this are closed: a burst of parallel calls should not pin sockets forever.
constexpr std::size_t kMaxIdleHandles = 8;

// curl_global_init is not guaranteed thread-safe on every libcurl build; do it exactly once.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

struct Transfer {
  std::size_t max_bytes = 0;
  Response response{};
  bool too_large = false;
};

// Bodies without a Content-Length (chunked) are cut off here, not after the fact.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  if (transfer->response.body.size() + len > transfer->max_bytes) {
    transfer->too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  const std::string_view line(data, len);
  // A status line starts a new response (after a 100 Continue): forget the interim headers.
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();
    return len;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  transfer->response.headers.push_back(
      {lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
  return len;
}

CurlOwned<curl_slist> header_list(const Request& request) {
  curl_slist* list = nullptr;
  // libcurl would otherwise wait for "100 Continue" before sending larger bodies.
  list = curl_slist_append(list, "Expect:");
  for (const auto& header : request.headers) {
    const std::string line = header.name + ": " + header.value;
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) {
      curl_slist_free_all(list);
      return nullptr;
    }
    list = next;
  }
  return CurlOwned<curl_slist>(list);
}

void set_method_and_body(CURL* curl, const Request& request) {
  const bool sends_body = !request.body.empty() || request.method == "POST" ||
                          request.method == "PUT" || request.method == "PATCH";
  if (sends_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  if (request.method != (sends_body ? "POST" : "GET")) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

void configure(CURL* curl, const Request& request, Transfer& transfer, curl_slist* headers) {
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // Checked at transfer time, so a scheme can never sneak past a configuration check.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, request.allow_http ? "http,https" : "https");
  if (!request.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // required for multi-threaded use
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(request.max_response_bytes));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, request.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  set_method_and_body(curl, request);
}

Error error_of(CURLcode rc, bool too_large) {
  if (too_large || rc == CURLE_FILESIZE_EXCEEDED) return Error::too_large;
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) return Error::refused_scheme;
  if (rc == CURLE_URL_MALFORMAT) return Error::bad_url;
  if (rc == CURLE_OPERATION_TIMEDOUT) return Error::timeout;
  return Error::transport;
}

Result<Response, Error> exchange(CURL* curl, const Request& request) {
  CurlOwned<curl_slist> headers = header_list(request);
  if (!headers) return fail(Error::transport);
  Transfer transfer{.max_bytes = request.max_response_bytes};
  configure(curl, request, transfer, headers.get());
  const CURLcode rc = curl_easy_perform(curl);
  // Read before the reset below, which also clears the transfer's info.
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  // The handle must not keep pointers into this frame's buffers for its next user.
  curl_easy_reset(curl);
  if (rc != CURLE_OK || transfer.too_large) return fail(error_of(rc, transfer.too_large));
  return std::move(transfer.response);
}

std::optional<std::string> url_host(const std::string& url) {
  CurlOwned<CURLU> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  char* host_raw = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_HOST, &host_raw, 0) != CURLUE_OK) return std::nullopt;
  CurlOwned<char> host(host_raw);
  return lower(host.get());
}

}  // namespace

struct Session::Handle {
  CurlOwned<CURL> curl;
};

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::string Response::joined_header(std::string_view name) const {
  std::string out;
  for (const auto& h : headers) {
    if (h.name != name) continue;
    if (!out.empty()) out += ", ";
    out += h.value;
  }
  return out;
}

std::string_view to_string(Error error) {
  switch (error) {
    case Error::bad_url:
      return "malformed URL";
    case Error::refused_scheme:
      return "URL scheme refused (https required)";
    case Error::timeout:
      return "request timed out";
    case Error::transport:
      return "could not connect or the connection failed";
    case Error::too_large:
      return "response too large";
  }
  return "unknown transport error";
}

Session::Session() {
  init_curl_once();
}
Session::~Session() = default;

std::unique_ptr<Session::Handle> Session::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  auto handle = std::make_unique<Handle>();
  handle->curl.reset(curl_easy_init());
  if (!handle->curl) return nullptr;
  return handle;
}

void Session::release(std::unique_ptr<Handle> handle) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
}

Result<Response, Error> Session::perform(const Request& request) {
  auto handle = acquire();
  if (!handle) return fail(Error::transport);
  auto result = exchange(handle->curl.get(), request);
  release(std::move(handle));
  return result;
}

Result<Response, Error> perform(const Request& request) {
  init_curl_once();
  CurlOwned<CURL> curl(curl_easy_init());
  if (!curl) return fail(Error::transport);
  return exchange(curl.get(), request);
}

UrlCheck check_url(const std::string& url, bool allow_http) {
  CurlOwned<CURLU> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return UrlCheck::malformed;
  }
  char* scheme_raw = nullptr;
  char* host_raw = nullptr;
  const bool has_scheme = curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme_raw, 0) == CURLUE_OK;
  CurlOwned<char> scheme(scheme_raw);
  const bool has_host = curl_url_get(parsed.get(), CURLUPART_HOST, &host_raw, 0) == CURLUE_OK;
  CurlOwned<char> host(host_raw);
  if (!has_scheme || !has_host || std::string_view(host.get()).empty()) return UrlCheck::malformed;
  const std::string_view name(scheme.get());  // libcurl returns it lower-cased
  if (name == "https") return UrlCheck::ok;
  if (name == "http") return allow_http ? UrlCheck::ok : UrlCheck::insecure;
  return UrlCheck::malformed;
}

bool is_loopback_url(const std::string& url) {
  if (check_url(url, true) != UrlCheck::ok) return false;
  const auto host = url_host(url);
  if (!host) return false;
  if (*host == "localhost") return true;
  // Only address literals count: "127.example.com" is a name like any other.
  in_addr v4{};
  if (::inet_pton(AF_INET, host->c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    const std::string bare = host->substr(1, host->size() - 2);
    return ::inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

}  // namespace tessera::net
