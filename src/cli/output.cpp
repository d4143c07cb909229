#include "cli/output.hpp"

#include <algorithm>
#include <ostream>

namespace tessera::cli {
namespace {

// Members the API omits when unset are omitted here too.
void put_time(Json& out, const char* name, const std::optional<client::Timestamp>& time) {
  if (time) out[name] = client::to_rfc3339(*time);
}

}  // namespace

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

void print_fields(std::ostream& out, const Fields& fields) {
  std::size_t width = 0;
  for (const auto& [name, value] : fields)
    width = std::max(width, name.size());
  for (const auto& [name, value] : fields) {
    out << name << std::string(width - name.size() + 2, ' ') << value << "\n";
  }
}

void print_json(std::ostream& out, const Json& json) {
  out << json.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

std::string join(const std::vector<std::string>& values, const char* separator) {
  std::string out;
  for (const auto& value : values)
    out += (out.empty() ? "" : separator) + value;
  return out;
}

std::string short_time(client::Timestamp time) {
  const std::string full = client::to_rfc3339(time);
  return full.substr(0, full.find('.')) + "Z";
}

std::string short_time(const std::optional<client::Timestamp>& time) {
  return time ? short_time(*time) : "-";
}

Json to_json(const client::Organization& organization) {
  Json out = {{"id", organization.id}, {"display_name", organization.display_name}};
  if (!organization.external_id.empty()) out["external_id"] = organization.external_id;
  out["metadata"] = organization.metadata;
  out["create_time"] = client::to_rfc3339(organization.create_time);
  out["update_time"] = client::to_rfc3339(organization.update_time);
  return out;
}

Json to_json(const client::Secret& secret) {
  Json out = {{"id", secret.id},
              {"create_time", client::to_rfc3339(secret.create_time)},
              {"update_time", client::to_rfc3339(secret.update_time)},
              {"secret_suffix", secret.secret_suffix},
              {"status", secret.status}};
  put_time(out, "expire_time", secret.expire_time);
  put_time(out, "last_used_time", secret.last_used_time);
  return out;
}

Json to_json(const client::ApiClient& client) {
  Json secrets = Json::array();
  for (const auto& secret : client.secrets)
    secrets.push_back(to_json(secret));
  Json claims = Json::array();
  for (const auto& claim : client.custom_claims) {
    claims.push_back({{"key", claim.key}, {"value", claim.value}});
  }
  return {{"client_id", client.client_id},
          {"secrets", std::move(secrets)},
          {"name", client.name},
          {"description", client.description},
          {"organization_id", client.organization_id},
          {"create_time", client::to_rfc3339(client.create_time)},
          {"update_time", client::to_rfc3339(client.update_time)},
          {"scopes", client.scopes},
          {"audience", client.audience},
          {"custom_claims", std::move(claims)},
          {"expiry", client.expiry.count()}};
}

Json to_json(const client::SigningKey& key) {
  Json out = {{"id", key.id},
              {"algorithm", key.algorithm},
              {"state", key.state},
              {"create_time", client::to_rfc3339(key.create_time)},
              {"activate_time", client::to_rfc3339(key.activate_time)}};
  put_time(out, "retire_time", key.retire_time);
  put_time(out, "unpublish_time", key.unpublish_time);
  return out;
}

Json to_json(const client::AuditEvent& event) {
  return {{"id", event.id},
          {"time", client::to_rfc3339(event.time)},
          {"actor", event.actor},
          {"action", event.action},
          {"target_id", event.target_id},
          {"organization_id", event.organization_id},
          {"source_address", event.source_address},
          {"outcome", event.outcome}};
}

Fields fields_of(const client::Organization& organization) {
  std::vector<std::string> metadata;
  for (const auto& [key, value] : organization.metadata)
    metadata.push_back(key + "=" + value);
  return {{"id", organization.id},
          {"display_name", organization.display_name},
          {"external_id", organization.external_id.empty() ? "-" : organization.external_id},
          {"metadata", metadata.empty() ? "-" : join(metadata)},
          {"create_time", short_time(organization.create_time)},
          {"update_time", short_time(organization.update_time)}};
}

Fields fields_of(const client::ApiClient& client) {
  std::vector<std::string> claims;
  for (const auto& claim : client.custom_claims)
    claims.push_back(claim.key + "=" + claim.value);
  Fields fields = {{"client_id", client.client_id},
                   {"name", client.name},
                   {"description", client.description.empty() ? "-" : client.description},
                   {"organization_id", client.organization_id},
                   {"scopes", client.scopes.empty() ? "-" : join(client.scopes, " ")},
                   {"audience", client.audience.empty() ? "-" : join(client.audience, " ")},
                   {"custom_claims", claims.empty() ? "-" : join(claims)},
                   {"expiry", std::to_string(client.expiry.count()) + "s"},
                   {"create_time", short_time(client.create_time)},
                   {"update_time", short_time(client.update_time)}};
  for (const auto& secret : client.secrets) {
    fields.push_back({"secret", secret.id + "  ..." + secret.secret_suffix + "  " + secret.status +
                                    "  last used " + short_time(secret.last_used_time)});
  }
  return fields;
}

Fields fields_of(const client::SigningKey& key) {
  return {{"id", key.id},
          {"algorithm", key.algorithm},
          {"state", key.state},
          {"create_time", short_time(key.create_time)},
          {"activate_time", short_time(key.activate_time)},
          {"retire_time", short_time(key.retire_time)},
          {"unpublish_time", short_time(key.unpublish_time)}};
}

}  // namespace tessera::cli
