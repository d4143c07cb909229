#include "server/app/server_app.hpp"

#include <sys/stat.h>

#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/app/cluster.hpp"
#include "server/auth/authenticator.hpp"
#include "server/grpc/client_service.hpp"
#include "server/grpc/grpc_server.hpp"
#include "server/http/management_api.hpp"
#include "server/http/metrics.hpp"
#include "server/http/offload.hpp"
#include "server/http/public_endpoints.hpp"
#include "server/http/server.hpp"
#include "server/http/tls.hpp"
#include "server/http/token_endpoint.hpp"
#include "server/issue/token_issuer.hpp"
#include "server/keys/key_manager.hpp"
#include "server/store/postgres/postgres_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "server/store/statement_counter.hpp"

namespace tessera::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The management token verifier reads the server's own keys straight from the ring.
class RingKeySource final : public verify::KeySource {
 public:
  explicit RingKeySource(const keys::KeyRing& ring) : ring_(ring) {}
  std::shared_ptr<const jose::Jwks> keys() override { return ring_.published_keys(); }
  std::shared_ptr<const jose::Jwks> refresh_for_unknown_kid() override { return keys(); }

 private:
  const keys::KeyRing& ring_;
};

Result<asio::ip::tcp::endpoint, std::string> parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return fail("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size()) port = 65536;
  } catch (const std::exception&) {
    port = 65536;
  }
  if (ec || port > 65535)
    return fail("--listen must be HOST:PORT with an IP address, e.g. 127.0.0.1:8080");
  return asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

