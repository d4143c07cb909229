// How the management subcommands print: aligned tables and "field  value" blocks for people,
// the API's own JSON shapes (snake_case, RFC 3339 times) for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "tessera/client/types.hpp"

namespace tessera::cli {

using Json = nlohmann::json;

// Columns padded to their widest cell; the header row in capitals.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

using Fields = std::vector<std::pair<std::string, std::string>>;
void print_fields(std::ostream& out, const Fields& fields);
void print_json(std::ostream& out, const Json& json);

std::string join(const std::vector<std::string>& values, const char* separator = ", ");
// Seconds precision, for tables; "-" for an unset time.
std::string short_time(client::Timestamp time);
std::string short_time(const std::optional<client::Timestamp>& time);

Json to_json(const client::Organization& organization);
Json to_json(const client::Secret& secret);
Json to_json(const client::ApiClient& client);
Json to_json(const client::SigningKey& key);
Json to_json(const client::AuditEvent& event);

Fields fields_of(const client::Organization& organization);
Fields fields_of(const client::ApiClient& client);
Fields fields_of(const client::SigningKey& key);

// {"<name>": [items...], "next_page_token", "prev_page_token", "total_size"}, as the API lists.
template <class T>
Json page_json(const char* name, const client::Page<T>& page) {
  Json items = Json::array();
  for (const auto& item : page.items)
    items.push_back(to_json(item));
  return {{name, std::move(items)},
          {"next_page_token", page.next_page_token},
          {"prev_page_token", page.prev_page_token},
          {"total_size", page.total_size}};
}

}  // namespace tessera::cli
