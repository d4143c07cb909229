#include "tessera/jose/jws.hpp"

#include "jose/strict_json.hpp"
#include "tessera/jose/base64url.hpp"

namespace tessera::jose {

std::string_view to_string(JwsError error) {
  switch (error) {
    case JwsError::too_long:
      return "token too long";
    case JwsError::malformed:
      return "not a compact JWS";
    case JwsError::bad_base64:
      return "invalid base64url segment";
    case JwsError::bad_header:
      return "malformed JOSE header";
    case JwsError::bad_header_field:
      return "JOSE header member of the wrong type";
  }
  return "invalid token";
}

Result<CompactJws, JwsError> split_compact(std::string_view token, std::size_t max_bytes) {
  if (token.size() > max_bytes) return fail(JwsError::too_long);
  const auto first = token.find('.');
  if (first == std::string_view::npos) return fail(JwsError::malformed);
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return fail(JwsError::malformed);
  if (token.find('.', second + 1) != std::string_view::npos) return fail(JwsError::malformed);

  CompactJws jws{token.substr(0, first), token.substr(first + 1, second - first - 1),
                 token.substr(second + 1), token.substr(0, second)};
  if (jws.header_b64.empty() || jws.payload_b64.empty() || jws.signature_b64.empty()) {
    return fail(JwsError::malformed);
  }
  return jws;
}

Result<JoseHeader, JwsError> parse_header(std::string_view header_json) {
  nlohmann::json doc;
  if (json::parse_strict(header_json, doc, {.max_bytes = 4096, .max_depth = 4}) ||
      !doc.is_object()) {
    return fail(JwsError::bad_header);
  }
  JoseHeader header;
  const auto alg = doc.find("alg");
  if (alg == doc.end() || !alg->is_string()) return fail(JwsError::bad_header_field);
  header.alg = alg->get<std::string>();
  if (const auto kid = doc.find("kid"); kid != doc.end()) {
    if (!kid->is_string()) return fail(JwsError::bad_header_field);
    header.kid = kid->get<std::string>();
  }
  if (const auto typ = doc.find("typ"); typ != doc.end()) {
    if (!typ->is_string()) return fail(JwsError::bad_header_field);
    header.typ = typ->get<std::string>();
  }
  header.has_crit = doc.contains("crit");
  if (const auto b64 = doc.find("b64"); b64 != doc.end()) {
    if (!b64->is_boolean()) return fail(JwsError::bad_header_field);
    header.b64_false = !b64->get<bool>();
  }
  return header;
}

JwsSigner::JwsSigner(PrivateKey key, std::string kid, std::string_view typ)
    : key_(std::move(key)), kid_(std::move(kid)) {
  const nlohmann::json header = {{"alg", to_string(key_.algorithm())}, {"kid", kid_}, {"typ", typ}};
  header_b64_ = base64url_encode(header.dump());
}

bool JwsSigner::sign(std::string_view payload_json, std::string& token) const {
  token.clear();
  token.reserve(header_b64_.size() + payload_json.size() * 4 / 3 + 400);
  token += header_b64_;
  token += '.';
  token += base64url_encode(payload_json);
  std::string signature;
  if (!key_.sign(token, signature)) return false;
  token += '.';
  token += base64url_encode(signature);
  return true;
}

}  // namespace tessera::jose
