// The claims of a verified access token as plain C++ values (no JSON type in sight).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tessera::verify {

struct Claims {
  std::string iss{};
  std::string sub{};        // empty when absent
  std::string client_id{};  // empty when absent
  std::string oid{};        // the owning organization; empty when absent
  std::string jti{};        // empty when absent
  // From "scopes" (a JSON array), or from "scope" (space separated) when "scopes" is absent.
  std::vector<std::string> scopes{};
  // "aud" as a string or an array of strings; empty when absent.
  std::vector<std::string> aud{};
  std::int64_t exp = 0;  // seconds since the Unix epoch; always present in a verified token
  std::optional<std::int64_t> iat{};
  std::optional<std::int64_t> nbf{};
  std::map<std::string, std::string, std::less<>> custom_claims{};
  // The payload JSON exactly as signed, for claims this struct does not model.
  std::string raw_payload{};
};

}  // namespace tessera::verify
