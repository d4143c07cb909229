#include "server/store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "server/store/change_hub.hpp"

#include "server/store/sqlite/migrate.hpp"
#include "server/store/sqlite/queries.hpp"
#include "server/store/sqlite/reader_pool.hpp"
#include "server/store/sqlite/writer.hpp"

namespace tessera::store {
namespace {

using domain::ApiClient;
using domain::Organization;
using sqlite::Connection;
namespace queries = sqlite::queries;

// One node owns a SQLite file, so brute-force counters need not outlive the process.
class FailureCounters {
 public:
  std::int64_t increment(std::string_view key, std::chrono::seconds window, domain::Timestamp now) {
    const std::int64_t length = std::max<std::int64_t>(1, window.count()) * 1'000'000;
    const std::int64_t start = domain::to_unix_micros(now) / length * length;
    std::lock_guard lock(mutex_);
    // At most one prune a second: pruning on every call once the map is full of live windows
    // would make each call scan it.
    const std::int64_t now_micros = domain::to_unix_micros(now);
    if (counters_.size() >= kPruneAbove && now_micros - last_prune_ >= 1'000'000) {
      last_prune_ = now_micros;
      prune(now_micros);
    }
    Counter& counter = counters_[std::string(key)];
    if (counter.window_start != start) counter = {start, start + length, 0};
    return ++counter.count;
  }

 private:
  struct Counter {
    std::int64_t window_start = -1;
    std::int64_t window_end = 0;
    std::int64_t count = 0;
  };
  static constexpr std::size_t kPruneAbove = 100'000;

  void prune(std::int64_t now_micros) {
    std::erase_if(counters_,
                  [&](const auto& entry) { return entry.second.window_end <= now_micros; });
  }

  std::mutex mutex_;
  std::unordered_map<std::string, Counter> counters_;
  std::int64_t last_prune_ = 0;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<Connection> writer)
      : readers_(options.path, options.max_readers,
                 {.busy_timeout = options.busy_timeout, .cache_kib = options.reader_cache_kib}),
        writer_(std::move(writer), options.max_batch) {}

  ~SqliteStore() override { close(); }

  StoreResult<Organization> create_organization(const Organization& organization) override {
    return write<Organization>(
        [&](Connection& db) { return queries::insert_organization(db, organization); });
  }

  StoreResult<Organization> get_organization(std::string_view id) override {
    return read<Organization>([&](Connection& db) { return queries::select_organization(db, id); });
  }

  StoreResult<Organization> get_organization_by_external_id(std::string_view external_id) override {
    return read<Organization>([&](Connection& db) {
      return queries::select_organization_by_external_id(db, external_id);
    });
  }

  StoreResult<Page<Organization>> list_organizations(const PageRequest& request) override {
    return read<Page<Organization>>(
        [&](Connection& db) { return queries::list_organizations(db, request); });
  }

  StoreResult<Organization> update_organization(std::string_view id,
                                                const domain::OrganizationPatch& patch) override {
    return write<Organization>(
        [&](Connection& db) { return queries::update_organization(db, id, patch); });
  }

  StoreResult<std::vector<std::string>> delete_organization(std::string_view id) override {
    auto deleted = write<std::vector<std::string>>(
        [&](Connection& db) { return queries::delete_organization(db, id); });
    if (deleted) changes_.publish(organization_deletion_changes(id, *deleted));
    return deleted;
  }

  StoreResult<ApiClient> create_client(const ApiClient& client) override {
    return published(client_changed(client.id), write<ApiClient>([&](Connection& db) {
                       return queries::insert_client(db, client);
                     }));
  }

  StoreResult<ApiClient> get_client(std::string_view client_id) override {
    return read<ApiClient>([&](Connection& db) { return queries::select_client(db, client_id); });
  }

  StoreResult<domain::ClientCredentials> get_client_credentials(
      std::string_view client_id) override {
    return readers_.read_one_statement<domain::ClientCredentials>(
        [&](Connection& db) { return queries::select_client_credentials(db, client_id); });
  }

  StoreResult<ApiClient> get_organization_client(std::string_view organization_id,
                                                 std::string_view client_id) override {
    return read<ApiClient>([&](Connection& db) {
      return queries::select_organization_client(db, organization_id, client_id);
    });
  }

  StoreResult<Page<ApiClient>> list_clients(std::string_view organization_id,
                                            const PageRequest& request) override {
    return read<Page<ApiClient>>(
        [&](Connection& db) { return queries::list_clients(db, organization_id, request); });
  }

  StoreResult<std::vector<ApiClient>> list_environment_clients() override {
    return read<std::vector<ApiClient>>(
        [&](Connection& db) { return queries::list_environment_clients(db); });
  }

