// Thin RAII over the SQLite C API: a connection with a cache of prepared statements, statements
// that reset themselves, and SQLite failures as exceptions. The exceptions stay inside sqlite/:
// the store catches them at each operation's boundary and maps them to StoreError.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "server/domain/time.hpp"
#include "server/store/json_columns.hpp"
#include "server/store/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tessera::store::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message);
  int code() const { return code_; }  // extended result code

 private:
  int code_;
};

using store::InvalidInput;

// The one mapping from SQLite result codes to StoreError.
StoreError to_store_error(int extended_code);
// The same for any exception an operation throws: SqliteError by code, InvalidInput as
// failed_precondition, anything else (a damaged row, no memory) as unavailable.
StoreError to_store_error(const std::exception& error);

// Marks a byte string that binds as a BLOB rather than TEXT.
struct Blob {
  std::span<const std::uint8_t> bytes;
};

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, bool* lease, bool owned);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind(int index, Blob blob);
  void bind(int index, std::nullopt_t);
  void bind(int index, domain::Timestamp time);
  template <class T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind(index, std::nullopt);
    }
  }

  // True while there is a row to read; false when done.
  bool step();
  // For statements that return no rows.
  void run();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::string text(int column) const;
  // The same text without a copy; valid until the statement steps, resets or is destroyed.
  std::string_view text_view(int column) const;
  std::vector<std::uint8_t> blob(int column) const;
  domain::Timestamp time(int column) const;
  std::optional<domain::Timestamp> optional_time(int column) const;

 private:
  sqlite3_stmt* stmt_;
  bool* lease_;  // the cache's in-use flag, or nullptr
  bool owned_;   // finalize on destruction (not cached)
};

struct ConnectionOptions {
  bool read_only = false;  // readers: query_only, no CREATE
  std::chrono::milliseconds busy_timeout{5000};
  // The connection's page cache; 0 keeps SQLite's default (2 MiB).
  std::size_t cache_kib = 0;
};

class Connection {
 public:
  Connection(const std::filesystem::path& path, const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One or more statements without parameters or results (schema, pragmas). Parsed every time.
  void exec(const std::string& sql);

  // One statement without results, prepared once and cached (transaction control on hot paths).
  // `sql` must be a string literal, as for query().
  void run(std::string_view sql) { prepare(sql).run(); }

  // A prepared statement for `sql`, cached for the connection's lifetime; `sql` must outlive the
  // connection (a string literal). Parameters ?1, ?2, ... are bound from `args`.
  template <class... Args>
  Statement query(std::string_view sql, const Args&... args) {
    Statement statement = prepare(sql);
    int index = 0;
    (statement.bind(++index, args), ...);
    return statement;
  }

  // A single integer result (count, pragma, EXISTS).
  template <class... Args>
  std::int64_t scalar(std::string_view sql, const Args&... args) {
    Statement statement = query(sql, args...);
    if (!statement.step()) throw SqliteError(0, "query returned no row");
    return statement.int64(0);
  }

  std::int64_t changes() const;
  bool in_transaction() const;
  // Ends an open transaction after a failure; a failing ROLLBACK has nothing left to undo.
  void rollback_quietly() noexcept;
  [[noreturn]] void throw_error(int code) const;

 private:
  Statement prepare(std::string_view sql);

  struct Cached {
    sqlite3_stmt* stmt;
    bool in_use;
  };
  sqlite3* db_ = nullptr;
  // unique_ptr keeps each entry's address stable for the leases that point into it.
  std::unordered_map<std::string_view, std::unique_ptr<Cached>> cache_;
};

}  // namespace tessera::store::sqlite
