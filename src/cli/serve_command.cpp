// `tessera serve`: the authorization server.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "server/app/logging.hpp"
#include "server/app/server_app.hpp"

namespace tessera::cli {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

void print_first_start(const app::ServerApp& server) {
  const auto& admin = *server.generated_admin();
  std::cout << "\n"
            << "  tessera created environment credentials for the management API.\n"
            << "  They are shown only this once: store the secret now.\n\n"
            << "    TESSERA_CLIENT_ID=" << admin.client.id << "\n"
            << "    TESSERA_CLIENT_SECRET=" << admin.plain_secret << "\n\n";
}

void print_how_to_get_a_token(const app::ServerApp& server) {
  std::cout << "  Get a management token:\n\n"
            << "    curl -s " << server.issuer() << "/oauth/token \\\n"
            << "      -d grant_type=client_credentials \\\n"
            << "      -d client_id=$TESSERA_CLIENT_ID -d client_secret=$TESSERA_CLIENT_SECRET\n\n"
            << "  JWKS: " << server.issuer() << "/keys   Discovery: " << server.issuer()
            << "/.well-known/oauth-authorization-server\n"
            << std::endl;
}

}  // namespace

std::function<int()> add_serve_command(CLI::App& app) {
  auto config = std::make_shared<app::Config>();
  CLI::App* serve = app.add_subcommand("serve", "Run the authorization server");
  auto config_file = std::make_shared<std::string>();
  serve
      ->add_option("--config", *config_file,
                   "TOML file; keys are the long flag names (flags and TESSERA_* win)")
      ->envname("TESSERA_CONFIG")
      ->check(CLI::ExistingFile);
  auto& c = *config;
  serve->add_option("--listen", c.listen, "Address to listen on, HOST:PORT")
      ->envname("TESSERA_LISTEN")
      ->capture_default_str();
  serve->add_option("--issuer", c.issuer, "Issuer URL (iss); default http://<listen>")
      ->envname("TESSERA_ISSUER");
  serve
      ->add_option("--db", c.db,
                   "Database: sqlite://[PATH] (default: DATA_DIR/tessera.db) or "
                   "postgres://USER@HOST/DB?sslmode=...")
      ->envname("TESSERA_DB");
  serve->add_option("--data-dir", c.data_dir, "Directory for the SQLite database and master key")
      ->envname("TESSERA_DATA_DIR")
      ->capture_default_str();
  serve
      ->add_option("--master-key-file", c.master_key_file,
                   "Master key file (default DATA_DIR/master.key; TESSERA_MASTER_KEY overrides)")
      ->envname("TESSERA_MASTER_KEY_FILE");
  serve
      ->add_option("--admin-client-id", c.admin_client_id,
                   "Environment client to ensure at start (secret: TESSERA_ADMIN_CLIENT_SECRET)")
      ->envname("TESSERA_ADMIN_CLIENT_ID");
  serve
      ->add_option("--signing-algorithm", c.signing_algorithm,
                   "Algorithm of new signing keys: RS256, ES256, EdDSA")
      ->envname("TESSERA_SIGNING_ALGORITHM")
      ->capture_default_str();
  serve
      ->add_option("--key-publish-delay", c.key_publish_delay_seconds,
                   "Seconds a rotated key is published before it signs")
      ->envname("TESSERA_KEY_PUBLISH_DELAY")
      ->capture_default_str()
      ->check(CLI::Range(0, 30 * 86400));
  serve
      ->add_option("--max-token-lifetime", c.max_token_lifetime_seconds,
                   "Longest token lifetime (client expiry) in seconds")
      ->envname("TESSERA_MAX_TOKEN_LIFETIME")
      ->capture_default_str()
      ->check(CLI::Range(300, 30 * 86400));
  serve
      ->add_option("--management-token-lifetime", c.management_token_lifetime_seconds,
                   "Lifetime of management tokens in seconds")
      ->envname("TESSERA_MANAGEMENT_TOKEN_LIFETIME")
      ->capture_default_str()
      ->check(CLI::Range(60, 86400));
  serve
      ->add_option("--jwks-max-age", c.jwks_max_age_seconds,
                   "Cache-Control max-age of /keys in seconds")
      ->envname("TESSERA_JWKS_MAX_AGE")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  serve->add_option("--io-threads", c.io_threads, "HTTP threads (0: one per core)")
      ->envname("TESSERA_IO_THREADS")
      ->capture_default_str();
  serve->add_option("--worker-threads", c.worker_threads, "Threads for database work")
      ->envname("TESSERA_WORKER_THREADS")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  serve
      ->add_option("--node-id", c.node_id,
                   "Node id (0-65535) embedded in generated ids (PostgreSQL: leased from the "
                   "database when not given)")
      ->envname("TESSERA_NODE_ID")
      ->capture_default_str();
  serve
      ->add_option("--client-cache-entries", c.client_cache_entries,
                   "Clients kept in memory for the token endpoint")
      ->envname("TESSERA_CLIENT_CACHE_ENTRIES")
      ->capture_default_str()
      ->check(CLI::Range(16, 100'000'000));
  serve
      ->add_option("--last-used-flush-interval", c.last_used_flush_seconds,
                   "Seconds between writes of secret last-use times")
      ->envname("TESSERA_LAST_USED_FLUSH_INTERVAL")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--max-connections", c.limits.max_connections,
                   "Concurrent connections before new ones get 503")
      ->envname("TESSERA_MAX_CONNECTIONS")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  // Read timeouts against slow clients, in milliseconds (converted into c.limits after parsing).
  auto timeouts = std::make_shared<std::array<std::int64_t, 3>>(
      std::array<std::int64_t, 3>{c.limits.header_timeout.count(), c.limits.body_timeout.count(),
                                  c.limits.idle_timeout.count()});
  serve
      ->add_option("--header-timeout-ms", (*timeouts)[0],
                   "Time for a request's line and headers to arrive, however slowly they trickle")
      ->envname("TESSERA_HEADER_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(100, 600'000));
  serve
      ->add_option("--body-timeout-ms", (*timeouts)[1],
                   "Time for a request body to arrive (and for a response to be written)")
      ->envname("TESSERA_BODY_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(100, 600'000));
  serve
      ->add_option("--idle-timeout-ms", (*timeouts)[2],
                   "Time a keep-alive connection may wait for its next request")
      ->envname("TESSERA_IDLE_TIMEOUT_MS")
      ->capture_default_str()
      ->check(CLI::Range(100, 3'600'000));
  serve->add_option("--tls-cert", c.tls_cert, "PEM certificate chain: serve HTTPS (TLS 1.2+)")
      ->envname("TESSERA_TLS_CERT")
      ->check(CLI::ExistingFile);
  serve->add_option("--tls-key", c.tls_key, "PEM private key of --tls-cert")
      ->envname("TESSERA_TLS_KEY")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--shed-lag-ms", c.shed_lag_ms,
                   "Event-loop lag (ms) above which /oauth/token sheds load with 503 (0: never)")
      ->envname("TESSERA_SHED_LAG_MS")
      ->capture_default_str()
      ->check(CLI::Range(0, 60000));
  serve
      ->add_option("--trusted-proxies", c.trusted_proxies,
                   "IPs/CIDRs of reverse proxies whose X-Forwarded-For is believed")
      ->envname("TESSERA_TRUSTED_PROXIES");
  serve->add_option("--log-format", c.log_format, "text or json (one object per line)")
      ->envname("TESSERA_LOG_FORMAT")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  serve->add_option("--log-level", c.log_level, "trace, debug, info, warn, error")
      ->envname("TESSERA_LOG_LEVEL")
      ->capture_default_str();

  return [config, config_file, serve, timeouts]() -> int {
    if (!serve->parsed()) return -1;
    if (!config_file->empty()) {
      if (const std::string error = apply_config_file(*serve, *config_file); !error.empty()) {
        std::cerr << "tessera serve: " << error << "\n";
        return 2;
      }
    }
    app::Config settings = *config;
    settings.limits.header_timeout = std::chrono::milliseconds((*timeouts)[0]);
    settings.limits.body_timeout = std::chrono::milliseconds((*timeouts)[1]);
    settings.limits.idle_timeout = std::chrono::milliseconds((*timeouts)[2]);
    settings.node_id_configured = serve->get_option("--node-id")->count() > 0;
    // Secrets only from the environment: command lines are visible to every local user.
    settings.master_key = env_or_empty("TESSERA_MASTER_KEY");
    settings.admin_client_secret = env_or_empty("TESSERA_ADMIN_CLIENT_SECRET");
    std::string error;
    if (!app::configure_logging(settings.log_format, settings.log_level, error)) {
      std::cerr << "tessera serve: " << error << "\n";
      return 2;
    }
    auto server = app::ServerApp::create(settings);
    if (!server) {
      std::cerr << "tessera serve: " << server.error() << "\n";
      return 1;
    }
    if ((*server)->generated_admin()) print_first_start(**server);
    std::cout << "tessera: listening on " << (*server)->issuer() << "\n";
    print_how_to_get_a_token(**server);
    std::cout.flush();
    return (*server)->run();
  };
}

}  // namespace tessera::cli
