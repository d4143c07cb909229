#include "verify/http_fetch.hpp"

#include "net/http.hpp"
#include "verify/cache_control.hpp"

namespace tessera::verify::detail {

Result<HttpResponse, FetchError> http_get(const HttpGetOptions& options) {
  // A JWKS is fetched every few minutes at most: a fresh connection each time costs nothing
  // worth a pool.
  auto response =
      net::perform({.url = options.url,
                    .headers = {{"Accept", "application/jwk-set+json, application/json"}},
                    .allow_http = options.allow_http,
                    .ca_file = options.ca_file,
                    .connect_timeout = options.connect_timeout,
                    .total_timeout = options.total_timeout,
                    .max_response_bytes = options.max_bytes});
  if (!response) {
    return fail(response.error() == net::Error::too_large ? FetchError::too_large
                                                          : FetchError::transport);
  }
  if (response->status != 200) return fail(FetchError::http_status);
  return HttpResponse{std::move(response->body),
                      parse_max_age(response->joined_header("cache-control"))};
}

UrlCheck check_jwks_url(const std::string& url, bool allow_http) {
  switch (net::check_url(url, allow_http)) {
    case net::UrlCheck::ok:
      return UrlCheck::ok;
    case net::UrlCheck::insecure:
      return UrlCheck::insecure;
    case net::UrlCheck::malformed:
      break;
  }
  return UrlCheck::malformed;
}

}  // namespace tessera::verify::detail
