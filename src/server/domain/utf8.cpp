#include "server/domain/utf8.hpp"

#include <cstdint>

namespace tessera::domain {
namespace {

bool is_continuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// Decodes the code point starting at text[i]; returns its byte length, or 0 when invalid.
std::size_t decode(std::string_view text, std::size_t i, char32_t& out) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length;
  char32_t min;
  if (lead < 0x80) {
    out = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min = 0x80, out = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min = 0x800, out = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min = 0x10000, out = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto byte = static_cast<unsigned char>(text[i + k]);
    if (!is_continuation(byte)) return 0;
    out = (out << 6) | (byte & 0x3F);
  }
  const bool surrogate = out >= 0xD800 && out <= 0xDFFF;
  if (out < min || surrogate || out > 0x10FFFF) return 0;
  return length;
}

bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    char32_t c;
    const std::size_t length = decode(text, i, c);
    if (length == 0) return std::nullopt;
    i += length;
  }
  return count;
}

bool has_control_characters(std::string_view text, ControlPolicy policy) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t c;
    const std::size_t length = decode(text, i, c);
    if (length == 0) return true;  // not UTF-8 at all: treat as unsafe
    i += length;
    const bool allowed_whitespace = c == U'\t' || c == U'\n' || c == U'\r';
    if (is_control(c) && !(policy == ControlPolicy::allow_tab_and_newlines && allowed_whitespace)) {
      return true;
    }
  }
  return false;
}

}  // namespace tessera::domain
