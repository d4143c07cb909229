#include "server/http/wire.hpp"

#include <charconv>

#include "jose/strict_json.hpp"

namespace tessera::http::wire {
namespace {

using nlohmann::json;
using Violations = domain::FieldViolations;

// --- Output ------------------------------------------------------------------------------------

Json string_array(const std::vector<std::string>& values) {
  Json array = Json::array();
  for (const auto& v : values)
    array.push_back(v);
  return array;
}

// --- Input -------------------------------------------------------------------------------------

// Reads the members of one request object, collecting type errors instead of stopping at the first.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) {
    if (body.empty()) {
      doc_ = json::object();
      return;
    }
    if (auto error =
            ::tessera::json::parse_strict(body, doc_, {.max_bytes = 64 * 1024, .max_depth = 8})) {
      violations_.push_back({"body", std::string(::tessera::json::to_string(*error))});
      doc_ = json::object();
    } else if (!doc_.is_object()) {
      violations_.push_back({"body", "must be a JSON object"});
      doc_ = json::object();
    }
  }

  // Strings: an empty string reads as absent (proto3: empty means unset).
  std::optional<std::string> string(const char* field) {
    const json* v = member(field);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return bad(field, "must be a string");
    std::string value = v->get<std::string>();
    if (value.empty()) return std::nullopt;
    return value;
  }

  std::optional<std::vector<std::string>> strings(const char* field) {
    const json* v = member(field);
    if (v == nullptr) return std::nullopt;
    if (!v->is_array()) return bad(field, "must be an array of strings");
    std::vector<std::string> values;
    for (const auto& item : *v) {
      if (!item.is_string()) return bad(field, "must be an array of strings");
      values.push_back(item.get<std::string>());
    }
    if (values.empty()) return std::nullopt;
    return values;
  }

  std::optional<std::map<std::string, std::string>> string_map(const char* field) {
    const json* v = member(field);
    if (v == nullptr) return std::nullopt;
    if (!v->is_object()) return bad(field, "must be an object of strings");
    std::map<std::string, std::string> values;
    for (const auto& [key, value] : v->items()) {
      if (!value.is_string()) return bad(field, "must be an object of strings");
      values.emplace(key, value.get<std::string>());
    }
    if (values.empty()) return std::nullopt;
    return values;
  }

  std::optional<std::vector<domain::CustomClaim>> claims(const char* field) {
    const json* v = member(field);
    if (v == nullptr) return std::nullopt;
    const char* shape = "must be an array of {\"key\": string, \"value\": string}";
    if (!v->is_array()) return bad(field, shape);
    std::vector<domain::CustomClaim> values;
    for (const auto& item : *v) {
      if (!item.is_object()) return bad(field, shape);
      const auto key = item.find("key");
      const auto value = item.find("value");
      if (key == item.end() || !key->is_string() || (value != item.end() && !value->is_string())) {
        return bad(field, shape);
      }
      values.push_back(
          {key->get<std::string>(), value == item.end() ? "" : value->get<std::string>()});
    }
    if (values.empty()) return std::nullopt;
    return values;
  }

  // proto3 JSON spells int64 as a number or a decimal string; both are accepted. 0 reads as absent.
  std::optional<std::int64_t> int64(const char* field) {
    const json* v = member(field);
    if (v == nullptr) return std::nullopt;
    std::int64_t value = 0;
    if (v->is_number_integer()) {
      if (v->is_number_unsigned() && v->get<std::uint64_t>() > INT64_MAX) {
        return bad(field, "is out of range");
      }
      value = v->get<std::int64_t>();
    } else if (v->is_string()) {
      const auto& text = v->get_ref<const std::string&>();
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return bad(field, "must be an integer");
      }
    } else {
      return bad(field, "must be an integer");
    }
    if (value == 0) return std::nullopt;
    return value;
  }

  Violations take_violations() { return std::move(violations_); }

 private:
  const json* member(const char* field) const {
    const auto it = doc_.find(field);
    if (it == doc_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::nullopt_t bad(const char* field, const char* description) {
    violations_.push_back({field, description});
    return std::nullopt;
  }

  json doc_;
  Violations violations_;
};

}  // namespace

Json to_json(const domain::Secret& secret) {
  Json out = {{"id", secret.id},
              {"create_time", domain::format_rfc3339(secret.create_time)},
              {"update_time", domain::format_rfc3339(secret.update_time)},
              {"secret_suffix", secret.suffix},
              {"status", domain::to_string(secret.status)}};
  if (secret.expire_time) out["expire_time"] = domain::format_rfc3339(*secret.expire_time);
  if (secret.last_used_time) out["last_used_time"] = domain::format_rfc3339(*secret.last_used_time);
  return out;
}

