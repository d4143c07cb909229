// `--config FILE`: a TOML file whose keys are the long flag names of a subcommand
// (`max_token_lifetime` or `max-token-lifetime`). It fills in only what neither a flag nor a
// TESSERA_* environment variable set, so the precedence is flags > environment > file > defaults.
#pragma once

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

namespace tessera::cli {

// Returns an empty string on success, else a message naming the file and the problem.
std::string apply_config_file(CLI::App& command, const std::filesystem::path& file);

}  // namespace tessera::cli
