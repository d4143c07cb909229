#include "server/http/router.hpp"

#include <algorithm>

namespace tessera::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool matches(const Router::Route& route, const std::vector<std::string_view>& segments,
             PathParams& params) {
  if (route.segments.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (route.segments[i] == "{}") {
      if (segments[i].empty()) return false;
      params.push_back(segments[i]);
    } else if (route.segments[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(bhttp::verb method, std::string_view pattern, Handler handler,
                 std::size_t body_limit) {
  Route route{method, {}, std::move(handler), body_limit};
  for (const auto segment : split_path(pattern)) {
    const bool placeholder = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
    route.segments.emplace_back(placeholder ? "{}" : std::string(segment));
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(bhttp::verb method, std::string_view path) const {
  Match result;
  const auto segments = split_path(path);
  PathParams params;
  for (const auto& route : routes_) {
    if (!matches(route, segments, params)) continue;
    if (route.method == method) {
      result.route = &route;
      result.params = std::move(params);
      return result;
    }
    result.allowed.push_back(route.method);
  }
  return result;
}

}  // namespace tessera::http
