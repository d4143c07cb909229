#include "verify/http_fetch.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <string_view>

#include "verify/cache_control.hpp"

namespace tessera::verify::detail {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  void operator()(char* s) const { curl_free(s); }
};
template <class T>
using CurlOwned = std::unique_ptr<T, CurlFree>;

// curl_global_init is not guaranteed thread-safe on every libcurl build; do it exactly once.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

struct Transfer {
  std::size_t max_bytes = 0;
  std::string body{};
  std::string cache_control{};
  bool too_large = false;
};

// Bodies without a Content-Length (chunked) are cut off here, not after the fact.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  if (transfer->body.size() + len > transfer->max_bytes) {
    transfer->too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  transfer->body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  constexpr std::string_view kName = "cache-control:";
  std::string_view line(data, len);
  if (istarts_with(line, kName)) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
      line.remove_suffix(1);
    if (!transfer->cache_control.empty()) transfer->cache_control += ',';
    transfer->cache_control += line;
  }
  return len;
}

void configure(CURL* curl, const HttpGetOptions& options, Transfer& transfer, curl_slist* headers) {
  curl_easy_setopt(curl, CURLOPT_URL, options.url.c_str());
  // Checked again at transfer time, so a scheme can never sneak past the configuration check.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, options.allow_http ? "http,https" : "https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // required for multi-threaded use
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "tessera-sdk");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
}

}  // namespace

Result<HttpResponse, FetchError> http_get(const HttpGetOptions& options) {
  init_curl_once();
  CurlOwned<CURL> curl(curl_easy_init());
  CurlOwned<curl_slist> headers(
      curl_slist_append(nullptr, "Accept: application/jwk-set+json, application/json"));
  if (!curl || !headers) return fail(FetchError::transport);
  Transfer transfer{.max_bytes = options.max_bytes};
  configure(curl.get(), options, transfer, headers.get());

  const CURLcode rc = curl_easy_perform(curl.get());
  if (transfer.too_large || rc == CURLE_FILESIZE_EXCEEDED) return fail(FetchError::too_large);
  if (rc != CURLE_OK) return fail(FetchError::transport);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return fail(FetchError::http_status);
  return HttpResponse{std::move(transfer.body), parse_max_age(transfer.cache_control)};
}

UrlCheck check_jwks_url(const std::string& url, bool allow_http) {
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

}  // namespace tessera::verify::detail
