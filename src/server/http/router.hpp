// Maps method + path to a handler. Patterns are literal segments and "{name}" placeholders; the
// placeholders' values reach the handler in order.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/http/message.hpp"

namespace tessera::http {

using PathParams = std::vector<std::string_view>;
using Handler = std::function<boost::asio::awaitable<Response>(Request&, const PathParams&)>;

class Router {
 public:
  struct Route {
    bhttp::verb method;
    std::vector<std::string> segments;  // "{}" marks a placeholder
    Handler handler;
    std::size_t body_limit;
  };

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    PathParams params;
    std::vector<bhttp::verb> allowed;  // methods the path does accept (for 405)
  };

  // body_limit 0 means the server default.
  void add(bhttp::verb method, std::string_view pattern, Handler handler,
           std::size_t body_limit = 0);

  Match match(bhttp::verb method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace tessera::http