unsigned resolved_io_threads(const Config& config) {
  return config.io_threads != 0 ? config.io_threads
                                : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

struct ServerApp::Parts {
  Config config;
  std::string issuer;
  std::unique_ptr<store::Store> store;
  std::optional<keys::MasterKey> master_key;
  std::unique_ptr<keys::Sealer> sealer;
  std::unique_ptr<auth::SecretHasher> hasher;
  std::unique_ptr<domain::IdGenerator> ids;
  std::unique_ptr<keys::KeyRing> ring;
  std::unique_ptr<keys::KeyManager> key_manager;
  std::unique_ptr<auth::ClientCache> cache;
  std::unique_ptr<auth::ClientAuthenticator> authenticator;
  auth::LastUsedTracker last_used;
  auth::Throttle throttle;
  std::size_t throttle_share = 1;  // live nodes the throttle's limits are split over
  http::TokenMetrics token_metrics;
  std::unique_ptr<http::LoadShedder> shedder;
  http::TrustedProxies trusted_proxies;
  std::unique_ptr<issue::TokenIssuer> issuer_service;
  std::unique_ptr<manage::Service> service;
  std::optional<verify::Authorizer> management_authorizer;
  std::optional<manage::CreatedClient> generated_admin;

  // One event loop per I/O thread (hint 1: each is run by one thread), so that a connection's work
  // never hops between threads: `io` also runs the listener, timers and signals, `more_io` the
  // other threads' connections.
  asio::io_context io{1};
  std::vector<std::unique_ptr<asio::io_context>> more_io;
  std::unique_ptr<asio::thread_pool> workers;
  http::Router router;
  std::unique_ptr<http::TokenEndpoint> token_endpoint;
  std::unique_ptr<http::ManagementApi> management_api;
  std::unique_ptr<http::PublicEndpoints> public_endpoints;
  grpc::MethodTable grpc_methods;
  std::unique_ptr<grpc::ClientService> grpc_clients;
  std::unique_ptr<grpc::GrpcServer> grpc_server;
  std::unique_ptr<http::HttpServer> http;
  std::atomic<bool> stopping{false};
  jose::Algorithm algorithm = jose::Algorithm::RS256;
  std::unique_ptr<NodeLease> lease;        // PostgreSQL: this node's id, leased from the database
  std::atomic<bool> keys_stale{false};     // another node changed the keys, or a reload failed
  std::unique_ptr<ChangeApplier> changes;  // declared last: unsubscribed before the rest goes

  Result<void, std::string> open_storage();
  Result<void, std::string> claim_node_id();
  Result<void, std::string> watch_changes();
  void reload_keys();
  void share_throttle();
  Result<void, std::string> open_keys();
  Result<void, std::string> ensure_admin();
  Result<void, std::string> build_http();
  void flush_last_used();
  std::vector<http::ScrapedMetric> scraped_metrics();
  std::vector<asio::io_context*> loops();  // io, then more_io
  asio::awaitable<void> every(std::chrono::seconds period, std::function<void()> task);
};

Result<void, std::string> ServerApp::Parts::open_storage() {
  std::string error;
  const auto location = parse_database_url(config, error);
  if (!location) return fail(error);
  if (location->kind == DatabaseLocation::Kind::postgres) {
    // serve creates the schema of an empty database but never upgrades a shared one: during a
    // rolling upgrade the older nodes must keep working until `tessera migrate` is run on purpose.
    auto opened =
        store::open_postgres_store({.url = location->target,
                                    .max_connections = config.worker_threads + 4,
                                    .migrations = store::MigrationPolicy::initialize_only});
    if (!opened) return fail(opened.error().message);
    store = std::move(*opened);
    return {};
  }
  const std::size_t threads = resolved_io_threads(config) + config.worker_threads;
  auto opened = store::open_sqlite_store(
      {.path = location->target, .max_readers = std::max<std::size_t>(8, threads + 2)});
  if (!opened)
    return fail("cannot open the database " + location->target + ": " + opened.error().message);
  store = std::move(*opened);
  return {};
}

// Nodes sharing a PostgreSQL database lease their node ids from it (a configured --node-id is
// leased too, so that two nodes given the same one fail to start instead of minting equal ids).
// A SQLite file has one node: the configured id, 0 by default.
Result<void, std::string> ServerApp::Parts::claim_node_id() {
  std::string error;
  const auto location = parse_database_url(config, error);
  if (!location || location->kind != DatabaseLocation::Kind::postgres) return {};
  std::optional<std::uint16_t> wanted;
  if (config.node_id_configured) wanted = config.node_id;
  auto leased = NodeLease::acquire(*store, wanted);
  if (!leased) return fail(leased.error());
  lease = std::move(*leased);
  spdlog::info("node id {} (leased from the database)", lease->node_id());
  return {};
}

Result<void, std::string> ServerApp::Parts::watch_changes() {
  changes = std::make_unique<ChangeApplier>(*store, *cache, [this] { keys_stale = true; });
  return {};
}

// The brute-force budget is the cluster's, split over the nodes holding a live lease (each node's
// own memory keeps its share: no database work per failed attempt).
void ServerApp::Parts::share_throttle() {
  auto nodes = store->count_live_nodes(domain::now());
  if (!nodes) return;  // keep the last share; the next renewal tries again
  const auto count = static_cast<std::size_t>(std::max<std::int64_t>(1, *nodes));
  if (count != throttle_share) {
    spdlog::info("brute-force throttle: {} live node(s), this node enforces 1/{} of the limits",
                 count, count);
    throttle_share = count;
  }
  throttle.set_cluster_size(count);
}

void ServerApp::Parts::reload_keys() {
  if (auto loaded = key_manager->load(domain::now()); !loaded) {
    keys_stale = true;  // the ring keeps its keys meanwhile; retried on the next tick
    spdlog::warn("could not reload signing keys: {}", keys::to_string(loaded.error()));
  }
}

Result<void, std::string> ServerApp::Parts::open_keys() {
  if (!config.master_key.empty()) {
    auto key = keys::MasterKey::from_text(config.master_key);
    if (!key) return fail("TESSERA_MASTER_KEY: " + std::string(keys::to_string(key.error())));
    master_key = *key;
  } else {
    const auto file = config.effective_master_key_file();
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path().empty() ? "." : file.parent_path(), ec);
    bool created = false;
    auto key = keys::MasterKey::load_or_create(file, &created);
    if (!key) return fail(file.string() + ": " + std::string(keys::to_string(key.error())));
    if (created)
      spdlog::warn(
          "created a new master key at {}; back it up: without it, signing keys and secrets cannot "
          "be recovered",
          file.string());
    master_key = *key;
  }
  sealer = std::make_unique<keys::Sealer>(master_key->derive(keys::kKeySealingLabel));
  hasher = std::make_unique<auth::SecretHasher>(master_key->derive(auth::kSecretHashKeyLabel));

  const auto alg = jose::parse_algorithm(config.signing_algorithm);
  if (!alg) return fail("--signing-algorithm must be RS256, ES256 or EdDSA");
  algorithm = *alg;
  ids = std::make_unique<domain::IdGenerator>(lease ? lease->node_id() : config.node_id);
  ring = std::make_unique<keys::KeyRing>(std::chrono::seconds(config.max_token_lifetime_seconds));
  key_manager = std::make_unique<keys::KeyManager>(*store, *sealer, *ring, *ids);
  const auto now = domain::now();
  if (auto loaded = key_manager->load(now); !loaded) {
    return fail("signing keys: " + std::string(keys::to_string(loaded.error())));
  }
  if (auto ensured = key_manager->ensure_signing_key(algorithm, now); !ensured) {
    return fail("signing keys: " + std::string(keys::to_string(ensured.error())));
  }
  return {};
}

