// POST /oauth/token: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) with
// client_secret_post and client_secret_basic, scope down-scoping and RFC 6749 §5.2 errors.
//
// A warm client costs no database access: the client comes from the cache, the secret check is
// one HMAC, the token one signature. Only a cache miss goes to the worker pool.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/thread_pool.hpp>

#include "server/auth/authenticator.hpp"
#include "server/auth/throttle.hpp"
#include "server/domain/ids.hpp"
#include "server/http/client_address.hpp"
#include "server/http/load_shedder.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/issue/token_issuer.hpp"
#include "tessera/result.hpp"

namespace tessera::http {

enum class OAuthError {
  invalid_request,
  invalid_client,
  unsupported_grant_type,
  invalid_scope,
  temporarily_unavailable,  // storage down: 503 + Retry-After, never invalid_client
  slow_down,                // brute-force throttle: 429 + Retry-After
  server_error,
};

// A token request with its credentials, whichever way they came.
struct TokenRequest {
  std::string client_id;
  std::string client_secret;
  std::optional<std::string> scope;
  bool used_basic = false;
};

struct TokenRequestError {
  OAuthError error;
  std::string description;
  bool used_basic = false;
};

// Everything short of authentication: method, media type, form syntax, grant type, credentials.
Result<TokenRequest, TokenRequestError> parse_token_request(const Request& request);

// The granted scopes for a requested `scope` parameter: all registered scopes when absent or
// empty, else the requested subset (nullopt when one is not registered).
std::optional<std::vector<std::string>> grant_scopes(const std::optional<std::string>& requested,
                                                     const std::vector<std::string>& registered);

Response oauth_error(OAuthError error, std::string_view description, bool used_basic);
Response oauth_throttled(std::chrono::seconds retry_after, bool used_basic);

struct TokenPolicy {
  std::int64_t management_token_lifetime = 3600;
};

class TokenEndpoint {
 public:
  TokenEndpoint(auth::ClientAuthenticator& authenticator, auth::Throttle& throttle,
                const TrustedProxies& proxies, auth::LastUsedTracker& last_used,
                const issue::TokenIssuer& issuer, domain::IdGenerator& ids,
                boost::asio::thread_pool& workers, TokenMetrics& metrics, LoadShedder& shedder,
                TokenPolicy policy);

  void add_routes(Router& router, std::size_t body_limit);
  boost::asio::awaitable<Response> handle(Request& request);

 private:
  boost::asio::awaitable<Result<auth::ClientCache::Entry, auth::AuthFailure>> load_client(
      std::string_view client_id, domain::Timestamp now);
  Response issue_for(const auth::Authenticated& who, const TokenRequest& request,
                     domain::Timestamp now);

  auth::ClientAuthenticator& authenticator_;
  auth::Throttle& throttle_;
  const TrustedProxies& proxies_;
  auth::LastUsedTracker& last_used_;
  const issue::TokenIssuer& issuer_;
  domain::IdGenerator& ids_;
  boost::asio::thread_pool& workers_;
  TokenMetrics& metrics_;
  LoadShedder& shedder_;
  TokenPolicy policy_;
};

}  // namespace tessera::http
