// The HTTP/1.1 request path in front of every handler: Beast's parser with tessera's limits, the
// framing checks that stop request smuggling, and routing.
#include <cstdint>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include "server/http/framing.hpp"
#include "server/http/limits.hpp"
#include "server/http/router.hpp"

namespace {

tessera::http::Router& router() {
  using namespace tessera::http;
  static Router instance = [] {
    Router r;
    auto noop = [](Request&, const PathParams&) -> boost::asio::awaitable<Response> {
      co_return Response{};
    };
    r.add(bhttp::verb::post, "/oauth/token", noop, 4096);
    r.add(bhttp::verb::get, "/api/v1/organizations/{org}/clients/{client}", noop);
    r.add(bhttp::verb::delete_, "/api/v1/organizations/{org}/clients/{client}/secrets/{secret}",
          noop);
    return r;
  }();
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::http;
  const HttpLimits limits;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (parser.is_header_done()) {
    (void)framing_violation(parser.get(), limits.max_header_fields);
    const std::string_view target = parser.get().target();
    (void)router().match(parser.get().method(), target.substr(0, target.find('?')));
  }
  return 0;
}
