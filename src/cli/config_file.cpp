#include "cli/config_file.hpp"

#include <toml++/toml.h>

namespace tessera::cli {
namespace {

// TOML scalars as the text CLI11 would have received on the command line.
std::optional<std::string> scalar_text(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (auto b = node.value<bool>()) return *b ? "true" : "false";
  if (auto d = node.value<double>()) return std::to_string(*d);
  return std::nullopt;
}

}  // namespace

std::string apply_config_file(CLI::App& command, const std::filesystem::path& file) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return file.string() + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
           ": " + std::string(e.description());
  }
  for (const auto& [raw_key, node] : table) {
    std::string key(raw_key.str());
    std::replace(key.begin(), key.end(), '_', '-');
    CLI::Option* option =
        key == "config" || key == "help" ? nullptr : command.get_option_no_throw("--" + key);
    if (option == nullptr)
      return file.string() + ": unknown setting '" + std::string(raw_key.str()) + "'";
    const auto text = scalar_text(node);
    if (!text)
      return file.string() + ": '" + std::string(raw_key.str()) +
             "' must be a string, number or boolean";
    if (option->count() > 0) continue;  // a flag or an environment variable wins
    try {
      option->add_result(*text);
      option->run_callback();
    } catch (const CLI::Error& e) {
      return file.string() + ": " + std::string(raw_key.str()) + ": " + e.what();
    }
  }
  return {};
}

}  // namespace tessera::cli
