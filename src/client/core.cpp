#include "client/core.hpp"

#include <algorithm>

namespace tessera::client::detail {
namespace {

std::string without_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

std::optional<Error> check_env_url(const std::string& url, bool allow_http) {
  switch (net::check_url(url, true)) {
    case net::UrlCheck::ok:
      break;
    case net::UrlCheck::malformed:
    case net::UrlCheck::insecure:
      return wire::configuration_error("must be an absolute http(s) URL with a host", "env_url");
  }
  if (!allow_http && net::check_url(url, false) != net::UrlCheck::ok &&
      !net::is_loopback_url(url)) {
    return wire::configuration_error(
        "http:// sends the credentials in clear text; use https:// (or set allow_http)", "env_url");
  }
  return std::nullopt;
}

bool is_success(long status) {
  return status >= 200 && status < 300;
}

// An exception from decoding (wrong types, missing members) becomes a protocol error.
Result<Json, Error> parse_body(const net::Response& response) {
  if (response.body.empty()) return Json::object();
  Json body = Json::parse(response.body, nullptr, false);
  if (!body.is_object()) {
    return fail(
        wire::protocol_error("the answer is not a JSON object", static_cast<int>(response.status)));
  }
  return body;
}

}  // namespace

Core::Core(std::string env_url, std::string client_id, std::string client_secret,
           ClientOptions options)
    : env_url_(without_trailing_slashes(std::move(env_url))),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      options_(std::move(options)),
      config_error_(check_env_url(env_url_, options_.allow_http)) {}

Core::TimePoint Core::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

ClientStats Core::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

Result<net::Response, Error> Core::send(net::Request request) {
  if (config_error_) return fail(*config_error_);
  // The configuration check above already refused insecure URLs; this only lets loopback through.
  request.allow_http = true;
  request.ca_file = options_.ca_file;
  request.connect_timeout = options_.connect_timeout;
  request.total_timeout = options_.request_timeout;
  request.max_response_bytes = options_.max_response_bytes;
  request.user_agent = options_.user_agent;
  request.headers.push_back({"Accept", "application/json"});
  {
    std::lock_guard lock(mutex_);
    ++stats_.requests;
  }
  auto response = session_.perform(request);
  if (!response) return fail(wire::transport_error(response.error()));
  return std::move(*response);
}

Result<AccessToken, Error> Core::request_token(std::string_view client_id,
                                               std::string_view client_secret,
                                               const std::vector<std::string>& scopes) {
  if (client_id.empty()) return fail(wire::configuration_error("must not be empty", "client_id"));
  std::string form = "grant_type=client_credentials&client_id=" + net::percent_encode(client_id) +
                     "&client_secret=" + net::percent_encode(client_secret);
  if (!scopes.empty()) {
    std::string joined;
    for (const auto& scope : scopes)
      joined += (joined.empty() ? "" : " ") + scope;
    form += "&scope=" + net::percent_encode(joined);
  }
  auto response = send({.method = "POST",
                        .url = env_url_ + "/oauth/token",
                        .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                        .body = std::move(form)});
  if (!response) return fail(response.error());
  if (!is_success(response->status)) return fail(wire::oauth_error(*response));
  auto body = parse_body(*response);
  if (!body) return fail(body.error());
  try {
    return wire::token_from(*body);
  } catch (const std::exception& e) {
    return fail(wire::protocol_error(std::string("token response: ") + e.what(),
                                     static_cast<int>(response->status)));
  }
}

std::optional<std::string> Core::fresh_token(std::string_view rejected) const {
  std::lock_guard lock(mutex_);
  if (!token_ || token_->value == rejected || now() >= token_->refresh_at) return std::nullopt;
  return token_->value;
}

Result<std::string, Error> Core::bearer(std::string_view rejected) {
  if (auto token = fresh_token(rejected)) return std::move(*token);
  std::lock_guard refresh(refresh_mutex_);
  // Another caller may have fetched one while this one waited for the lock.
  if (auto token = fresh_token(rejected)) return std::move(*token);
  const TimePoint requested_at = now();
  auto fetched = request_token(client_id_, client_secret_, {});
  if (!fetched) return fail(fetched.error());
  // Counted from before the request, so that the server's clock started no earlier than ours.
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(fetched->expires_in);
  const auto margin = std::min(options_.refresh_margin, lifetime / 2);
  std::lock_guard lock(mutex_);
  ++stats_.management_token_fetches;
  token_ = CachedToken{fetched->access_token, requested_at + lifetime - margin};
  return std::move(fetched->access_token);
}

Result<net::Response, Error> Core::send_authorized(std::string_view method, const std::string& url,
                                                   const std::string& body,
                                                   const std::string& token) {
  net::Request request{.method = std::string(method), .url = url, .body = body};
  request.headers.push_back({"Authorization", "Bearer " + token});
  if (!body.empty()) request.headers.push_back({"Content-Type", "application/json"});
  return send(std::move(request));
}

Result<Json, Error> Core::call(std::string_view method, const std::string& path, const Json* body) {
  const std::string url = env_url_ + path;
  const std::string payload = body == nullptr ? std::string() : body->dump();
  auto token = bearer({});
  if (!token) return fail(token.error());
  auto response = send_authorized(method, url, payload, *token);
  // The token may have been revoked or signed by a key the server no longer knows (a restore, a
  // new database): one new token, one more try.
  if (response && response->status == 401) {
    auto renewed = bearer(*token);
    if (!renewed) return fail(renewed.error());
    {
      std::lock_guard lock(mutex_);
      ++stats_.unauthorized_retries;
    }
    response = send_authorized(method, url, payload, *renewed);
  }
  if (!response) return fail(response.error());
  if (!is_success(response->status)) return fail(wire::api_error(*response));
  return parse_body(*response);
}

}  // namespace tessera::client::detail
