// The address a request really comes from. Behind a reverse proxy the peer is the proxy, so the
// X-Forwarded-For chain is believed only when the peer is a configured trusted proxy; otherwise a
// client could pick the address the brute-force throttle charges.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "server/http/message.hpp"

namespace tessera::http {

class TrustedProxies {
 public:
  // Comma-separated IPs and CIDR ranges ("10.0.0.0/8, 127.0.0.1"); nullopt when malformed.
  static std::optional<TrustedProxies> parse(std::string_view list);

  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return ranges_.empty(); }

 private:
  struct Range {
    boost::asio::ip::address network;
    unsigned prefix;
  };
  std::vector<Range> ranges_;
};

// The peer, or the right-most X-Forwarded-For entry that is not itself a trusted proxy.
std::string client_address(const Request& request, const TrustedProxies& proxies);
// The same for a transport without a Request: `forwarded_for` is the X-Forwarded-For chain, its
// lines joined with commas.
std::string client_address(const boost::asio::ip::address& peer, std::string_view forwarded_for,
                           const TrustedProxies& proxies);

}  // namespace tessera::http