  StoreResult<ApiClient> update_client(std::string_view organization_id, std::string_view client_id,
                                       const domain::ApiClientPatch& patch) override {
    return published(client_changed(client_id), write<ApiClient>([&](Connection& db) {
                       return queries::update_client(db, organization_id, client_id, patch);
                     }));
  }

  StoreResult<void> delete_client(std::string_view organization_id,
                                  std::string_view client_id) override {
    return published(client_changed(client_id), write<void>([&](Connection& db) {
                       return queries::delete_client(db, organization_id, client_id);
                     }));
  }

  StoreResult<domain::Secret> add_secret(std::string_view organization_id,
                                         const domain::Secret& secret,
                                         std::size_t max_secrets) override {
    return published(client_changed(secret.client_id), write<domain::Secret>([&](Connection& db) {
                       return queries::insert_secret(db, organization_id, secret, max_secrets);
                     }));
  }

  StoreResult<void> delete_secret(std::string_view organization_id, std::string_view client_id,
                                  std::string_view secret_id) override {
    return published(client_changed(client_id), write<void>([&](Connection& db) {
                       return queries::delete_secret(db, organization_id, client_id, secret_id);
                     }));
  }

  StoreResult<void> record_secret_uses(std::span<const SecretUse> uses) override {
    if (uses.empty()) return {};
    return write<void>([&](Connection& db) { return queries::record_secret_uses(db, uses); });
  }

  StoreResult<void> insert_signing_key(const domain::SigningKeyRecord& key) override {
    return published(signing_keys_changed(), write<void>([&](Connection& db) {
                       return queries::insert_signing_key(db, key);
                     }));
  }

  StoreResult<std::vector<domain::SigningKeyRecord>> list_signing_keys() override {
    return read<std::vector<domain::SigningKeyRecord>>(
        [&](Connection& db) { return queries::list_signing_keys(db); });
  }

  StoreResult<void> set_signing_key_retire_time(
      std::string_view id, std::optional<domain::Timestamp> retire_time) override {
    return published(signing_keys_changed(), write<void>([&](Connection& db) {
                       return queries::set_signing_key_retire_time(db, id, retire_time);
                     }));
  }

  StoreResult<void> delete_signing_key(std::string_view id) override {
    return published(signing_keys_changed(), write<void>([&](Connection& db) {
                       return queries::delete_signing_key(db, id);
                     }));
  }

  StoreResult<bool> insert_first_signing_key(const domain::SigningKeyRecord& key,
                                             domain::Timestamp now) override {
    auto inserted = write<bool>(
        [&](Connection& db) { return queries::insert_first_signing_key(db, key, now); });
    if (inserted && *inserted) changes_.publish(signing_keys_changed());
    return inserted;
  }

  StoreResult<void> rotate_signing_key(const domain::SigningKeyRecord& key) override {
    return published(signing_keys_changed(), write<void>([&](Connection& db) {
                       return queries::rotate_signing_key(db, key);
                     }));
  }

  StoreResult<std::optional<std::string>> get_setting(std::string_view key) override {
    return read<std::optional<std::string>>(
        [&](Connection& db) { return queries::select_setting(db, key); });
  }

  StoreResult<void> put_setting(std::string_view key, std::string_view value) override {
    return write<void>([&](Connection& db) { return queries::upsert_setting(db, key, value); });
  }

  StoreResult<std::string> put_setting_if_absent(std::string_view key,
                                                 std::string_view value) override {
    return write<std::string>(
        [&](Connection& db) { return queries::insert_setting_if_absent(db, key, value); });
  }

  StoreResult<void> append_audit_events(std::span<const domain::AuditEvent> events) override {
    if (events.empty()) return {};
    return write<void>([&](Connection& db) { return queries::insert_audit_events(db, events); });
  }

  StoreResult<Page<domain::AuditEvent>> list_audit_events(const PageRequest& request,
                                                          const AuditFilter& filter) override {
    return read<Page<domain::AuditEvent>>(
        [&](Connection& db) { return queries::list_audit_events(db, request, filter); });
  }

  StoreResult<NodeLease> acquire_node_lease(std::string_view holder,
                                            std::optional<std::uint16_t> wanted,
                                            domain::Timestamp now,
                                            std::chrono::seconds ttl) override {
    return write<NodeLease>(
        [&](Connection& db) { return queries::acquire_node_lease(db, holder, wanted, now, ttl); });
  }

  StoreResult<NodeLease> renew_node_lease(std::uint16_t node_id, std::string_view holder,
                                          domain::Timestamp now,
                                          std::chrono::seconds ttl) override {
    return write<NodeLease>(
        [&](Connection& db) { return queries::renew_node_lease(db, node_id, holder, now, ttl); });
  }

