// Thin RAII over libpq: a connection with lazily prepared statements (each SQL text is prepared
// once per connection, then executed by name), parameters bound as text (bytea as binary), results
// in text form, and failures as exceptions. As in sqlite/, the exceptions stay inside postgres/:
// the store catches them at each operation's boundary and maps them to StoreError.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/domain/time.hpp"
#include "server/store/json_columns.hpp"
#include "server/store/store.hpp"

struct pg_conn;
struct pg_result;

namespace tessera::store::postgres {

class PgError : public std::runtime_error {
 public:
  // `sqlstate` is empty when the server never answered (the connection is gone).
  PgError(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // Connection failures (class 08, no answer at all) and server shutdowns (57P0x): the session is
  // unusable and nothing of an uncommitted transaction was kept.
  bool connection_lost() const;
  // Worth running the whole transaction again: serialization failure, deadlock.
  bool transient() const;

 private:
  std::string sqlstate_;
};

// The one mapping from PostgreSQL errors to StoreError; other exceptions as in sqlite/.
StoreError to_store_error(const std::exception& error);

// Marks bytes that bind as bytea.
struct Bytes {
  std::span<const std::uint8_t> bytes;
};

// Binds a list of int64 as a bigint[] parameter ("{1,2,3}").
struct Int64Array {
  std::span<const std::int64_t> values;
};

class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Rows& operator=(Rows&&) = delete;
  ~Rows();

  int size() const;
  bool empty() const { return size() == 0; }
  bool is_null(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::vector<std::uint8_t> bytes(int row, int column) const;
  domain::Timestamp time(int row, int column) const;
  std::optional<domain::Timestamp> optional_time(int row, int column) const;
  bool boolean(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;

 private:
  pg_result* result_;
};

// Parameters of one statement, converted to what libpq sends.
class Params {
 public:
  void add(std::int64_t value);
  void add(std::string_view text);
  void add(const std::string& text) { add(std::string_view(text)); }
  void add(const char* text) { add(std::string_view(text)); }
  void add(Bytes bytes);
  void add(Int64Array array);
  void add(std::nullopt_t);
  void add(domain::Timestamp time) { add(domain::to_unix_micros(time)); }
  template <class T>
  void add(const std::optional<T>& value) {
    if (value) {
      add(*value);
    } else {
      add(std::nullopt);
    }
  }

  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  mutable std::vector<const char*> pointers_;
};

struct ConnectOptions {
  // Bounds every call: how long to wait for the server to accept a connection, for one statement,
  // and for a silent network (TCP user timeout and keepalives).
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds network_timeout{5000};
};

class Connection {
 public:
  // Connects to `url` (postgres:// or postgresql://, any libpq parameters such as sslmode, which
  // win over tessera's defaults). Throws PgError.
  Connection(const std::string& url, const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Statements without parameters through the simple protocol: several may be given at once
  // (migrations, transaction control).
  void exec(const std::string& sql);

  // One statement with $1, $2, ... bound from `args`, prepared on first use on this connection.
  // `sql` must outlive the connection (a string literal).
  template <class... Args>
  Rows query(std::string_view sql, const Args&... args) {
    Params params;
    (params.add(args), ...);
    return execute(sql, params);
  }

  // A single integer result (count, EXISTS, RETURNING id).
  template <class... Args>
  std::int64_t scalar(std::string_view sql, const Args&... args) {
    Rows rows = query(sql, args...);
    if (rows.empty()) throw PgError("", "query returned no row");
    return rows.int64(0, 0);
  }

  // False once the session is unusable (the server went away).
  bool healthy() const;
  // Ends an open transaction after a failure; a failing ROLLBACK has nothing left to undo.
  void rollback_quietly() noexcept;
  pg_conn* raw() { return conn_; }

 private:
  Rows execute(std::string_view sql, const Params& params);
  Rows check(pg_result* result) const;

  pg_conn* conn_ = nullptr;
  std::unordered_map<std::string_view, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace tessera::store::postgres
