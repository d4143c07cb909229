// Strict JSON for untrusted input (RFC 8259 + RFC 7515 §4 / RFC 8725 §3.x hardening): bounded size
// and nesting, valid UTF-8, no duplicate member names, nothing after the value. Internal to
// tessera: nlohmann::json never appears in a public header.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::json {

struct Limits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_depth = 16;
};

enum class ParseError {
  too_large,
  too_deep,
  duplicate_member,
  syntax,    // includes invalid UTF-8 and trailing bytes
  rejected,  // a SAX handler of parse_strict_sax() refused an event (it knows why)
};

// Parses `text` into `out`. Returns the first error, or nullopt on success.
std::optional<ParseError> parse_strict(std::string_view text, nlohmann::json& out,
                                       const Limits& limits = {});

// The same checks, with nlohmann SAX events forwarded to `handler` instead of building a DOM, for
// hot paths that only pick a few values out of a document. `handler` implements nlohmann's SAX
// interface except parse_error and binary; returning false from an event stops the parse with
// ParseError::rejected. Duplicate members and excess depth are refused before the handler sees the
// offending event.
template <class Handler>
std::optional<ParseError> parse_strict_sax(std::string_view text, Handler& handler,
                                           const Limits& limits = {});

std::string_view to_string(ParseError error);

// --- implementation ---------------------------------------------------------------------------

namespace detail {

// Size, byte order mark and NUL checks that must precede nlohmann's lexer.
std::optional<ParseError> precheck(std::string_view text, const Limits& limits);

// Wraps a SAX handler with the depth and duplicate-member checks.
template <class Handler>
class StrictSax {
 public:
  using json = nlohmann::json;

  StrictSax(Handler& handler, const Limits& limits) : handler_(handler), limits_(limits) {}

  std::optional<ParseError> error() const { return error_; }

  bool null() { return forward(handler_.null()); }
  bool boolean(bool v) { return forward(handler_.boolean(v)); }
  bool number_integer(json::number_integer_t v) { return forward(handler_.number_integer(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return forward(handler_.number_unsigned(v)); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return forward(handler_.number_float(v, s));
  }
  bool string(json::string_t& v) { return forward(handler_.string(v)); }
  bool binary(json::binary_t&) { return fail(ParseError::syntax); }

  bool start_object(std::size_t n) { return open(true) && forward(handler_.start_object(n)); }
  bool end_object() { return close() && forward(handler_.end_object()); }
  bool start_array(std::size_t n) { return open(false) && forward(handler_.start_array(n)); }
  bool end_array() { return close() && forward(handler_.end_array()); }

  bool key(json::string_t& name) {
    std::vector<std::string>& seen = frames_[depth_ - 1].keys;
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return fail(ParseError::duplicate_member);
    }
    seen.push_back(name);
    return forward(handler_.key(name));
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return fail(ParseError::syntax);
  }

 private:
  struct Frame {
    std::vector<std::string> keys;  // member names seen so far, for objects
  };

  bool fail(ParseError e) {
    if (!error_) error_ = e;
    return false;
  }
  bool forward(bool accepted) { return accepted || fail(ParseError::rejected); }

  // Frames are reused across siblings, so a document allocates per depth reached, not per object.
  bool open(bool object) {
    if (depth_ >= limits_.max_depth) return fail(ParseError::too_deep);
    if (frames_.size() == depth_) frames_.emplace_back();
    frames_[depth_].keys.clear();
    if (object) frames_[depth_].keys.reserve(16);
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  Handler& handler_;
  const Limits& limits_;
  std::vector<Frame> frames_;
  std::size_t depth_ = 0;
  std::optional<ParseError> error_;
};

}  // namespace detail

template <class Handler>
std::optional<ParseError> parse_strict_sax(std::string_view text, Handler& handler,
                                           const Limits& limits) {
  if (auto error = detail::precheck(text, limits)) return error;
  detail::StrictSax<Handler> strict(handler, limits);
  const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &strict,
                                            nlohmann::json::input_format_t::json, /*strict=*/true);
  if (ok) return std::nullopt;
  return strict.error().value_or(ParseError::syntax);
}

}  // namespace tessera::json
