#include "server/http/message.hpp"

namespace tessera::http {

std::string_view Request::path() const {
  const std::string_view t = target();
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  const std::string_view t = target();
  const auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

std::string_view Request::header(bhttp::field field) const {
  const auto it = message.find(field);
  if (it == message.end()) return {};
  return {it->value().data(), it->value().size()};
}

Response json_response(bhttp::status status, std::string body) {
  Response response{status, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

void mark_no_store(Response& response) {
  response.set(bhttp::field::cache_control, "no-store");
  response.set(bhttp::field::pragma, "no-cache");
}

}  // namespace tessera::http