  StoreResult<void> release_node_lease(std::uint16_t node_id, std::string_view holder,
                                       domain::Timestamp now) override {
    return write<void>(
        [&](Connection& db) { return queries::release_node_lease(db, node_id, holder, now); });
  }

  StoreResult<std::int64_t> count_live_nodes(domain::Timestamp now) override {
    return read<std::int64_t>([&](Connection& db) { return queries::count_live_nodes(db, now); });
  }

  StoreResult<std::int64_t> increment_failure_counter(std::string_view key,
                                                      std::chrono::seconds window,
                                                      domain::Timestamp now) override {
    if (closed_) return fail(StoreError::unavailable);
    return failures_.increment(key, window, now);
  }

  std::unique_ptr<ChangeSubscription> subscribe(
      std::function<void(const Change&)> on_change) override {
    return changes_.subscribe(std::move(on_change));
  }

  // WAL: readers never wait for the writer, and the reader pool has a connection per thread.
  bool reads_are_local() const override { return true; }

  StoreResult<void> ping() override {
    return read<void>([](Connection& db) -> StoreResult<void> {
      db.scalar("SELECT 1");
      return {};
    });
  }

  void close() override {
    closed_ = true;
    writer_.close();
    readers_.close();
  }

 private:
  // SQLite has one node: the change feed is this process's own commits, told after they are
  // durable.
  template <class T>
  StoreResult<T> published(const Change& change, StoreResult<T> result) {
    if (result) changes_.publish(change);
    return result;
  }

  template <class T, class Operation>
  StoreResult<T> read(Operation&& operation) {
    return readers_.read<T>(std::forward<Operation>(operation));
  }

  template <class T, class Operation>
  StoreResult<T> write(Operation&& operation) {
    return writer_.write<T>(std::forward<Operation>(operation));
  }

  sqlite::ReaderPool readers_;
  sqlite::Writer writer_;
  ChangeHub changes_;
  FailureCounters failures_;
  std::atomic<bool> closed_{false};
};

OpenFailure cannot_open(const std::filesystem::path& path, const std::string& why) {
  return {OpenFailure::Reason::cannot_open, "cannot open database " + path.string() + ": " + why};
}

// Creates the missing directories above `path`, each with mode 0700.
std::optional<std::string> make_private_directories(const std::filesystem::path& path) {
  std::filesystem::path partial;
  for (const auto& part : path.parent_path()) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return "cannot create " + partial.string() + ": " + std::strerror(errno);
    }
  }
  return std::nullopt;
}

// Creates the database file with mode 0600 before SQLite does (SQLite would use 0644). The WAL
// and shared-memory files SQLite creates next to it copy the file's mode.
std::optional<std::string> make_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create " + path.string() + ": " + std::strerror(errno);
  ::close(fd);
  return std::nullopt;
}

// WAL lets readers run beside the writer; FULL syncs the WAL on every commit, so a commit
// survives power loss, not just a crash.
void configure_writer(Connection& db) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  // Bounds the WAL file left behind after checkpoints.
  db.exec("PRAGMA journal_size_limit = 67108864");
}

bool in_wal_mode(Connection& db) {
  auto row = db.query("PRAGMA journal_mode");
  return row.step() && row.text(0) == "wal";
}

// The writer connection of a database at this build's schema version.
Result<std::unique_ptr<Connection>, OpenFailure> open_writer(const SqliteOptions& options,
                                                             MigrationOutcome* outcome) {
  if (auto error = make_private_directories(options.path)) {
    return fail(cannot_open(options.path, *error));
  }
  if (auto error = make_private_file(options.path)) return fail(cannot_open(options.path, *error));

  std::unique_ptr<Connection> writer;
  try {
    writer = std::make_unique<Connection>(
        options.path, sqlite::ConnectionOptions{.busy_timeout = options.busy_timeout});
    configure_writer(*writer);
    if (!in_wal_mode(*writer)) return fail(cannot_open(options.path, "WAL mode not available"));
  } catch (const sqlite::SqliteError& error) {
    return fail(cannot_open(options.path, error.what()));
  }
  auto migrated = sqlite::migrate(*writer, sqlite_migrations());
  if (!migrated) return fail(migrated.error());
  if (outcome) *outcome = *migrated;
  return writer;
}

}  // namespace

Result<std::unique_ptr<Store>, OpenFailure> open_sqlite_store(const SqliteOptions& options) {
  auto writer = open_writer(options, nullptr);
  if (!writer) return fail(writer.error());
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(options, std::move(*writer)));
}

Result<MigrationOutcome, OpenFailure> migrate_sqlite_database(const SqliteOptions& options) {
  MigrationOutcome outcome;
  auto writer = open_writer(options, &outcome);
  if (!writer) return fail(writer.error());
  return outcome;
}

}  // namespace tessera::store
