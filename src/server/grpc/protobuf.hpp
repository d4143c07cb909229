// A small protobuf wire-format codec (proto3, no reflection): just enough to read the few request
// messages the gRPC layer serves and to write its responses. Reading is bounded: every length is
// checked against the bytes left, varints stop at 10 bytes, nesting stops at kMaxDepth, and groups
// (deprecated in proto3) are refused rather than walked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tessera/result.hpp"

namespace tessera::grpc::pb {

enum class WireType : std::uint8_t {
  varint = 0,
  fixed64 = 1,
  length_delimited = 2,
  start_group = 3,
  end_group = 4,
  fixed32 = 5,
};

enum class DecodeError {
  truncated,              // a varint, fixed value or length runs past the end
  varint_too_long,        // more than 10 bytes, or bits beyond 64
  bad_field_number,       // 0 or above 2^29-1
  unsupported_wire_type,  // groups and the reserved wire types 6 and 7
  too_deep,               // nested messages beyond kMaxDepth
  too_large,              // the input is larger than kMaxMessageBytes
  wrong_wire_type,        // a known field with another wire type than its declaration
  invalid_utf8,           // a string field that is not UTF-8
};

std::string_view to_string(DecodeError error);

// Bounds for anything the decoder reads. The gRPC layer refuses bigger messages before decoding.
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;
inline constexpr int kMaxDepth = 8;

// One field as it appeared on the wire. For varints `varint` holds the value; for fixed32/64 the
// raw little-endian value is in `varint` too; for length-delimited fields `bytes` views the
// payload.
struct Field {
  std::uint32_t number = 0;
  WireType type = WireType::varint;
  std::uint64_t varint = 0;
  std::string_view bytes;
};

// Reads the fields of one message in wire order. Unknown fields are the caller's to skip (just
// ignore them: the reader has already stepped over their payload).
class Reader {
 public:
  // `depth` is the nesting level of this message (0 for the top-level request).
  static Result<Reader, DecodeError> open(std::string_view message, int depth = 0);

  // The next field, nullopt at the end of the message.
  Result<std::optional<Field>, DecodeError> next();

  // A reader for an embedded message field, one level deeper.
  Result<Reader, DecodeError> nested(const Field& field) const;

  int depth() const { return depth_; }

 private:
  Reader(std::string_view data, int depth) : data_(data), depth_(depth) {}
  Result<std::uint64_t, DecodeError> read_varint();

  std::string_view data_;
  std::size_t offset_ = 0;
  int depth_ = 0;
};

// Typed views of a field, refusing a wire type the declaration does not allow.
Result<std::string, DecodeError> as_string(const Field& field);  // validated UTF-8
Result<std::int64_t, DecodeError> as_int64(const Field& field);
Result<std::uint32_t, DecodeError> as_uint32(const Field& field);

// Reads a varint from the front of `data` (for tests and the framing layer); advances `offset`.
Result<std::uint64_t, DecodeError> read_varint(std::string_view data, std::size_t& offset);

// Appends fields to a message. Default values (0, "") are written too when asked: proto3 readers
// treat an explicit default like an absent field, so callers skip them where it saves bytes.
class Writer {
 public:
  void varint(std::uint32_t number, std::uint64_t value);
  void int64(std::uint32_t number, std::int64_t value) {
    varint(number, static_cast<std::uint64_t>(value));
  }
  void string(std::uint32_t number, std::string_view value);
  void message(std::uint32_t number, const Writer& nested) { string(number, nested.bytes()); }

  // Only the non-default values: proto3's implicit presence.
  void string_if_set(std::uint32_t number, std::string_view value) {
    if (!value.empty()) string(number, value);
  }
  void int64_if_set(std::uint32_t number, std::int64_t value) {
    if (value != 0) int64(number, value);
  }

  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  void tag(std::uint32_t number, WireType type);
  void raw_varint(std::uint64_t value);

  std::string bytes_;
};

}  // namespace tessera::grpc::pb
