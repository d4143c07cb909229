#include "server/store/postgres/postgres_store.hpp"

#include "server/store/change_hub.hpp"
#include "server/store/postgres/listener.hpp"
#include "server/store/postgres/migrate.hpp"
#include "server/store/postgres/pool.hpp"
#include "server/store/postgres/queries.hpp"

namespace tessera::store {
namespace {

using domain::ApiClient;
using domain::Organization;
using postgres::Connection;
namespace queries = postgres::queries;

enum class Mode { read, write };

postgres::ConnectOptions connect_options(const PostgresOptions& options) {
  return {options.connect_timeout, options.statement_timeout, options.network_timeout};
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(const PostgresOptions& options)
      : pool_(options.url, postgres::PoolOptions{.max_connections = options.max_connections,
                                                 .acquire_timeout = options.acquire_timeout,
                                                 .connect = connect_options(options)}),
        // After an outage the feed often reconnects first; without this, calls would keep
        // failing until the pool's own backoff ran out (up to a second) although the database is
        // back, and the feed's resync has just emptied the client cache.
        listener_(options.url, connect_options(options), changes_,
                  [this] { pool_.reset_backoff(); }) {}

  ~PostgresStore() override { close(); }

  StoreResult<Organization> create_organization(const Organization& organization) override {
    return run<Organization>(Mode::write, [&](Connection& db) {
      return queries::insert_organization(db, organization);
    });
  }

  StoreResult<Organization> get_organization(std::string_view id) override {
    return run<Organization>(Mode::read,
                             [&](Connection& db) { return queries::select_organization(db, id); });
  }

  StoreResult<Organization> get_organization_by_external_id(std::string_view external_id) override {
    return run<Organization>(Mode::read, [&](Connection& db) {
      return queries::select_organization_by_external_id(db, external_id);
    });
  }

  StoreResult<Page<Organization>> list_organizations(const PageRequest& request) override {
    return run<Page<Organization>>(
        Mode::read, [&](Connection& db) { return queries::list_organizations(db, request); });
  }

  StoreResult<Organization> update_organization(std::string_view id,
                                                const domain::OrganizationPatch& patch) override {
    return run<Organization>(
        Mode::write, [&](Connection& db) { return queries::update_organization(db, id, patch); });
  }

  StoreResult<std::vector<std::string>> delete_organization(std::string_view id) override {
    return run<std::vector<std::string>>(
        Mode::write, [&](Connection& db) { return queries::delete_organization(db, id); });
  }

  StoreResult<ApiClient> create_client(const ApiClient& client) override {
    return run<ApiClient>(Mode::write,
                          [&](Connection& db) { return queries::insert_client(db, client); });
  }

  StoreResult<ApiClient> get_client(std::string_view client_id) override {
    return run<ApiClient>(Mode::read,
                          [&](Connection& db) { return queries::select_client(db, client_id); });
  }

  StoreResult<domain::ClientCredentials> get_client_credentials(
      std::string_view client_id) override {
    return run<domain::ClientCredentials>(Mode::read, [&](Connection& db) {
      return queries::select_client_credentials(db, client_id);
    });
  }

  StoreResult<ApiClient> get_organization_client(std::string_view organization_id,
                                                 std::string_view client_id) override {
    return run<ApiClient>(Mode::read, [&](Connection& db) {
      return queries::select_organization_client(db, organization_id, client_id);
    });
  }

  StoreResult<Page<ApiClient>> list_clients(std::string_view organization_id,
                                            const PageRequest& request) override {
    return run<Page<ApiClient>>(Mode::read, [&](Connection& db) {
      return queries::list_clients(db, organization_id, request);
    });
  }

  StoreResult<std::vector<ApiClient>> list_environment_clients() override {
    return run<std::vector<ApiClient>>(
        Mode::read, [&](Connection& db) { return queries::list_environment_clients(db); });
  }

  StoreResult<ApiClient> update_client(std::string_view organization_id, std::string_view client_id,
                                       const domain::ApiClientPatch& patch) override {
    return run<ApiClient>(Mode::write, [&](Connection& db) {
      return queries::update_client(db, organization_id, client_id, patch);
    });
  }

  StoreResult<void> delete_client(std::string_view organization_id,
                                  std::string_view client_id) override {
    return run<void>(Mode::write, [&](Connection& db) {
      return queries::delete_client(db, organization_id, client_id);
    });
  }

  StoreResult<domain::Secret> add_secret(std::string_view organization_id,
                                         const domain::Secret& secret,
                                         std::size_t max_secrets) override {
    return run<domain::Secret>(Mode::write, [&](Connection& db) {
      return queries::insert_secret(db, organization_id, secret, max_secrets);
    });
  }

  StoreResult<void> delete_secret(std::string_view organization_id, std::string_view client_id,
                                  std::string_view secret_id) override {
    return run<void>(Mode::write, [&](Connection& db) {
      return queries::delete_secret(db, organization_id, client_id, secret_id);
    });
  }

  StoreResult<void> record_secret_uses(std::span<const SecretUse> uses) override {
    if (uses.empty()) return {};
    return run<void>(Mode::write,
                     [&](Connection& db) { return queries::record_secret_uses(db, uses); });
  }

  StoreResult<void> insert_signing_key(const domain::SigningKeyRecord& key) override {
    return run<void>(Mode::write,
                     [&](Connection& db) { return queries::insert_signing_key(db, key); });
  }

  StoreResult<std::vector<domain::SigningKeyRecord>> list_signing_keys() override {
    return run<std::vector<domain::SigningKeyRecord>>(
        Mode::read, [&](Connection& db) { return queries::list_signing_keys(db); });
  }

  StoreResult<void> set_signing_key_retire_time(
      std::string_view id, std::optional<domain::Timestamp> retire_time) override {
    return run<void>(Mode::write, [&](Connection& db) {
      return queries::set_signing_key_retire_time(db, id, retire_time);
    });
  }

  StoreResult<void> delete_signing_key(std::string_view id) override {
    return run<void>(Mode::write,
                     [&](Connection& db) { return queries::delete_signing_key(db, id); });
  }

  StoreResult<bool> insert_first_signing_key(const domain::SigningKeyRecord& key,
                                             domain::Timestamp now) override {
    return run<bool>(Mode::write, [&](Connection& db) {
      return queries::insert_first_signing_key(db, key, now);
    });
  }

  StoreResult<void> rotate_signing_key(const domain::SigningKeyRecord& key) override {
    return run<void>(Mode::write,
                     [&](Connection& db) { return queries::rotate_signing_key(db, key); });
  }

  StoreResult<std::optional<std::string>> get_setting(std::string_view key) override {
    return run<std::optional<std::string>>(
        Mode::read, [&](Connection& db) { return queries::select_setting(db, key); });
  }

  StoreResult<void> put_setting(std::string_view key, std::string_view value) override {
    return run<void>(Mode::write,
                     [&](Connection& db) { return queries::upsert_setting(db, key, value); });
  }

  StoreResult<std::string> put_setting_if_absent(std::string_view key,
                                                 std::string_view value) override {
    return run<std::string>(Mode::write, [&](Connection& db) {
      return queries::insert_setting_if_absent(db, key, value);
    });
  }

  StoreResult<void> append_audit_events(std::span<const domain::AuditEvent> events) override {
    if (events.empty()) return {};
    return run<void>(Mode::write,
                     [&](Connection& db) { return queries::insert_audit_events(db, events); });
  }

  StoreResult<Page<domain::AuditEvent>> list_audit_events(const PageRequest& request,
                                                          const AuditFilter& filter) override {
    return run<Page<domain::AuditEvent>>(Mode::read, [&](Connection& db) {
      return queries::list_audit_events(db, request, filter);
    });
  }

  StoreResult<NodeLease> acquire_node_lease(std::string_view holder,
                                            std::optional<std::uint16_t> wanted,
                                            domain::Timestamp now,
                                            std::chrono::seconds ttl) override {
    return run<NodeLease>(Mode::write, [&](Connection& db) {
      return queries::acquire_node_lease(db, holder, wanted, now, ttl);
    });
  }

  StoreResult<NodeLease> renew_node_lease(std::uint16_t node_id, std::string_view holder,
                                          domain::Timestamp now,
                                          std::chrono::seconds ttl) override {
    return run<NodeLease>(Mode::write, [&](Connection& db) {
      return queries::renew_node_lease(db, node_id, holder, now, ttl);
    });
  }

  StoreResult<void> release_node_lease(std::uint16_t node_id, std::string_view holder,
                                       domain::Timestamp now) override {
    return run<void>(Mode::write, [&](Connection& db) {
      return queries::release_node_lease(db, node_id, holder, now);
    });
  }

  StoreResult<std::int64_t> count_live_nodes(domain::Timestamp now) override {
    return run<std::int64_t>(Mode::read,
                             [&](Connection& db) { return queries::count_live_nodes(db, now); });
  }

  StoreResult<std::int64_t> increment_failure_counter(std::string_view key,
                                                      std::chrono::seconds window,
                                                      domain::Timestamp now) override {
    return run<std::int64_t>(Mode::write, [&](Connection& db) {
      return queries::increment_failure_counter(db, key, window, now);
    });
  }

  std::unique_ptr<ChangeSubscription> subscribe(
      std::function<void(const Change&)> on_change) override {
    auto subscription = changes_.subscribe(std::move(on_change));
    listener_.start();
    return subscription;
  }

  StoreResult<void> ping() override {
    return run<void>(Mode::read, [](Connection& db) -> StoreResult<void> {
      db.query("SELECT 1");
      return {};
    });
  }

  void close() override {
    listener_.stop();
    pool_.close();
  }

 private:
  // Runs `operation(Connection&) -> StoreResult<T>` in one transaction, committed only if it
  // succeeded. A transaction that failed before COMMIT was sent is run once more when the failure
  // says a second run may work (a dead pooled connection after a restart, a deadlock); once
  // COMMIT was sent the outcome is unknown, and unavailable is the honest answer.
  template <class T, class Operation>
  StoreResult<T> run(Mode mode, Operation&& operation) {
    constexpr int kAttempts = 3;
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return fail(lease.error());
      Connection& db = **lease;
      bool commit_sent = false;
      try {
        db.exec(mode == Mode::read ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
        StoreResult<T> result = operation(db);
        commit_sent = result.ok();
        db.exec(result.ok() ? "COMMIT" : "ROLLBACK");
        return result;
      } catch (const postgres::PgError& error) {
        db.rollback_quietly();
        const bool retry = !commit_sent && (error.connection_lost() || error.transient());
        if (!retry || attempt == kAttempts) return fail(postgres::to_store_error(error));
      } catch (const std::exception& error) {
        db.rollback_quietly();
        return fail(postgres::to_store_error(error));
      }
    }
  }

  ChangeHub changes_;
  postgres::Pool pool_;
  postgres::Listener listener_;
};

OpenFailure cannot_open(const std::string& why) {
  return {OpenFailure::Reason::cannot_open, "cannot open the PostgreSQL database: " + why};
}

Result<MigrationOutcome, OpenFailure> connect_and_migrate(const PostgresOptions& options) {
  std::unique_ptr<Connection> connection;
  try {
    connection = std::make_unique<Connection>(options.url, connect_options(options));
  } catch (const std::exception& error) {
    return fail(cannot_open(error.what()));
  }
  return postgres::migrate(*connection, postgres_migrations(), options.migrations);
}

}  // namespace

Result<std::unique_ptr<Store>, OpenFailure> open_postgres_store(const PostgresOptions& options) {
  auto migrated = connect_and_migrate(options);
  if (!migrated) return fail(migrated.error());
  return std::unique_ptr<Store>(std::make_unique<PostgresStore>(options));
}

Result<MigrationOutcome, OpenFailure> migrate_postgres_database(const PostgresOptions& options) {
  PostgresOptions explicit_upgrade = options;
  explicit_upgrade.migrations = MigrationPolicy::apply;
  return connect_and_migrate(explicit_upgrade);
}

}  // namespace tessera::store
