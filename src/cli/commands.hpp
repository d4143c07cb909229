// The `tessera` binary's subcommands. Each file registers its own on the shared CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace tessera::cli {

// Registers `serve`; the returned function runs it after parsing and gives the exit code.
std::function<int()> add_serve_command(CLI::App& app);

// Registers `migrate` (explicit schema upgrade of either backend).
std::function<int()> add_migrate_command(CLI::App& app);

}  // namespace tessera::cli