Result<void, std::string> ServerApp::Parts::ensure_admin() {
  cache = std::make_unique<auth::ClientCache>(config.client_cache_entries);
  authenticator = std::make_unique<auth::ClientAuthenticator>(*store, *cache, *hasher);
  domain::ClientPolicy policy{.max_expiry_seconds = config.max_token_lifetime_seconds};
  service = std::make_unique<manage::Service>(*store, *ids, *hasher, *cache, policy);

  if (!config.admin_client_id.empty() || !config.admin_client_secret.empty()) {
    if (config.admin_client_id.empty() || config.admin_client_secret.empty()) {
      return fail(std::string("set both TESSERA_ADMIN_CLIENT_ID and TESSERA_ADMIN_CLIENT_SECRET"));
    }
    auto ensured =
        service->ensure_environment_client(config.admin_client_id, config.admin_client_secret);
    if (!ensured) return fail("admin credentials: " + ensured.error().message);
    return {};
  }
  auto existing = service->list_environment_clients();
  if (!existing) return fail("admin credentials: " + existing.error().message);
  if (!existing->empty()) return {};
  auto created = service->create_environment_client("admin");
  if (!created) return fail("admin credentials: " + created.error().message);
  generated_admin = std::move(*created);
  return {};
}

Result<void, std::string> ServerApp::Parts::build_http() {
  auto endpoint = parse_listen(config.listen);
  if (!endpoint) return fail(endpoint.error());
  auto proxies = http::TrustedProxies::parse(config.trusted_proxies);
  if (!proxies)
    return fail("--trusted-proxies must be a comma-separated list of IPs and CIDR ranges");
  trusted_proxies = std::move(*proxies);
  std::shared_ptr<asio::ssl::context> tls;
  if (!config.tls_cert.empty() || !config.tls_key.empty()) {
    if (config.tls_cert.empty() || config.tls_key.empty()) {
      return fail(std::string("--tls-cert and --tls-key go together"));
    }
    auto context = http::make_tls_context(config.tls_cert, config.tls_key);
    if (!context) return fail(context.error());
    tls = std::move(*context);
  }
  http = std::make_unique<http::HttpServer>(loops(), config.limits, router, tls);
  if (auto ec = http->listen(*endpoint)) {
    return fail("cannot listen on " + config.listen + ": " + ec.message());
  }
  const std::string scheme = tls ? "https://" : "http://";
  issuer = !config.issuer.empty()
               ? config.effective_issuer()
               : scheme + endpoint->address().to_string() + ":" + std::to_string(http->port());

  if (config.issuer.empty() && endpoint->address().is_unspecified()) {
    spdlog::warn(
        "listening on all interfaces without --issuer: tokens carry iss={}, which clients "
        "cannot reach; set --issuer to the public URL",
        issuer);
  }
  issuer_service = std::make_unique<issue::TokenIssuer>(issuer, *ring);
  shedder = std::make_unique<http::LoadShedder>(std::chrono::milliseconds(config.shed_lag_ms));
  auto verifier = verify::Verifier::create(
      {.issuer = issuer,
       .audiences = {std::string(issue::kManagementAudience)},
       .algorithms = {jose::Algorithm::RS256, jose::Algorithm::ES256, jose::Algorithm::EdDSA},
       .key_source = std::make_shared<RingKeySource>(*ring)});
  if (!verifier)
    return fail("management token verifier: " + std::string(verify::to_string(verifier.error())));
  management_authorizer.emplace(std::move(*verifier), "tessera");

  token_endpoint = std::make_unique<http::TokenEndpoint>(
      *authenticator, throttle, trusted_proxies, last_used, *issuer_service, *ids, *workers,
      token_metrics, *shedder, http::TokenPolicy{config.management_token_lifetime_seconds});
  token_endpoint->add_routes(router, config.limits.max_token_body_bytes);
  management_api = std::make_unique<http::ManagementApi>(
      *service, *key_manager, *ring, *workers, *management_authorizer, trusted_proxies,
      http::KeyRotationPolicy{algorithm, std::chrono::seconds(config.key_publish_delay_seconds)});
  management_api->add_routes(router);
  // The Scalekit SDKs' management calls arrive as gRPC (h2c) on the same listener.
  grpc_clients = std::make_unique<grpc::ClientService>(*service, *workers, *management_authorizer);
  grpc_clients->add_methods(grpc_methods);
  grpc_server = std::make_unique<grpc::GrpcServer>(
      grpc_methods, trusted_proxies,
      grpc::GrpcLimits{
          .max_message_bytes = config.limits.max_body_bytes,
          .max_header_list_bytes = static_cast<std::uint32_t>(config.limits.max_header_bytes),
          .idle_timeout = config.limits.idle_timeout,
          .request_timeout = config.limits.body_timeout});
  http->set_http2_handler(grpc_server.get());
  public_endpoints = std::make_unique<http::PublicEndpoints>(
      http::PublicEndpointsConfig{issuer, static_cast<int>(config.jwks_max_age_seconds)}, *ring,
      *workers, [this] { return static_cast<bool>(store->ping()); },
      [this] { return http::render_metrics(token_metrics, scraped_metrics()); });
  public_endpoints->add_routes(router);
  return {};
}

