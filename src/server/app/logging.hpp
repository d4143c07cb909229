// Log set-up: human-readable lines by default, or one JSON object per line for log shippers.
#pragma once

#include <string>

namespace tessera::app {

// Returns false (and leaves logging as it was) for an unknown format or level.
bool configure_logging(const std::string& format, const std::string& level, std::string& error);

}  // namespace tessera::app
