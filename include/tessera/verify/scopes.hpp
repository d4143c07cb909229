// Scope checks: exact, case-sensitive equality of whole scope strings, never substrings.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace tessera::verify {

bool has_scope(std::span<const std::string> granted, std::string_view scope);

// True when every required scope is granted (so also for an empty requirement).
bool has_all_scopes(std::span<const std::string> granted, std::span<const std::string> required);
bool has_all_scopes(std::span<const std::string> granted,
                    std::initializer_list<std::string_view> required);

// True when at least one required scope is granted (so never for an empty requirement).
bool has_any_scope(std::span<const std::string> granted, std::span<const std::string> required);
bool has_any_scope(std::span<const std::string> granted,
                   std::initializer_list<std::string_view> required);

}  // namespace tessera::verify
