// Strict base64url (RFC 4648 §5) as JOSE uses it (RFC 7515 §2): no padding, no whitespace, and only
// the canonical encoding of each byte string is accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tessera::jose {

std::string base64url_encode(std::span<const std::uint8_t> bytes);
std::string base64url_encode(std::string_view bytes);

// Decodes into `out` (replacing its contents). Returns false, leaving `out` unspecified, for any
// character outside [A-Za-z0-9_-], a length of 1 mod 4, or non-zero unused trailing bits (which
// would let two different strings decode to the same bytes).
bool base64url_decode(std::string_view text, std::string& out);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace tessera::jose
