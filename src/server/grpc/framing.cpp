#include "server/grpc/framing.hpp"

#include <cstdint>

namespace tessera::grpc {

std::string percent_encode_message(std::string_view message) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte <= 0x7E && byte != '%') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

Result<std::string_view, Status> unary_message(std::string_view body,
                                               std::string_view grpc_encoding,
                                               std::size_t max_message_bytes) {
  if (body.size() < kFramePrefixBytes) {
    return fail(Status{StatusCode::internal, "a unary request must carry one message"});
  }
  const auto flag = static_cast<std::uint8_t>(body[0]);
  if (flag == 1) {
    if (!grpc_encoding.empty() && grpc_encoding != "identity") {
      return fail(Status{StatusCode::unimplemented,
                         "grpc-encoding " + std::string(grpc_encoding) + " is not supported"});
    }
    return fail(Status{StatusCode::internal, "compressed message without a grpc-encoding"});
  }
  if (flag != 0) return fail(Status{StatusCode::internal, "invalid message flag"});
  std::uint64_t length = 0;
  for (std::size_t i = 1; i < kFramePrefixBytes; ++i) {
    length = (length << 8) | static_cast<std::uint8_t>(body[i]);
  }
  if (length > max_message_bytes) {
    return fail(Status{StatusCode::resource_exhausted, "request message too large"});
  }
  if (length != body.size() - kFramePrefixBytes) {
    return fail(Status{StatusCode::internal, "a unary request must carry exactly one message"});
  }
  return body.substr(kFramePrefixBytes);
}

std::string frame_message(std::string_view message) {
  std::string out;
  out.reserve(kFramePrefixBytes + message.size());
  out.push_back('\0');
  const auto length = static_cast<std::uint32_t>(message.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((length >> shift) & 0xFF));
  out.append(message);
  return out;
}

}  // namespace tessera::grpc
