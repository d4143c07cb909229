#include "server/http/framing.hpp"

#include <boost/beast/core/string.hpp>

namespace tessera::http {

std::optional<std::string_view> framing_violation(const bhttp::request_header<>& header,
                                                  std::size_t max_fields) {
  std::size_t fields = 0;
  std::size_t content_lengths = 0;
  std::size_t transfer_encodings = 0;
  std::string_view transfer_encoding;
  for (const auto& field : header) {
    ++fields;
    if (field.name() == bhttp::field::content_length) {
      ++content_lengths;
      // "10, 10" is a duplicate folded into one field (RFC 9112 §6.3 lets a recipient reject it;
      // a proxy that takes the first value and one that takes the last disagree on "10, 4").
      if (field.value().find(',') != boost::beast::string_view::npos) ++content_lengths;
    }
    if (field.name() == bhttp::field::transfer_encoding) {
      ++transfer_encodings;
      transfer_encoding = {field.value().data(), field.value().size()};
    }
  }
  if (fields > max_fields) return "too many header fields";
  if (content_lengths > 1) return "duplicate Content-Length";
  if (transfer_encodings > 1) return "duplicate Transfer-Encoding";
  if (content_lengths == 1 && transfer_encodings == 1) {
    return "both Content-Length and Transfer-Encoding";
  }
  // Only plain "chunked" is meaningful for a request; anything else ("chunked, identity",
  // "xchunked", " chunked") is how smuggling payloads disguise the framing.
  if (transfer_encodings == 1 && !boost::beast::iequals(transfer_encoding, "chunked")) {
    return "unsupported Transfer-Encoding";
  }
  return std::nullopt;
}

}  // namespace tessera::http
