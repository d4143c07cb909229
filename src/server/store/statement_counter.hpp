// How many SQL statements the store has sent to its database, process-wide. Benchmarks and
// /metrics read it to show that a warm token request costs zero database queries.
#pragma once

#include <atomic>
#include <cstdint>

namespace tessera::store {

inline std::atomic<std::uint64_t> g_statements_executed{0};

inline void count_statement() {
  g_statements_executed.fetch_add(1, std::memory_order_relaxed);
}
inline std::uint64_t statements_executed() {
  return g_statements_executed.load(std::memory_order_relaxed);
}

}  // namespace tessera::store
