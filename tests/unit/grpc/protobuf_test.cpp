#include "server/grpc/protobuf.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tessera::grpc::pb {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

// Every field of `message`, or the first error.
Result<std::vector<Field>, DecodeError> fields_of(std::string_view message) {
  auto reader = Reader::open(message);
  if (!reader) return fail(reader.error());
  std::vector<Field> out;
  while (true) {
    auto field = reader->next();
    if (!field) return fail(field.error());
    if (!*field) return out;
    out.push_back(**field);
  }
}

TEST(ProtobufVarint, DecodesTheSpecExamples) {
  std::size_t offset = 0;
  EXPECT_EQ(*read_varint(bytes({0x01}), offset), 1u);
  offset = 0;
  EXPECT_EQ(*read_varint(bytes({0x96, 0x01}), offset), 150u);
  EXPECT_EQ(offset, 2u);
  offset = 0;
  const std::string max = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  EXPECT_EQ(*read_varint(max, offset), UINT64_MAX);
}

TEST(ProtobufVarint, RefusesTruncatedAndOverlongVarints) {
  std::size_t offset = 0;
  EXPECT_EQ(read_varint(bytes({0x96}), offset).error(), DecodeError::truncated);
  offset = 0;
  EXPECT_EQ(read_varint("", offset).error(), DecodeError::truncated);
  // Eleven bytes, and a tenth byte with bits beyond the 64th.
  offset = 0;
  EXPECT_EQ(read_varint(std::string(10, '\x80') + '\x01', offset).error(),
            DecodeError::varint_too_long);
  offset = 0;
  EXPECT_EQ(read_varint(std::string(9, '\xFF') + '\x02', offset).error(),
            DecodeError::varint_too_long);
}

TEST(ProtobufWriter, RoundTripsEveryWriterType) {
  Writer nested;
  nested.string(1, "inner");
  Writer writer;
  writer.varint(1, 150);
  writer.int64(2, -1);  // ten bytes on the wire
  writer.string(3, "hello");
  writer.message(4, nested);
  writer.varint(536870911, 7);  // the largest field number
  auto fields = fields_of(writer.bytes());
  ASSERT_TRUE(fields);
  ASSERT_EQ(fields->size(), 5u);
  EXPECT_EQ((*fields)[0].number, 1u);
  EXPECT_EQ((*fields)[0].varint, 150u);
  EXPECT_EQ(*as_int64((*fields)[1]), -1);
  EXPECT_EQ(*as_string((*fields)[2]), "hello");
  auto inner = Reader::open(writer.bytes())->nested((*fields)[3]);
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->depth(), 1);
  EXPECT_EQ(*as_string(**inner->next()), "inner");
  EXPECT_EQ((*fields)[4].number, 536870911u);
}

TEST(ProtobufWriter, EncodesTheSpecExampleExactly) {
  Writer writer;
  writer.varint(1, 150);
  EXPECT_EQ(writer.bytes(), bytes({0x08, 0x96, 0x01}));
  Writer text;
  text.string(2, "testing");
  EXPECT_EQ(text.bytes(), bytes({0x12, 0x07}) + "testing");
}

TEST(ProtobufWriter, SkipsDefaultsOnlyWhenAsked) {
  Writer writer;
  writer.string_if_set(1, "");
  writer.int64_if_set(2, 0);
  EXPECT_TRUE(writer.bytes().empty());
  writer.string(1, "");
  EXPECT_EQ(writer.bytes(), bytes({0x0A, 0x00}));
}

TEST(ProtobufReader, SkipsFixedWidthFields) {
  const std::string message = bytes({0x09, 1, 2, 3, 4, 5, 6, 7, 8,  // field 1, fixed64
                                     0x15, 1, 2, 3, 4,              // field 2, fixed32
                                     0x18, 0x05});                  // field 3, varint 5
  auto fields = fields_of(message);
  ASSERT_TRUE(fields);
  ASSERT_EQ(fields->size(), 3u);
  EXPECT_EQ((*fields)[0].varint, 0x0807060504030201u);
  EXPECT_EQ((*fields)[1].varint, 0x04030201u);
  EXPECT_EQ((*fields)[2].varint, 5u);
}

