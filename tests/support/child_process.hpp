// What the test helpers that spawn `tessera` (tests/unit/cli, tests/unit/client) hand to
// posix_spawn: an environment and argv/envp arrays.
#pragma once

#include <map>
#include <string>
#include <vector>

extern char** environ;

namespace tessera::testing {

// This process's environment without any TESSERA_* variable (the developer's own settings must
// not leak into a test) and without the names in `extra`, then `extra` itself: a child reads
// exactly the values the test chose.
inline std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (name.starts_with("TESSERA_") || extra.contains(name)) continue;
    out.push_back(entry);
  }
  for (const auto& [name, value] : extra)
    out.push_back(name + "=" + value);
  return out;
}

// A null-terminated array of pointers into `strings` (which must outlive it).
inline std::vector<char*> c_string_array(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace tessera::testing
