// What every handle of a Client shares: the HTTP session, the environment credentials and the
// cached management token.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/wire.hpp"
#include "net/http.hpp"
#include "tessera/client/client.hpp"

namespace tessera::client::detail {

using wire::Json;

class Core {
 public:
  Core(std::string env_url, std::string client_id, std::string client_secret,
       ClientOptions options);

  // A management API call with the cached token, repeated once with a new token after a 401.
  // Returns the JSON body of a 2xx answer (an empty object when there is none).
  Result<Json, Error> call(std::string_view method, const std::string& path,
                           const Json* body = nullptr);

  // POST /oauth/token for any client's credentials.
  Result<AccessToken, Error> request_token(std::string_view client_id,
                                           std::string_view client_secret,
                                           const std::vector<std::string>& scopes);

  const std::string& env_url() const { return env_url_; }
  ClientStats stats() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct CachedToken {
    std::string value;
    TimePoint refresh_at;
  };

  // The cached token while it is fresh and not `rejected`; else a newly fetched one.
  Result<std::string, Error> bearer(std::string_view rejected);
  std::optional<std::string> fresh_token(std::string_view rejected) const;
  Result<net::Response, Error> send(net::Request request);
  Result<net::Response, Error> send_authorized(std::string_view method, const std::string& url,
                                               const std::string& body, const std::string& token);
  TimePoint now() const;

  const std::string env_url_;
  const std::string client_id_;
  const std::string client_secret_;
  const ClientOptions options_;
  const std::optional<Error> config_error_;  // set when env_url cannot be used
  net::Session session_;

  std::mutex refresh_mutex_;  // held while fetching a token: concurrent callers share one fetch
  mutable std::mutex mutex_;  // guards token_ and stats_
  std::optional<CachedToken> token_;
  ClientStats stats_;
};

}  // namespace tessera::client::detail
