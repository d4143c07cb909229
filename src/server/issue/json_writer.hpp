// A minimal append-only JSON writer for the token hot path: claims are a flat, known shape, and
// building them by appending to one string avoids a DOM allocation per token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::issue {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  void key(std::string_view name);
  void string(std::string_view value);
  void integer(std::int64_t value);

 private:
  void open(char c);
  void close(char c);
  void separate();

  std::string& out_;
  bool first_ = true;
  bool after_key_ = false;
};

// Appends `value` as a JSON string literal (quotes included). Control characters, quotes and
// backslashes are escaped; bytes >= 0x80 pass through (inputs are validated UTF-8).
void append_json_string(std::string& out, std::string_view value);

}  // namespace tessera::issue
