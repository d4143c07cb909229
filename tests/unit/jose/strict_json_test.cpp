#include "jose/strict_json.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace tessera::json {
namespace {

std::optional<ParseError> parse(std::string_view text, const Limits& limits = {}) {
  nlohmann::json doc;
  return parse_strict(text, doc, limits);
}

TEST(StrictJson, AcceptsWellFormedDocuments) {
  nlohmann::json doc;
  ASSERT_EQ(parse_strict(R"({"a":[1,2,{"b":null}],"c":"\u00e9"})", doc), std::nullopt);
  EXPECT_EQ(doc["a"][2]["b"], nullptr);
  EXPECT_EQ(doc["c"], "\xC3\xA9");
  EXPECT_EQ(parse(" {\"a\":1} \n"), std::nullopt);  // insignificant whitespace is JSON
  EXPECT_EQ(parse("[]"), std::nullopt);
}

TEST(StrictJson, RejectsDuplicateMemberNames) {
  EXPECT_EQ(parse(R"({"alg":"RS256","alg":"none"})"), ParseError::duplicate_member);
  EXPECT_EQ(parse(R"({"a":{"x":1,"x":1}})"), ParseError::duplicate_member);
  EXPECT_EQ(parse(R"({"a":[{"x":1,"x":2}]})"), ParseError::duplicate_member);
  // Two spellings of one name are one name once unescaped.
  EXPECT_EQ(parse(R"({"alg":1,"\u0061lg":2})"), ParseError::duplicate_member);
  // The same name in sibling objects is fine.
  EXPECT_EQ(parse(R"({"a":{"x":1},"b":{"x":1}})"), std::nullopt);
}

TEST(StrictJson, BoundsNestingDepthAtTheLimit) {
  const auto nested = [](std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  EXPECT_EQ(parse(nested(16)), std::nullopt);
  EXPECT_EQ(parse(nested(17)), ParseError::too_deep);
  EXPECT_EQ(parse(nested(3), {.max_depth = 2}), ParseError::too_deep);
  EXPECT_EQ(parse(R"({"a":{"b":{}}})", {.max_depth = 3}), std::nullopt);
  EXPECT_EQ(parse(R"({"a":{"b":{"c":{}}}})", {.max_depth = 3}), ParseError::too_deep);
  // Deep input is refused without recursion: no stack overflow on 100k brackets.
  EXPECT_EQ(parse(std::string(100000, '['), {.max_bytes = 200000}), ParseError::too_deep);
}

TEST(StrictJson, BoundsSizeBeforeParsing) {
  const std::string doc = R"({"a":")" + std::string(100, 'x') + R"("})";
  EXPECT_EQ(parse(doc, {.max_bytes = doc.size()}), std::nullopt);
  EXPECT_EQ(parse(doc, {.max_bytes = doc.size() - 1}), ParseError::too_large);
}

TEST(StrictJson, RejectsTrailingBytes) {
  EXPECT_EQ(parse("{} x"), ParseError::syntax);
  EXPECT_EQ(parse("{}{}"), ParseError::syntax);
  EXPECT_EQ(parse("{},"), ParseError::syntax);
  // nlohmann alone stops at a NUL byte and would ignore what follows it.
  EXPECT_EQ(parse(std::string_view("{}\0", 3)), ParseError::syntax);
  EXPECT_EQ(parse(std::string_view("{}\0{\"alg\":\"none\"}", 17)), ParseError::syntax);
  EXPECT_EQ(parse(std::string_view("{\"a\":1\0}", 8)), ParseError::syntax);
}

TEST(StrictJson, RejectsInvalidUtf8) {
  EXPECT_EQ(parse("{\"a\":\"\xC3\x28\"}"), ParseError::syntax);          // bad continuation
  EXPECT_EQ(parse("{\"a\":\"\xC0\xAF\"}"), ParseError::syntax);          // overlong '/'
  EXPECT_EQ(parse("{\"a\":\"\xED\xA0\x80\"}"), ParseError::syntax);      // UTF-8 surrogate
  EXPECT_EQ(parse("{\"a\":\"\xF4\x90\x80\x80\"}"), ParseError::syntax);  // above U+10FFFF
  EXPECT_EQ(parse("{\"a\":\"\xE2\x82\"}"), ParseError::syntax);          // truncated
  EXPECT_EQ(parse("{\"\xFF\":1}"), ParseError::syntax);                  // in a member name
}

TEST(StrictJson, RejectsLoneSurrogateEscapes) {
  EXPECT_EQ(parse(R"({"a":"\ud800"})"), ParseError::syntax);
  EXPECT_EQ(parse(R"({"a":"\udc00"})"), ParseError::syntax);
  EXPECT_EQ(parse(R"({"a":"\ud800x"})"), ParseError::syntax);
  EXPECT_EQ(parse(R"({"a":"\ud800\u0041"})"), ParseError::syntax);
  EXPECT_EQ(parse(R"({"a":"\ud83d\ude00"})"), std::nullopt);  // a proper pair
}

TEST(StrictJson, RejectsNonJsonExtensions) {
  EXPECT_EQ(parse("\xEF\xBB\xBF{}"), ParseError::syntax);  // byte order mark
  EXPECT_EQ(parse("{/*c*/}"), ParseError::syntax);
  EXPECT_EQ(parse(R"({"a":NaN})"), ParseError::syntax);
  EXPECT_EQ(parse(R"({"a":Infinity})"), ParseError::syntax);
  EXPECT_EQ(parse(R"({'a':1})"), ParseError::syntax);
  EXPECT_EQ(parse(R"({"a":01})"), ParseError::syntax);
  EXPECT_EQ(parse(std::string_view("{\"a\":\"\0\"}", 8)), ParseError::syntax);  // raw control
  EXPECT_EQ(parse(""), ParseError::syntax);
}

TEST(StrictJson, RejectsNumbersBeyondDoubleAndKeepsLargeOnes) {
  EXPECT_EQ(parse(R"({"a":1e400})"), ParseError::syntax);
  // Finite magnitudes parse; judging them is the claim checks' job (see the verifier's tests).
  nlohmann::json doc;
  ASSERT_EQ(parse_strict(R"({"a":1e300,"b":1e19,"c":-1,"d":18446744073709551616})", doc),
            std::nullopt);
  EXPECT_TRUE(doc["a"].is_number_float());
  EXPECT_TRUE(doc["b"].is_number_float());
  EXPECT_TRUE(doc["c"].is_number_integer());
  EXPECT_TRUE(doc["d"].is_number_float());
}

// A SAX handler that records events and can refuse one.
struct Recorder {
  std::vector<std::string> events;
  std::string refuse;  // an event to refuse, by its recorded text

  bool on(std::string e) {
    events.push_back(std::move(e));
    return events.back() != refuse;
  }
  bool null() { return on("null"); }
  bool boolean(bool v) { return on(v ? "true" : "false"); }
  bool number_integer(nlohmann::json::number_integer_t v) { return on("i" + std::to_string(v)); }
  bool number_unsigned(nlohmann::json::number_unsigned_t v) { return on("u" + std::to_string(v)); }
  bool number_float(double, const std::string& s) { return on("f" + s); }
  bool string(std::string& v) { return on("s" + v); }
  bool start_object(std::size_t) { return on("{"); }
  bool end_object() { return on("}"); }
  bool start_array(std::size_t) { return on("["); }
  bool end_array() { return on("]"); }
  bool key(std::string& k) { return on("k" + k); }
};

TEST(StrictJsonSax, ForwardsEventsInOrder) {
  Recorder r;
  ASSERT_EQ(parse_strict_sax(R"({"a":[1,-2,1.5,"x",true,null],"b":{}})", r), std::nullopt);
  EXPECT_EQ(r.events, (std::vector<std::string>{"{", "ka", "[", "u1", "i-2", "f1.5", "sx", "true",
                                                "null", "]", "kb", "{", "}", "}"}));
}

TEST(StrictJsonSax, AppliesTheSameChecksAsTheDomParser) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, ParseError>>{
           {R"({"a":1,"a":2})", ParseError::duplicate_member},
           {R"({"a":{"b":1,"b":1}})", ParseError::duplicate_member},
           {std::string(17, '[') + std::string(17, ']'), ParseError::too_deep},
           {std::string("{}\0x", 4), ParseError::syntax},
           {"\xEF\xBB\xBF{}", ParseError::syntax},
           {"{} {}", ParseError::syntax},
           {R"({"a":"\ud800"})", ParseError::syntax}}) {
    Recorder r;
    EXPECT_EQ(parse_strict_sax(text, r), expected) << text;
  }
  Recorder small;
  EXPECT_EQ(parse_strict_sax("[1]", small, {.max_bytes = 2}), ParseError::too_large);
  EXPECT_TRUE(small.events.empty());
  // The duplicate is refused before the handler sees the second key.
  Recorder dup;
  EXPECT_EQ(parse_strict_sax(R"({"a":1,"a":2})", dup), ParseError::duplicate_member);
  EXPECT_EQ(dup.events, (std::vector<std::string>{"{", "ka", "u1"}));
}

TEST(StrictJsonSax, StopsWhenTheHandlerRefuses) {
  Recorder r;
  r.refuse = "sx";
  EXPECT_EQ(parse_strict_sax(R"({"a":"x","b":1})", r), ParseError::rejected);
  EXPECT_EQ(r.events.back(), "sx");
}

TEST(StrictJson, NamesEveryError) {
  for (auto e : {ParseError::too_large, ParseError::too_deep, ParseError::duplicate_member,
                 ParseError::syntax, ParseError::rejected}) {
    EXPECT_FALSE(to_string(e).empty());
  }
}

}  // namespace
}  // namespace tessera::json
