#include "server/grpc/protobuf.hpp"

#include "server/domain/utf8.hpp"

namespace tessera::grpc::pb {
namespace {

constexpr std::uint32_t kMaxFieldNumber = (1u << 29) - 1;
constexpr std::size_t kMaxVarintBytes = 10;

}  // namespace

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::truncated:
      return "truncated message";
    case DecodeError::varint_too_long:
      return "malformed varint";
    case DecodeError::bad_field_number:
      return "invalid field number";
    case DecodeError::unsupported_wire_type:
      return "unsupported wire type";
    case DecodeError::too_deep:
      return "messages nested too deeply";
    case DecodeError::too_large:
      return "message too large";
    case DecodeError::wrong_wire_type:
      return "field has the wrong wire type";
    case DecodeError::invalid_utf8:
      return "string field is not valid UTF-8";
  }
  return "malformed message";
}

Result<std::uint64_t, DecodeError> read_varint(std::string_view data, std::size_t& offset) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < kMaxVarintBytes; ++i) {
    if (offset >= data.size()) return fail(DecodeError::truncated);
    const auto byte = static_cast<std::uint8_t>(data[offset++]);
    // The tenth byte may only carry the 64th bit.
    if (i == kMaxVarintBytes - 1 && (byte & 0xFE) != 0) return fail(DecodeError::varint_too_long);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) return value;
  }
  return fail(DecodeError::varint_too_long);
}

Result<Reader, DecodeError> Reader::open(std::string_view message, int depth) {
  if (message.size() > kMaxMessageBytes) return fail(DecodeError::too_large);
  if (depth > kMaxDepth) return fail(DecodeError::too_deep);
  return Reader(message, depth);
}

Result<std::uint64_t, DecodeError> Reader::read_varint() {
  return pb::read_varint(data_, offset_);
}

Result<std::optional<Field>, DecodeError> Reader::next() {
  if (offset_ >= data_.size()) return std::optional<Field>();
  auto key = read_varint();
  if (!key) return fail(key.error());
  const std::uint64_t number = *key >> 3;
  if (number == 0 || number > kMaxFieldNumber) return fail(DecodeError::bad_field_number);
  Field field;
  field.number = static_cast<std::uint32_t>(number);
  field.type = static_cast<WireType>(*key & 0x7);
  const std::size_t left = data_.size() - offset_;
  switch (field.type) {
    case WireType::varint: {
      auto value = read_varint();
      if (!value) return fail(value.error());
      field.varint = *value;
      break;
    }
    case WireType::fixed64:
    case WireType::fixed32: {
      const std::size_t width = field.type == WireType::fixed64 ? 8 : 4;
      if (left < width) return fail(DecodeError::truncated);
      for (std::size_t i = 0; i < width; ++i) {
        field.varint |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data_[offset_ + i]))
                        << (8 * i);
      }
      offset_ += width;
      break;
    }
    case WireType::length_delimited: {
      auto length = read_varint();
      if (!length) return fail(length.error());
      // Compared as 64-bit before any narrowing: a huge length cannot wrap the offset.
      if (*length > data_.size() - offset_) return fail(DecodeError::truncated);
      field.bytes = data_.substr(offset_, static_cast<std::size_t>(*length));
      offset_ += static_cast<std::size_t>(*length);
      break;
    }
    default:
      return fail(DecodeError::unsupported_wire_type);
  }
  return std::optional<Field>(field);
}

Result<Reader, DecodeError> Reader::nested(const Field& field) const {
  if (field.type != WireType::length_delimited) return fail(DecodeError::wrong_wire_type);
  return open(field.bytes, depth_ + 1);
}

Result<std::string, DecodeError> as_string(const Field& field) {
  if (field.type != WireType::length_delimited) return fail(DecodeError::wrong_wire_type);
  if (!domain::utf8_length(field.bytes)) return fail(DecodeError::invalid_utf8);
  return std::string(field.bytes);
}

Result<std::int64_t, DecodeError> as_int64(const Field& field) {
  if (field.type != WireType::varint) return fail(DecodeError::wrong_wire_type);
  return static_cast<std::int64_t>(field.varint);
}

Result<std::uint32_t, DecodeError> as_uint32(const Field& field) {
  if (field.type != WireType::varint) return fail(DecodeError::wrong_wire_type);
  // proto3 truncates a wider varint to the declared 32 bits.
  return static_cast<std::uint32_t>(field.varint);
}

void Writer::raw_varint(std::uint64_t value) {
  while (value >= 0x80) {
    bytes_.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<char>(value));
}

void Writer::tag(std::uint32_t number, WireType type) {
  raw_varint((static_cast<std::uint64_t>(number) << 3) | static_cast<std::uint64_t>(type));
}

void Writer::varint(std::uint32_t number, std::uint64_t value) {
  tag(number, WireType::varint);
  raw_varint(value);
}

void Writer::string(std::uint32_t number, std::string_view value) {
  tag(number, WireType::length_delimited);
  raw_varint(value.size());
  bytes_.append(value);
}

}  // namespace tessera::grpc::pb
