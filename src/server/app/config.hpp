// Everything `tessera serve` can be told, with the defaults a first run on a laptop needs.
// Sources, weakest first: defaults, the TOML file (--config), TESSERA_* environment variables,
// command-line flags.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "server/http/limits.hpp"

namespace tessera::app {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string issuer;  // empty: scheme + the bound address and port (see effective_issuer)
  std::string db;      // empty: sqlite:// in data_dir; "sqlite:///abs/path.db" or "sqlite://rel.db"
  std::filesystem::path data_dir = "data";

  std::string master_key;                 // TESSERA_MASTER_KEY; else the key file
  std::filesystem::path master_key_file;  // empty: data_dir/master.key

  std::string admin_client_id;  // TESSERA_ADMIN_CLIENT_ID / _SECRET: ensured at start
  std::string admin_client_secret;

  std::string signing_algorithm = "RS256";
  std::int64_t key_publish_delay_seconds = 300;  // rotation: published this long before signing
  std::int64_t max_token_lifetime_seconds = 86400;
  std::int64_t management_token_lifetime_seconds = 3600;
  std::int64_t jwks_max_age_seconds = 300;

  unsigned io_threads = 0;  // 0: one per core
  unsigned worker_threads = 4;
  std::uint16_t node_id = 0;
  bool node_id_configured = false;  // --node-id given: PostgreSQL nodes lease this id, not any
  std::size_t client_cache_entries = 100'000;
  std::int64_t last_used_flush_seconds = 5;

  std::filesystem::path tls_cert;  // PEM chain; with tls_key, serve HTTPS
  std::filesystem::path tls_key;
  std::int64_t shed_lag_ms = 100;  // event-loop lag that makes /oauth/token answer 503 (0: never)
  std::string trusted_proxies;     // comma-separated IPs / CIDRs whose X-Forwarded-For is believed

  std::string log_format = "text";  // or "json": one JSON object per line
  std::string log_level = "info";

  http::HttpLimits limits;

  // Derived values.
  std::string effective_issuer() const;
  std::filesystem::path effective_master_key_file() const;
};

// Where the database lives, decoded from `db`.
struct DatabaseLocation {
  enum class Kind { sqlite, postgres } kind;
  std::string target;  // file path for sqlite, the connection URI for postgres
};

// nullopt with `error` set when the URL cannot be used.
std::optional<DatabaseLocation> parse_database_url(const Config& config, std::string& error);

}  // namespace tessera::app