Json to_json(const domain::ApiClient& client) {
  Json secrets = Json::array();
  for (const auto& secret : client.secrets)
    secrets.push_back(to_json(secret));
  Json out = {{"client_id", client.id},
              {"secrets", std::move(secrets)},
              {"name", client.name},
              {"description", client.description}};
  if (client.organization_id) out["organization_id"] = *client.organization_id;
  out["create_time"] = domain::format_rfc3339(client.create_time);
  out["update_time"] = domain::format_rfc3339(client.update_time);
  out["scopes"] = string_array(client.scopes);
  if (!client.audience.empty()) out["audience"] = string_array(client.audience);
  if (!client.custom_claims.empty()) {
    Json claims = Json::array();
    for (const auto& claim : client.custom_claims) {
      claims.push_back({{"key", claim.key}, {"value", claim.value}});
    }
    out["custom_claims"] = std::move(claims);
  }
  out["expiry"] = client.expiry_seconds;
  return out;
}

Json to_json(const domain::Organization& organization) {
  Json out = {{"id", organization.id}, {"display_name", organization.display_name}};
  if (organization.external_id) out["external_id"] = *organization.external_id;
  Json metadata = Json::object();
  for (const auto& [key, value] : organization.metadata)
    metadata[key] = value;
  out["metadata"] = std::move(metadata);
  out["create_time"] = domain::format_rfc3339(organization.create_time);
  out["update_time"] = domain::format_rfc3339(organization.update_time);
  return out;
}

Json to_json(const keys::KeyInfo& key) {
  Json out = {{"id", key.id},
              {"algorithm", jose::to_string(key.algorithm)},
              {"state", keys::to_string(key.state)},
              {"create_time", domain::format_rfc3339(key.create_time)},
              {"activate_time", domain::format_rfc3339(key.activate_time)}};
  if (key.retire_time) out["retire_time"] = domain::format_rfc3339(*key.retire_time);
  if (key.unpublish_time) out["unpublish_time"] = domain::format_rfc3339(*key.unpublish_time);
  return out;
}

Json to_json(const domain::AuditEvent& event) {
  return {{"id", event.id},
          {"time", domain::format_rfc3339(event.time)},
          {"actor", event.actor},
          {"action", event.action},
          {"target_id", event.target_id},
          {"organization_id", event.organization_id},
          {"source_address", event.source_address},
          {"outcome", domain::to_string(event.outcome)}};
}

Result<manage::OrganizationDraft, BodyResult> parse_organization_draft(std::string_view body) {
  BodyReader reader(body);
  manage::OrganizationDraft draft;
  draft.display_name = reader.string("display_name").value_or("");
  draft.external_id = reader.string("external_id");
  draft.metadata = reader.string_map("metadata").value_or(std::map<std::string, std::string>{});
  if (auto violations = reader.take_violations(); !violations.empty()) return fail(violations);
  return draft;
}

Result<domain::OrganizationPatch, BodyResult> parse_organization_patch(std::string_view body) {
  BodyReader reader(body);
  domain::OrganizationPatch patch;
  patch.display_name = reader.string("display_name");
  patch.external_id = reader.string("external_id");
  patch.metadata = reader.string_map("metadata");
  if (auto violations = reader.take_violations(); !violations.empty()) return fail(violations);
  return patch;
}

Result<manage::ClientDraft, BodyResult> parse_client_draft(std::string_view body) {
  BodyReader reader(body);
  manage::ClientDraft draft;
  draft.name = reader.string("name").value_or("");
  draft.description = reader.string("description").value_or("");
  draft.scopes = reader.strings("scopes").value_or(std::vector<std::string>{});
  draft.audience = reader.strings("audience").value_or(std::vector<std::string>{});
  draft.custom_claims = reader.claims("custom_claims").value_or(std::vector<domain::CustomClaim>{});
  draft.expiry_seconds = reader.int64("expiry");
  if (auto violations = reader.take_violations(); !violations.empty()) return fail(violations);
  return draft;
}

Result<domain::ApiClientPatch, BodyResult> parse_client_patch(std::string_view body) {
  BodyReader reader(body);
  domain::ApiClientPatch patch;
  patch.name = reader.string("name");
  patch.description = reader.string("description");
  patch.scopes = reader.strings("scopes");
  patch.audience = reader.strings("audience");
  patch.custom_claims = reader.claims("custom_claims");
  patch.expiry_seconds = reader.int64("expiry");
  if (auto violations = reader.take_violations(); !violations.empty()) return fail(violations);
  return patch;
}

Result<void, BodyResult> parse_empty_request(std::string_view body) {
  BodyReader reader(body);
  if (auto violations = reader.take_violations(); !violations.empty()) return fail(violations);
  return {};
}

}  // namespace tessera::http::wire