TEST(ProtobufReader, RefusesTruncatedFields) {
  EXPECT_EQ(fields_of(bytes({0x09, 1, 2, 3})).error(), DecodeError::truncated);
  EXPECT_EQ(fields_of(bytes({0x15, 1})).error(), DecodeError::truncated);
  EXPECT_EQ(fields_of(bytes({0x08})).error(), DecodeError::truncated);
  EXPECT_EQ(fields_of(bytes({0x0A, 0x05, 'a', 'b'})).error(), DecodeError::truncated);
}

TEST(ProtobufReader, RefusesLengthsBeyondTheMessage) {
  // A length of 2^63: must not wrap the offset around.
  const std::string huge =
      bytes({0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  EXPECT_EQ(fields_of(huge).error(), DecodeError::truncated);
  const std::string max = bytes({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  EXPECT_EQ(fields_of(max).error(), DecodeError::truncated);
}

TEST(ProtobufReader, RefusesGroupsReservedWireTypesAndFieldZero) {
  EXPECT_EQ(fields_of(bytes({0x0B})).error(), DecodeError::unsupported_wire_type);  // start group
  EXPECT_EQ(fields_of(bytes({0x0C})).error(), DecodeError::unsupported_wire_type);  // end group
  EXPECT_EQ(fields_of(bytes({0x0E})).error(), DecodeError::unsupported_wire_type);  // type 6
  EXPECT_EQ(fields_of(bytes({0x0F})).error(), DecodeError::unsupported_wire_type);  // type 7
  EXPECT_EQ(fields_of(bytes({0x00, 0x01})).error(), DecodeError::bad_field_number);
  // Field number 2^29 does not fit.
  EXPECT_EQ(fields_of(bytes({0x80, 0x80, 0x80, 0x80, 0x10, 0x00})).error(),
            DecodeError::bad_field_number);
}

TEST(ProtobufReader, BoundsSizeAndDepth) {
  EXPECT_EQ(Reader::open(std::string(kMaxMessageBytes + 1, '\0')).error(), DecodeError::too_large);
  EXPECT_TRUE(Reader::open(std::string(kMaxMessageBytes, '\0')));

  Writer innermost;
  innermost.string(1, "x");
  Writer message = innermost;
  for (int level = 0; level <= kMaxDepth; ++level) {
    Writer outer;
    outer.message(1, message);
    message = outer;
  }
  // Walk down: the reader at kMaxDepth may exist, one level deeper may not.
  auto reader = Reader::open(message.bytes());
  ASSERT_TRUE(reader);
  for (int level = 1; level <= kMaxDepth; ++level) {
    auto field = reader->next();
    ASSERT_TRUE(field && *field);
    auto inner = reader->nested(**field);
    ASSERT_TRUE(inner) << "level " << level;
    reader = std::move(inner);
  }
  auto field = reader->next();
  ASSERT_TRUE(field && *field);
  EXPECT_EQ(reader->nested(**field).error(), DecodeError::too_deep);
}

TEST(ProtobufReader, TypedViewsCheckTheWireType) {
  Field varint{1, WireType::varint, 5, {}};
  Field text{1, WireType::length_delimited, 0, "abc"};
  EXPECT_EQ(as_string(varint).error(), DecodeError::wrong_wire_type);
  EXPECT_EQ(as_int64(text).error(), DecodeError::wrong_wire_type);
  EXPECT_EQ(as_uint32(text).error(), DecodeError::wrong_wire_type);
  EXPECT_EQ(Reader::open("")->nested(varint).error(), DecodeError::wrong_wire_type);
  EXPECT_EQ(*as_uint32(Field{1, WireType::varint, 0x100000005u, {}}), 5u);
}

TEST(ProtobufReader, RefusesStringsThatAreNotUtf8) {
  EXPECT_EQ(as_string(Field{1, WireType::length_delimited, 0, "\xC0\xAF"}).error(),
            DecodeError::invalid_utf8);
  EXPECT_EQ(*as_string(Field{1, WireType::length_delimited, 0, "h\xC3\xA9"}), "h\xC3\xA9");
}

}  // namespace
}  // namespace tessera::grpc::pb
