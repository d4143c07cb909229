// application/x-www-form-urlencoded (WHATWG URL §5) for token requests and query strings.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/result.hpp"

namespace tessera::http {

enum class FormError {
  bad_encoding,  // a '%' not followed by two hex digits, or decoded bytes that are not UTF-8
  duplicate,     // a parameter name given twice (RFC 6749 §3.1: at most once)
  too_many,      // more parameters than the caller allows
};

class FormParams {
 public:
  std::optional<std::string_view> get(std::string_view name) const;
  std::size_t size() const { return entries_.size(); }
  void add(std::string name, std::string value) {
    entries_.emplace_back(std::move(name), std::move(value));
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

Result<FormParams, FormError> parse_form(std::string_view text, std::size_t max_params = 32);

// Percent-decoding with '+' as space. nullopt on a malformed escape.
std::optional<std::string> form_decode(std::string_view text);

std::string_view to_string(FormError error);

}  // namespace tessera::http
