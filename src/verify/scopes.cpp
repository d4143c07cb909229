#include "tessera/verify/scopes.hpp"

#include <algorithm>

namespace tessera::verify {
namespace {

template <class Required>
bool all_granted(std::span<const std::string> granted, const Required& required) {
  return std::all_of(required.begin(), required.end(),
                     [&](const auto& scope) { return has_scope(granted, scope); });
}

template <class Required>
bool any_granted(std::span<const std::string> granted, const Required& required) {
  return std::any_of(required.begin(), required.end(),
                     [&](const auto& scope) { return has_scope(granted, scope); });
}

}  // namespace

bool has_scope(std::span<const std::string> granted, std::string_view scope) {
  return std::find(granted.begin(), granted.end(), scope) != granted.end();
}

bool has_all_scopes(std::span<const std::string> granted, std::span<const std::string> required) {
  return all_granted(granted, required);
}
bool has_all_scopes(std::span<const std::string> granted,
                    std::initializer_list<std::string_view> required) {
  return all_granted(granted, required);
}

bool has_any_scope(std::span<const std::string> granted, std::span<const std::string> required) {
  return any_granted(granted, required);
}
bool has_any_scope(std::span<const std::string> granted,
                   std::initializer_list<std::string_view> required) {
  return any_granted(granted, required);
}

}  // namespace tessera::verify
