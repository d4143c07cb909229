// The request and response types handlers see, and helpers to build responses.
#pragma once

#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tessera::http {

namespace bhttp = boost::beast::http;

using Response = bhttp::response<bhttp::string_body>;

struct Request {
  bhttp::request<bhttp::string_body> message;
  boost::asio::ip::address peer;

  std::string_view target() const { return {message.target().data(), message.target().size()}; }
  std::string_view path() const;
  std::string_view query() const;  // after '?', empty when none
  std::string_view header(bhttp::field field) const;
};

Response json_response(bhttp::status status, std::string body);
// Adds Cache-Control: no-store and Pragma: no-cache (responses carrying secrets or tokens).
void mark_no_store(Response& response);

}  // namespace tessera::http
