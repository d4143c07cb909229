// UTF-8 checks behind the validation rules: lengths count code points of valid UTF-8 (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace tessera::domain {

// The number of code points, or nullopt when `text` is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view text);

// Controls are C0 (U+0000..U+001F), DEL and C1 (U+0080..U+009F). Free text may keep line breaks
// and tabs; names and identifiers may not. `text` must be valid UTF-8.
enum class ControlPolicy { none_allowed, allow_tab_and_newlines };
bool has_control_characters(std::string_view text, ControlPolicy policy);

}  // namespace tessera::domain
