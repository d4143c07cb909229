// Storage benchmarks (issue 5, item 7): API client registrations per second on SQLite with
// durable commits (WAL, synchronous=FULL), from 1 and 16 concurrent callers, plus the cold-cache
// client lookup the token endpoint falls back to. Run: build/bench/store_bench
// TESSERA_BENCH_DIR picks the directory for the database (default: the system temp dir, which
// must be a real disk for the fsync cost to count); TESSERA_BENCH_CLIENTS=N registers N clients
// first, to measure lookups and listing at scale (issue 5: 10, 10k and 1M clients).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/domain/ids.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace {

using tessera::domain::ApiClient;
using tessera::domain::IdGenerator;
using tessera::domain::IdKind;

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<tessera::store::Store> store;
  std::string organization_id;
  IdGenerator ids;
  std::mutex registered_mutex;
  std::vector<std::string> registered;
};

Fixture* fixture = nullptr;

ApiClient registration(IdGenerator& ids, const std::string& organization_id) {
  ApiClient client;
  client.id = ids.next(IdKind::api_client);
  client.organization_id = organization_id;
  client.name = "GitHub Actions Deployment Service";
  client.description = "Service account for GitHub Actions to deploy applications";
  client.scopes = {"deploy:applications", "read:deployments"};
  client.audience = {"deployment-api.acmecorp.com"};
  client.custom_claims = {{"github_repository", "acmecorp/inventory-service"},
                          {"environment", "production_us"}};
  client.create_time = client.update_time = tessera::domain::now();
  tessera::domain::Secret secret;
  secret.id = ids.next(IdKind::secret);
  secret.client_id = client.id;
  secret.suffix = "abcd";
  secret.create_time = secret.update_time = client.create_time;
  client.secrets = {secret};
  return client;
}

void BM_RegisterClient(benchmark::State& state) {
  std::vector<std::string> mine;
  for (auto _ : state) {
    const ApiClient client = registration(fixture->ids, fixture->organization_id);
    if (!fixture->store->create_client(client).ok()) {
      state.SkipWithError("create_client failed");
      break;
    }
    mine.push_back(client.id);
  }
  state.SetItemsProcessed(state.iterations());
  std::lock_guard lock(fixture->registered_mutex);
  fixture->registered.insert(fixture->registered.end(), mine.begin(), mine.end());
}
BENCHMARK(BM_RegisterClient)->Threads(1)->Threads(16)->UseRealTime()->MinTime(2.0);

void BM_GetClient(benchmark::State& state) {
  const std::vector<std::string>& ids = fixture->registered;
  if (ids.empty()) {
    state.SkipWithError("no clients registered");
    return;
  }
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    auto client = fixture->store->get_client(ids[i++ % ids.size()]);
    benchmark::DoNotOptimize(client);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetClient)->Threads(1)->Threads(2)->UseRealTime();

void BM_ListClientsPage(benchmark::State& state) {
  std::string token;
  for (auto _ : state) {
    auto page = fixture->store->list_clients(fixture->organization_id, {100, token});
    token = page.ok() ? page->next_page_token : "";
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListClientsPage)->UseRealTime();

// Registers `count` clients from 16 threads, the way the registration benchmark does.
bool prepopulate(Fixture& state, std::size_t count) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      while (next.fetch_add(1) < count && !failed) {
        const ApiClient client = registration(state.ids, state.organization_id);
        if (!state.store->create_client(client).ok()) failed = true;
        mine.push_back(client.id);
      }
      std::lock_guard lock(state.registered_mutex);
      state.registered.insert(state.registered.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  return !failed;
}

}  // namespace

int main(int argc, char** argv) {
  const char* base = std::getenv("TESSERA_BENCH_DIR");
  std::string pattern =
      ((base ? std::filesystem::path(base) : std::filesystem::temp_directory_path()) /
       "tessera-bench-XXXXXX")
          .string();
  if (!::mkdtemp(pattern.data())) return 1;
  Fixture state;
  fixture = &state;
  state.dir = pattern;
  auto opened = tessera::store::open_sqlite_store({.path = state.dir / "tessera.db"});
  if (!opened) return 1;
  state.store = std::move(*opened);

  tessera::domain::Organization organization;
  organization.id = state.ids.next(IdKind::organization);
  organization.display_name = "Megasoft";
  organization.create_time = organization.update_time = tessera::domain::now();
  if (!state.store->create_organization(organization).ok()) return 1;
  state.organization_id = organization.id;
  if (const char* clients = std::getenv("TESSERA_BENCH_CLIENTS")) {
    if (!prepopulate(state, std::strtoull(clients, nullptr, 10))) return 1;
  }

  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  state.store.reset();
  std::filesystem::remove_all(state.dir);
  return 0;
}
