#include "server/http/client_address.hpp"

#include <charconv>

#include <boost/range/iterator_range.hpp>

namespace tessera::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::vector<unsigned char> bytes_of(const ip::address& a) {
  if (a.is_v4()) {
    const auto bytes = a.to_v4().to_bytes();
    return {bytes.begin(), bytes.end()};
  }
  const auto bytes = a.to_v6().to_bytes();
  return {bytes.begin(), bytes.end()};
}

bool prefix_matches(const ip::address& a, const ip::address& network, unsigned prefix) {
  if (a.is_v4() != network.is_v4()) return false;
  const auto left = bytes_of(a);
  const auto right = bytes_of(network);
  for (unsigned bit = 0; bit < prefix; ++bit) {
    const unsigned mask = 0x80u >> (bit % 8);
    if ((left[bit / 8] & mask) != (right[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies proxies;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto end = std::min(list.find(',', start), list.size());
    const std::string_view item = trim(list.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    const auto slash = item.find('/');
    const auto address = parse_address(item.substr(0, slash));
    if (!address) return std::nullopt;
    const unsigned max_prefix = address->is_v4() ? 32 : 128;
    unsigned prefix = max_prefix;
    if (slash != std::string_view::npos) {
      const std::string_view digits = item.substr(slash + 1);
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || prefix > max_prefix) {
        return std::nullopt;
      }
    }
    proxies.ranges_.push_back({*address, prefix});
  }
  return proxies;
}

bool TrustedProxies::contains(const ip::address& raw) const {
  ip::address address = raw;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  for (const auto& range : ranges_) {
    if (prefix_matches(address, range.network, range.prefix)) return true;
  }
  return false;
}

std::string client_address(const Request& request, const TrustedProxies& proxies) {
  if (proxies.empty() || !proxies.contains(request.peer)) return request.peer.to_string();
  // Several X-Forwarded-For lines form one list (RFC 9110 §5.3).
  std::string joined;
  for (const auto& field :
       boost::make_iterator_range(request.message.equal_range("X-Forwarded-For"))) {
    if (!joined.empty()) joined.push_back(',');
    joined.append(field.value().data(), field.value().size());
  }
  return client_address(request.peer, joined, proxies);
}

std::string client_address(const ip::address& peer, std::string_view chain,
                           const TrustedProxies& proxies) {
  if (proxies.empty() || !proxies.contains(peer)) return peer.to_string();
  // Walk from the right: each hop appended the address it saw; the first untrusted one is the
  // client as far as anything we trust can tell.
  std::size_t end = chain.size();
  while (end > 0) {
    const auto comma = chain.rfind(',', end - 1);
    const std::size_t begin = comma == std::string_view::npos ? 0 : comma + 1;
    const auto address = parse_address(trim(chain.substr(begin, end - begin)));
    if (!address) break;  // garbage from an untrusted hop: stop at the last good address
    if (!proxies.contains(*address)) return address->to_string();
    if (comma == std::string_view::npos) break;
    end = comma;
  }
  return peer.to_string();
}

}  // namespace tessera::http
