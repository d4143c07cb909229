#include <atomic>
#include <map>
#include <thread>

#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using Concurrency = StoreTest;

TEST_P(Concurrency, SixteenWritersNeverSeeAnError) {
  const Organization organization = create_organization();
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::vector<std::vector<ApiClient>> prepared(kThreads);
  for (auto& clients : prepared) {
    for (int i = 0; i < kPerThread; ++i) {
      clients.push_back(new_client(organization.id));
    }
  }
  std::map<StoreError, int> errors;
  std::mutex errors_mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const ApiClient& client : prepared[t]) {
        auto created = store_->create_client(client);
        if (!created.ok()) {
          std::lock_guard lock(errors_mutex);
          ++errors[created.error()];
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_TRUE(errors.empty()) << "first error: " << to_string(errors.begin()->first);
  EXPECT_EQ(store_->list_clients(organization.id, {})->total_size, kThreads * kPerThread);
  for (const auto& clients : prepared) {
    for (const ApiClient& client : clients) {
      ASSERT_EQ(*store_->get_client(client.id), client);
    }
  }
}

TEST_P(Concurrency, OneFailingWriteDoesNotSpoilItsBatch) {
  const Organization organization = create_organization();
  const ApiClient existing = create_client(organization.id);
  constexpr int kThreads = 16;
  std::atomic<int> ok{0};
  std::atomic<int> duplicates{0};
  std::vector<ApiClient> clients;
  for (int t = 0; t < kThreads; ++t) {
    // Every other thread re-creates the same client: those fail alone, the rest commit.
    clients.push_back(t % 2 == 0 ? existing : new_client(organization.id));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto created = store_->create_client(clients[t]);
      if (created.ok()) {
        ++ok;
      } else if (created.error() == StoreError::already_exists) {
        ++duplicates;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(ok.load(), kThreads / 2);
  EXPECT_EQ(duplicates.load(), kThreads / 2);
  EXPECT_EQ(store_->list_clients(organization.id, {})->total_size, 1 + kThreads / 2);
}

TEST_P(Concurrency, ReadersRunBesideWriters) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  std::atomic<bool> stop{false};
  std::atomic<int> read_errors{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        if (!store_->get_client(client.id).ok()) ++read_errors;
        if (!store_->list_clients(organization.id, {20, ""}).ok()) ++read_errors;
        ++reads;
      }
    });
  }
  std::vector<std::thread> writers;
  std::atomic<int> write_errors{0};
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back(
        [&, batch = std::vector<ApiClient>{new_client(organization.id), new_client(organization.id),
                                           new_client(organization.id)}] {
          for (const ApiClient& c : batch) {
            if (!store_->create_client(c).ok()) ++write_errors;
          }
        });
  }
  for (auto& writer : writers) {
    writer.join();
  }
  stop = true;
  for (auto& reader : readers) {
    reader.join();
  }
  EXPECT_EQ(read_errors.load(), 0);
  EXPECT_EQ(write_errors.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(store_->list_clients(organization.id, {})->total_size, 1 + 8 * 3);
}

TEST_P(Concurrency, ConcurrentLastSecretDeletesLeaveOne) {
  const Organization organization = create_organization();
  ApiClient client = create_client(organization.id);
  std::vector<std::string> secret_ids{client.secrets[0].id};
  for (int i = 0; i < 4; ++i) {
    const Secret secret = new_secret(client.id);
    ASSERT_TRUE(store_->add_secret(organization.id, secret, 5).ok());
    secret_ids.push_back(secret.id);
  }
  std::vector<std::thread> threads;
  for (const std::string& secret_id : secret_ids) {
    threads.emplace_back(
        [&, secret_id] { (void)store_->delete_secret(organization.id, client.id, secret_id); });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(store_->get_client(client.id)->secrets.size(), 1u);
}

TESSERA_ALL_BACKENDS(Concurrency);

}  // namespace
}  // namespace tessera::store::testing
