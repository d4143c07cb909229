#include "server/store/sqlite/connection.hpp"
#include "server/store/statement_counter.hpp"

#include <sqlite3.h>

#include <mutex>

namespace tessera::store::sqlite {
namespace {

// With its allocation statistics on (the default), SQLite takes one process-wide mutex around
// every malloc and free, which the token endpoint's reader connections, each on its own thread,
// then contend for: with two threads doing point reads on a 1,000,000-client database, 9.7 µs of
// CPU per read with the statistics, 8.9 µs without. tessera reads none of them. The setting only
// takes effect before SQLite initializes, so it is made before the first connection opens.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

SqliteError::SqliteError(int code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

StoreError to_store_error(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return StoreError::already_exists;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return StoreError::not_found;  // the row it refers to is gone
    default:
      break;
  }
  // Other constraint failures are input the domain layer should have refused; everything else
  // (BUSY, LOCKED, FULL, READONLY, IOERR, CANTOPEN, CORRUPT, NOMEM, ...) is an outage to retry.
  if ((extended_code & 0xFF) == SQLITE_CONSTRAINT) return StoreError::failed_precondition;
  return StoreError::unavailable;
}

StoreError to_store_error(const std::exception& error) {
  if (const auto* sqlite = dynamic_cast<const SqliteError*>(&error)) {
    return to_store_error(sqlite->code());
  }
  if (dynamic_cast<const InvalidInput*>(&error)) return StoreError::failed_precondition;
  return StoreError::unavailable;
}

// --- Statement -----------------------------------------------------------------------------------

Statement::Statement(sqlite3_stmt* stmt, bool* lease, bool owned)
    : stmt_(stmt), lease_(lease), owned_(owned) {
  count_statement();  // each leased statement is executed once before it resets
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_), lease_(other.lease_), owned_(other.owned_) {
  other.stmt_ = nullptr;
  other.lease_ = nullptr;
}

Statement::~Statement() {
  if (!stmt_) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (lease_) *lease_ = false;
}

namespace {

void check_bind(sqlite3_stmt* stmt, int rc) {
  if (rc != SQLITE_OK) {
    throw SqliteError(rc, std::string("bind failed: ") + sqlite3_errmsg(sqlite3_db_handle(stmt)));
  }
}

}  // namespace

void Statement::bind(int index, std::int64_t value) {
  check_bind(stmt_, sqlite3_bind_int64(stmt_, index, value));
}

// A null data pointer would bind SQL NULL; empty values must stay empty strings and blobs.
constexpr char kEmpty[] = "";

void Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries may be bound.
  const char* data = text.data() ? text.data() : kEmpty;
  check_bind(stmt_,
             sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::bind(int index, Blob blob) {
  const void* data = blob.bytes.data() ? static_cast<const void*>(blob.bytes.data()) : kEmpty;
  check_bind(stmt_, sqlite3_bind_blob64(stmt_, index, data, blob.bytes.size(), SQLITE_TRANSIENT));
}

void Statement::bind(int index, std::nullopt_t) {
  check_bind(stmt_, sqlite3_bind_null(stmt_, index));
}

void Statement::bind(int index, domain::Timestamp time) {
  bind(index, domain::to_unix_micros(time));
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  throw SqliteError(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
  return std::string(text_view(column));
}

std::string_view Statement::text_view(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string_view(data, static_cast<std::size_t>(size)) : std::string_view();
}

std::vector<std::uint8_t> Statement::blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::vector<std::uint8_t>(data, data + size) : std::vector<std::uint8_t>();
}

domain::Timestamp Statement::time(int column) const {
  return domain::from_unix_micros(int64(column));
}

std::optional<domain::Timestamp> Statement::optional_time(int column) const {
  if (is_null(column)) return std::nullopt;
  return time(column);
}

// --- Connection ----------------------------------------------------------------------------------

Connection::Connection(const std::filesystem::path& path, const ConnectionOptions& options) {
  configure_sqlite_once();
  // NOMUTEX: each connection is used by one thread at a time (the writer, or a leased reader).
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE;
  if (!options.read_only) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, "cannot open " + path.string() + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  try {
    // The schema is ours; never let the database file run functions it names.
    exec("PRAGMA trusted_schema = OFF");
    if (options.read_only) exec("PRAGMA query_only = ON");
    // Negative: a size in KiB rather than in pages. The value is ours, not the caller's text.
    if (options.cache_kib > 0) exec("PRAGMA cache_size = -" + std::to_string(options.cache_kib));
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) {
    sqlite3_finalize(cached->stmt);
  }
  sqlite3_close_v2(db_);
}

void Connection::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return;
  const std::string text = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  throw SqliteError(sqlite3_extended_errcode(db_), text);
}

Statement Connection::prepare(std::string_view sql) {
  auto [it, inserted] = cache_.try_emplace(sql, nullptr);
  if (inserted) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      cache_.erase(it);
      throw_error(rc);
    }
    it->second = std::make_unique<Cached>(Cached{stmt, false});
  }
  Cached& cached = *it->second;
  if (!cached.in_use) {
    cached.in_use = true;
    return Statement(cached.stmt, &cached.in_use, false);
  }
  // The cached one is busy (the same query nested in itself): use a one-off statement.
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) throw_error(rc);
  return Statement(stmt, nullptr, true);
}

std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

void Connection::rollback_quietly() noexcept {
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Connection::throw_error(int code) const {
  const int extended = sqlite3_extended_errcode(db_);
  throw SqliteError(extended != SQLITE_OK ? extended : code, sqlite3_errmsg(db_));
}

}  // namespace tessera::store::sqlite
