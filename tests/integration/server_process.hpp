// A real `tessera serve` process for integration tests: its own temporary directory, a free
// loopback port, stdout and stderr captured to files, and stop / kill -9 / restart on the same data
// directory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tessera::it {

struct ServerOptions {
  std::vector<std::string> args{};           // extra `tessera serve` flags
  std::map<std::string, std::string> env{};  // extra environment (TESSERA_* etc.)
  std::chrono::milliseconds start_timeout{20'000};
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits for "tessera: listening on URL". The first start picks a free
  // port; later starts reuse it, so that the issuer stays the same. Throws std::runtime_error
  // (with the captured output) when the server does not come up.
  void start();
  void start(const ServerOptions& options);  // replaces the options for this and later starts
  // SIGTERM, then waits; returns the exit status (or -signal). SIGKILL after `timeout`.
  int stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(15'000));
  // SIGKILL, then waits.
  void kill9();
  void restart() {
    stop();
    start();
  }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  const std::string& url() const { return url_; }  // http://127.0.0.1:PORT, the issuer
  std::uint16_t port() const { return port_; }
  const std::filesystem::path& root() const { return root_; }  // holds data/ and the logs
  std::filesystem::path data_dir() const { return root_ / "data"; }
  // Every file where this server's data may rest: the data directory, and on PostgreSQL its
  // database's directory and the cluster's WAL.
  std::vector<std::filesystem::path> storage_files() const;
  // Runs `sql` on this server's database (its SQLite file, or its own PostgreSQL database): for
  // rows the API cannot produce, such as an expired secret. Stop the server first.
  void write_database(const std::string& sql) const;

  // The credentials printed on the first start of an empty database (empty when none were).
  const std::string& printed_client_id() const { return printed_client_id_; }
  const std::string& printed_client_secret() const { return printed_client_secret_; }

  // Everything the server wrote to stdout / stderr across all starts so far.
  std::string all_stdout() const;
  std::string all_stderr() const;
  std::string last_stdout() const;  // of the latest start only
  std::vector<std::filesystem::path> log_files() const;

 private:
  std::string read_file(const std::filesystem::path& path) const;
  void wait_for_listening();

  ServerOptions options_;
  std::filesystem::path root_;
  pid_t pid_ = -1;
  int starts_ = 0;
  std::uint16_t port_ = 0;
  std::string url_;
  std::string printed_client_id_;
  std::string printed_client_secret_;
  std::string database_name_;  // PostgreSQL: this server's own database, dropped with it
  std::string database_url_;
};

// The backend the integration servers run on: PostgreSQL when the suite runs under the ctest
// fixture of the throwaway cluster (TESSERA_TEST_POSTGRES_DIR set; the "pg." tests), else SQLite.
bool on_postgres();

// Where the built binaries are (compile definitions from CMake).
std::filesystem::path tessera_binary();
// Empty when the deploy_api example is not part of this build.
std::filesystem::path deploy_api_binary();
std::filesystem::path clock_shift_library();
std::filesystem::path fail_io_library();

// Runs `program args...` with stdout and stderr appended to the given files (they may be the same),
// without waiting. The environment is ours minus every TESSERA_* variable, plus `env`. The child
// is killed when the test process dies.
pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, const std::filesystem::path& out,
            const std::filesystem::path& err);
// Waits for `pid` up to `timeout`, SIGKILL after that. Returns the exit status, or -signal.
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace tessera::it
