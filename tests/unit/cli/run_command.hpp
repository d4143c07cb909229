// Runs a program to completion with a given stdin, capturing stdout, stderr and the exit code.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tessera::testing {

struct CommandResult {
  int exit_code = -1;  // -signal when killed
  std::string out;
  std::string err;
};

// The environment is ours without any TESSERA_* variable, plus `env`. Killed after 60 s.
CommandResult run_command(const std::filesystem::path& program,
                          const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {},
                          const std::string& input = {});

}  // namespace tessera::testing
