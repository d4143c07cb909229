// Reading the claims of a payload whose signature has already been verified.
#pragma once

#include <string>

#include "tessera/result.hpp"
#include "tessera/verify/claims.hpp"
#include "tessera/verify/errors.hpp"

namespace tessera::verify::detail {

// The latest instant a time claim may name: 9999-12-31T23:59:59Z. Anything beyond is an attack or
// a bug, and keeping values this small makes `exp + leeway` arithmetic overflow-free.
inline constexpr std::int64_t kMaxNumericDate = 253402300799;

// Takes the payload JSON (it becomes Claims::raw_payload). Known claims must have their registered
// types; other claims are left in raw_payload. Does not judge times, issuer or audience.
Result<Claims, VerifyError> read_claims(std::string payload_json);

}  // namespace tessera::verify::detail
