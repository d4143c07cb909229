#include "jose/strict_json.hpp"

namespace tessera::json {
namespace {

using nlohmann::json;

// Builds the DOM like nlohmann's own SAX DOM parser; StrictSax has already refused duplicate
// members (nlohmann alone silently keeps the last one, which lets two parsers disagree) and depth.
class DomBuilder {
 public:
  explicit DomBuilder(json& root) : root_(root) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
  bool string(json::string_t& v) { return put(json(std::move(v))); }

  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_array() { return close(); }

  bool key(json::string_t& name) {
    pending_key_ = &(*stack_.back())[name];
    return true;
  }

 private:
  // Places a value at the current position and returns where it landed.
  json* place(json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *pending_key_ = std::move(value);
    return pending_key_;
  }

  bool put(json&& value) {
    place(std::move(value));
    return true;
  }

  bool open(json::value_t type) {
    stack_.push_back(place(json(type)));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  json& root_;
  std::vector<json*> stack_;
  json* pending_key_ = nullptr;
};

}  // namespace

namespace detail {

std::optional<ParseError> precheck(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) return ParseError::too_large;
  // nlohmann silently skips a UTF-8 byte order mark; RFC 8259 §8.1 forbids sending one, and a
  // strict parser must not accept what another parser of the same bytes might reject.
  if (text.starts_with("\xEF\xBB\xBF")) return ParseError::syntax;
  // nlohmann's lexer takes a NUL byte for the end of input, so `{}\0anything` would parse as `{}`.
  // A NUL is never valid JSON text (inside strings it must be escaped as \u0000).
  if (text.find('\0') != std::string_view::npos) return ParseError::syntax;
  return std::nullopt;
}

}  // namespace detail

std::optional<ParseError> parse_strict(std::string_view text, nlohmann::json& out,
                                       const Limits& limits) {
  DomBuilder builder(out);
  return parse_strict_sax(text, builder, limits);
}

std::string_view to_string(ParseError error) {
  switch (error) {
    case ParseError::too_large:
      return "JSON document too large";
    case ParseError::too_deep:
      return "JSON nesting too deep";
    case ParseError::duplicate_member:
      return "duplicate JSON member name";
    case ParseError::syntax:
      return "malformed JSON";
    case ParseError::rejected:
      return "JSON value rejected by the reader";
  }
  return "malformed JSON";
}

}  // namespace tessera::json