std::vector<http::ScrapedMetric> ServerApp::Parts::scraped_metrics() {
  constexpr auto kCounter = http::ScrapedMetric::Kind::counter;
  return {
      {"tessera_store_statements_total", "SQL statements sent to the database.",
       [] { return static_cast<double>(store::statements_executed()); }, kCounter},
      {"tessera_client_cache_entries", "API clients (and unknown ids) cached for /oauth/token.",
       [this] { return static_cast<double>(cache->size()); }},
      {"tessera_http_connections", "Open HTTP connections.",
       [this] { return static_cast<double>(http->open_connections()); }},
      {"tessera_event_loop_lag_seconds",
       "Lateness of the last 10 ms probe timer, the largest over the event loops.",
       [this] { return static_cast<double>(shedder->last_lag().count()) / 1e6; }},
      {"tessera_token_requests_shed_total", "Token requests refused with 503 under overload.",
       [this] { return static_cast<double>(shedder->shed_count()); }, kCounter},
      {"tessera_signing_keys_published", "Keys in the JWKS.",
       [this] { return static_cast<double>(ring->published_keys()->keys.size()); }},
  };
}

void ServerApp::Parts::flush_last_used() {
  auto uses = last_used.drain();
  if (uses.empty()) return;
  if (auto written = store->record_secret_uses(uses); !written) {
    spdlog::warn("could not record secret last-use times: {}", store::to_string(written.error()));
    for (const auto& use : uses)
      last_used.record(use.secret_id, use.used_at);
  }
}

std::vector<asio::io_context*> ServerApp::Parts::loops() {
  std::vector<asio::io_context*> all{&io};
  for (auto& loop : more_io)
    all.push_back(loop.get());
  return all;
}

asio::awaitable<void> ServerApp::Parts::every(std::chrono::seconds period,
                                              std::function<void()> task) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping) {
    timer.expires_after(period);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopping) break;
    co_await http::offload(*workers, [&] {
      task();
      return true;
    });
  }
}

