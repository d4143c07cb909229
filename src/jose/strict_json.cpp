#include "jose/strict_json.hpp"

#include <vector>

namespace tessera::json {
namespace {

using nlohmann::json;

// Builds the DOM like nlohmann's own SAX DOM parser, and additionally enforces depth and member
// uniqueness (nlohmann silently keeps the last duplicate, which lets two parsers disagree).
class StrictBuilder {
 public:
  StrictBuilder(json& root, const Limits& limits) : root_(root), limits_(limits) {}

  std::optional<ParseError> error() const { return error_; }

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t&) { return fail(ParseError::syntax); }

  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_array() { return close(); }

  bool key(json::string_t& name) {
    json& object = *stack_.back();
    if (object.contains(name)) return fail(ParseError::duplicate_member);
    pending_key_ = &object[name];
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return fail(ParseError::syntax);
  }

 private:
  bool fail(ParseError e) {
    if (!error_) error_ = e;
    return false;
  }

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
    if (stack_.size() >= limits_.max_depth) return fail(ParseError::too_deep);
    stack_.push_back(place(json(type)));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  json& root_;
  const Limits& limits_;
  std::vector<json*> stack_;
  json* pending_key_ = nullptr;
  std::optional<ParseError> error_;
};

}  // namespace

std::optional<ParseError> parse_strict(std::string_view text, nlohmann::json& out,
                                       const Limits& limits) {
  if (text.size() > limits.max_bytes) return ParseError::too_large;
  // nlohmann silently skips a UTF-8 byte order mark; RFC 8259 §8.1 forbids sending one, and a
  // strict parser must not accept what another parser of the same bytes might reject.
  if (text.starts_with("\xEF\xBB\xBF")) return ParseError::syntax;
  // nlohmann's lexer takes a NUL byte for the end of input, so `{}\0anything` would parse as `{}`.
  // A NUL is never valid JSON text (inside strings it must be escaped as \u0000).
  if (text.find('\0') != std::string_view::npos) return ParseError::syntax;
  StrictBuilder builder(out, limits);
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                                  /*strict=*/true);
  if (ok) return std::nullopt;
  return builder.error().value_or(ParseError::syntax);
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
  }
  return "malformed JSON";
}

}  // namespace tessera::json
