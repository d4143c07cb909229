// Read-only connections shared by all threads. In WAL mode readers never wait for the writer, so
// reads scale with the pool; each read runs in its own transaction for a consistent snapshot.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "server/store/sqlite/connection.hpp"
#include "server/store/store.hpp"

namespace tessera::store::sqlite {

class ReaderPool {
 public:
  // `options.read_only` is implied.
  ReaderPool(std::filesystem::path path, std::size_t max_connections, ConnectionOptions options);

  // Runs `operation(Connection&) -> StoreResult<T>` inside a read transaction on a pooled
  // connection. SQLite failures become StoreError.
  template <class T, class Operation>
  StoreResult<T> read(Operation&& operation) {
    return run<T>(std::forward<Operation>(operation), Transaction::explicit_begin);
  }

  // As read(), for an operation that runs one statement: SQLite already reads that statement from
  // one snapshot, from its first step until it is reset, and BEGIN and COMMIT would be two more
  // statement executions per call. The token endpoint's lookup of a client not in its cache is
  // the caller this is for.
  template <class T, class Operation>
  StoreResult<T> read_one_statement(Operation&& operation) {
    return run<T>(std::forward<Operation>(operation), Transaction::implicit);
  }

  // Drops idle connections; later reads fail with unavailable.
  void close();

 private:
  enum class Transaction { explicit_begin, implicit };

  template <class T, class Operation>
  StoreResult<T> run(Operation&& operation, Transaction transaction) {
    std::unique_ptr<Connection> connection = acquire();
    if (!connection) return fail(StoreError::unavailable);
    std::optional<StoreResult<T>> result;
    try {
      if (transaction == Transaction::explicit_begin) connection->run("BEGIN");
      result.emplace(operation(*connection));
      if (transaction == Transaction::explicit_begin) connection->run("COMMIT");
    } catch (const std::exception& error) {
      result.emplace(fail(to_store_error(error)));
    }
    connection->rollback_quietly();
    release(std::move(connection));
    return std::move(*result);
  }

  // nullptr when closed or when no connection can be opened.
  std::unique_ptr<Connection> acquire();
  void release(std::unique_ptr<Connection> connection);

  const std::filesystem::path path_;
  const std::size_t max_connections_;
  const ConnectionOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
  bool closed_ = false;
};

}  // namespace tessera::store::sqlite
