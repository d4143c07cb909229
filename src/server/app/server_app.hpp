// Wiring: builds every layer from a Config, starts the listener and the background tasks (key
// activation, last-used flushing, key pruning), and shuts down gracefully on SIGINT / SIGTERM.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "server/app/config.hpp"
#include "server/manage/service.hpp"
#include "tessera/result.hpp"

namespace tessera::app {

class ServerApp {
 public:
  // Opens the store, loads or creates keys and admin credentials, and binds the listener.
  static Result<std::unique_ptr<ServerApp>, std::string> create(const Config& config);
  ~ServerApp();

  std::uint16_t port() const;
  const std::string& issuer() const;
  // Set when this start created the environment credentials (an empty database, none configured).
  const std::optional<manage::CreatedClient>& generated_admin() const;

  // Serves until SIGINT, SIGTERM or stop(). Returns the process exit code.
  int run();
  void stop();

 private:
  struct Parts;
  explicit ServerApp(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace tessera::app