ServerApp::ServerApp(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ServerApp::~ServerApp() {
  if (parts_ && parts_->store) parts_->store->close();
}

Result<std::unique_ptr<ServerApp>, std::string> ServerApp::create(const Config& config) {
  auto parts = std::make_unique<Parts>();
  parts->config = config;
  parts->workers = std::make_unique<asio::thread_pool>(std::max(1u, config.worker_threads));
  for (unsigned i = 1; i < resolved_io_threads(config); ++i)
    parts->more_io.push_back(std::make_unique<asio::io_context>(1));
  if (config.max_token_lifetime_seconds < domain::kMinExpirySeconds) {
    return fail("--max-token-lifetime must be at least 300 seconds");
  }
  std::error_code ec;
  if (!std::filesystem::exists(config.data_dir)) {
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec)
      return fail("cannot create data directory " + config.data_dir.string() + ": " + ec.message());
    ::chmod(config.data_dir.c_str(), 0700);
  }
  for (auto step : {&Parts::open_storage, &Parts::claim_node_id, &Parts::open_keys,
                    &Parts::ensure_admin, &Parts::watch_changes, &Parts::build_http}) {
    if (auto done = ((*parts).*step)(); !done) return fail(done.error());
  }
  return std::unique_ptr<ServerApp>(new ServerApp(std::move(parts)));
}

std::uint16_t ServerApp::port() const {
  return parts_->http->port();
}
const std::string& ServerApp::issuer() const {
  return parts_->issuer;
}
const std::optional<manage::CreatedClient>& ServerApp::generated_admin() const {
  return parts_->generated_admin;
}

void ServerApp::stop() {
  if (parts_->stopping.exchange(true)) return;
  spdlog::info("shutting down: finishing requests in flight");
  parts_->http->stop();
  // Let in-flight requests finish (bounded), then stop the event loop.
  std::thread([this] {
    for (int i = 0; i < 100 && parts_->http->open_connections() > 0; ++i) {
      std::this_thread::sleep_for(50ms);
    }
    for (auto& loop : parts_->more_io)
      loop->stop();
    parts_->io.stop();
  }).detach();
}

int ServerApp::run() {
  Parts& p = *parts_;
  asio::signal_set signals(p.io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) stop();
  });
  p.http->start();
  p.shedder->start(p.loops(), p.stopping);
  asio::co_spawn(p.io,
                 p.every(1s,
                         [&p] {
                           if (p.keys_stale.exchange(false)) p.reload_keys();
                           p.ring->refresh(domain::now());
                         }),
                 asio::detached);
  // The change feed tells of key changes within milliseconds; this re-read bounds how late a node
  // can learn of one it missed (e.g. while it was starting), so the publish delay of a rotation
  // must exceed it (docs/deployment.md).
  asio::co_spawn(p.io, p.every(30s, [&p] { p.keys_stale = true; }), asio::detached);
  if (p.lease) {
    p.share_throttle();
    asio::co_spawn(p.io,
                   p.every(NodeLease::kRenewEvery,
                           [this, &p] {
                             if (!p.lease->renew()) asio::post(p.io, [this] { stop(); });
                             p.share_throttle();
                           }),
                   asio::detached);
  }
  asio::co_spawn(p.io,
                 p.every(std::chrono::seconds(p.config.last_used_flush_seconds),
                         [&p] { p.flush_last_used(); }),
                 asio::detached);
  asio::co_spawn(p.io,
                 p.every(60s,
                         [&p] {
                           if (auto pruned = p.key_manager->prune(domain::now()); !pruned) {
                             spdlog::warn("key pruning failed: {}",
                                          keys::to_string(pruned.error()));
                           }
                         }),
                 asio::detached);
  spdlog::info("tessera listening on port {} (issuer {})", p.http->port(), p.issuer);

  std::vector<std::thread> pool;
  for (auto& loop : p.more_io) {
    pool.emplace_back([&loop] {
      // Kept running while it has no connection; stop() ends it.
      auto idle = asio::make_work_guard(*loop);
      loop->run();
    });
  }
  p.io.run();
  for (auto& t : pool)
    t.join();
  p.workers->join();
  p.flush_last_used();
  p.changes.reset();
  p.lease.reset();
  p.store->close();
  spdlog::info("tessera stopped");
  return 0;
}

}  // namespace tessera::app
