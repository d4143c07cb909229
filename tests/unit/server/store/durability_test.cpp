// A write acknowledged by the store survives the process being killed right after (SIGKILL: no
// destructors, no flush, no checkpoint).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using Durability = StoreTest;

// Reads one line from `fd` (the child's acknowledgements).
std::optional<std::string> read_line(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1) {
    if (c == '\n') return line;
    line.push_back(c);
  }
  return std::nullopt;
}

void write_line(int fd, const std::string& line) {
  const std::string data = line + "\n";
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n <= 0) ::_exit(3);
    written += static_cast<std::size_t>(n);
  }
}

TEST_P(Durability, AcknowledgedWritesSurviveSigkill) {
  const Organization organization = create_organization();
  store_.reset();  // the child opens its own store; no threads may be running across fork()

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  // Ids and records are made before fork(), so the parent knows what to look for.
  std::vector<ApiClient> clients;
  for (int i = 0; i < 200; ++i) {
    clients.push_back(new_client(organization.id));
  }

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::unique_ptr<Store> store = open_store();
    if (!store) ::_exit(2);
    // Acknowledge each registration only after the store returned success, then keep going
    // until killed.
    for (const ApiClient& client : clients) {
      if (!store->create_client(client).ok()) ::_exit(4);
      write_line(pipe_fds[1], client.id);
    }
    for (;;) {
      ::pause();
    }
  }

  ::close(pipe_fds[1]);
  std::vector<std::string> acknowledged;
  // Kill the child in the middle of its writes.
  while (acknowledged.size() < 50) {
    auto line = read_line(pipe_fds[0]);
    if (!line) break;
    acknowledged.push_back(*line);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipe_fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(acknowledged.size(), 50u);

  store_ = open_store();
  ASSERT_NE(store_, nullptr);
  for (const std::string& id : acknowledged) {
    auto client = store_->get_client(id);
    ASSERT_TRUE(client.ok()) << id << " was acknowledged but is gone";
    EXPECT_EQ(client->secrets.size(), 1u);
  }
}

TESSERA_ALL_BACKENDS(Durability);

}  // namespace
}  // namespace tessera::store::testing
