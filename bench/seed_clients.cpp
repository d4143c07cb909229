// Bulk-registers API clients with known secrets in a tessera SQLite database, for the scale
// scenarios of bench/run.sh (issue 5, item 4): an organization and COUNT clients through the
// Store interface, each secret hashed with the SecretHasher under the key the server derives from
// the same master key (TESSERA_MASTER_KEY), so that the server accepts them.
//
//   TESSERA_MASTER_KEY=… seed_clients DB_PATH ORG_NAME FIRST COUNT
//
// Client i (FIRST <= i < FIRST+COUNT) is m2morg_<kBenchIdBase+i> with the secret
// "tessera_" + i as 43 zero-padded digits (as long as a generated secret), so a load generator can
// compute any client's credentials without a list (bench/lua/token.lua). The ids lie in the first
// 10 ms ticks of the id epoch, where the server's own ids (minted from the clock) never go.
// Prints the organization id. Run it while no server has the database open: writes go through the
// Store's group commit from many threads, as concurrent registrations would.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "server/auth/secrets.hpp"
#include "server/domain/ids.hpp"
#include "server/keys/master_key.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace {

using namespace tessera;

constexpr std::uint64_t kBenchIdBase = std::uint64_t{1} << 24;
constexpr int kThreads = 64;

std::string bench_secret(std::uint64_t i) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%043llu", static_cast<unsigned long long>(i));
  return std::string(auth::kSecretPrefix) + digits;
}

domain::ApiClient bench_client(std::uint64_t i, const std::string& organization_id,
                               const auth::SecretHasher& hasher, domain::Timestamp now) {
  domain::ApiClient client;
  client.id = domain::format_id(domain::IdKind::api_client, kBenchIdBase + i);
  client.organization_id = organization_id;
  client.name = "bench client " + std::to_string(i);
  client.description = "Service account for GitHub Actions to deploy applications";
  client.scopes = {"deploy:applications", "read:deployments"};
  client.audience = {"deployment-api.acmecorp.com"};
  client.custom_claims = {{"environment", "production_us"}};
  client.create_time = client.update_time = now;
  domain::Secret secret;
  secret.id = domain::format_id(domain::IdKind::secret, kBenchIdBase + i);
  secret.client_id = client.id;
  const std::string plain = bench_secret(i);
  secret.hash = hasher.hash(plain);
  secret.suffix = plain.substr(plain.size() - auth::kSecretSuffixLength);
  // As the management API stores a new secret (and Scalekit shows it): last used when made.
  secret.create_time = secret.update_time = now;
  secret.last_used_time = now;
  client.secrets = {secret};
  return client;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: TESSERA_MASTER_KEY=… seed_clients DB_PATH ORG_NAME FIRST COUNT\n");
    return 2;
  }
  const char* master_text = std::getenv("TESSERA_MASTER_KEY");
  if (master_text == nullptr) {
    std::fprintf(stderr, "seed_clients: set TESSERA_MASTER_KEY (the server's master key)\n");
    return 2;
  }
  auto master = keys::MasterKey::from_text(master_text);
  if (!master) {
    std::fprintf(stderr, "seed_clients: TESSERA_MASTER_KEY: %s\n",
                 std::string(keys::to_string(master.error())).c_str());
    return 2;
  }
  const auth::SecretHasher hasher(master->derive(auth::kSecretHashKeyLabel));
  const std::uint64_t first = std::strtoull(argv[3], nullptr, 10);
  const std::uint64_t count = std::strtoull(argv[4], nullptr, 10);

  auto opened = store::open_sqlite_store({.path = argv[1]});
  if (!opened) {
    std::fprintf(stderr, "seed_clients: %s\n", opened.error().message.c_str());
    return 1;
  }
  store::Store& db = **opened;
  domain::IdGenerator ids;
  domain::Organization organization;
  organization.id = ids.next(domain::IdKind::organization);
  organization.display_name = argv[2];
  organization.create_time = organization.update_time = domain::now();
  if (!db.create_organization(organization)) {
    std::fprintf(stderr, "seed_clients: cannot create the organization\n");
    return 1;
  }

  const auto started = std::chrono::steady_clock::now();
  const auto now = domain::now();
  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (std::uint64_t i = next++; i < count && !failed; i = next++) {
        if (!db.create_client(bench_client(first + i, organization.id, hasher, now))) {
          failed = true;
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  db.close();
  if (failed) {
    std::fprintf(stderr, "seed_clients: create_client failed\n");
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "seed_clients: %llu clients in %.1f s\n",
               static_cast<unsigned long long>(count), seconds);
  std::printf("%s\n", organization.id.c_str());
  return 0;
}
