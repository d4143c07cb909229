#include "integration/server_process.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "integration/test_support.hpp"

extern char** environ;

namespace tessera::it {
namespace {

using namespace std::chrono_literals;

std::filesystem::path make_temp_root() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = (std::filesystem::path(base != nullptr && *base != '\0' ? base : "/tmp") /
                         "tessera-it-XXXXXX")
                            .string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
  }
  return pattern;
}

// The value after `prefix` on the first line that starts (after blanks) with it.
std::optional<std::string> line_value(const std::string& text, std::string_view prefix) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    if (std::string_view(line).substr(start).starts_with(prefix)) {
      std::string value = line.substr(start + prefix.size());
      while (!value.empty() && (value.back() == '\r' || value.back() == ' '))
        value.pop_back();
      return value;
    }
  }
  return std::nullopt;
}

// The throwaway cluster's URL (written by tests/support/pg_test_cluster.sh).
std::string postgres_admin_url() {
  const char* dir = std::getenv("TESSERA_TEST_POSTGRES_DIR");
  if (dir == nullptr || *dir == '\0') return {};
  std::ifstream in(std::string(dir) + "/url");
  std::string url;
  std::getline(in, url);
  if (url.empty()) throw std::runtime_error(std::string("no cluster URL in ") + dir + "/url");
  return url;
}

// The first column of the first row of `sql`, or "".
std::string postgres_value(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string value;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      value = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return value;
}

void add_files_under(const std::filesystem::path& dir, std::vector<std::filesystem::path>& files) {
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
}

void postgres_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
}

// `url` with its database name replaced: postgres://user@host:port/<name>?params.
std::string with_database(const std::string& url, const std::string& name) {
  const auto authority = url.find("://");
  const auto slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  const auto query = url.find('?');
  std::string out = url.substr(0, slash == std::string::npos ? query : slash) + "/" + name;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

}  // namespace

bool on_postgres() {
  const char* dir = std::getenv("TESSERA_TEST_POSTGRES_DIR");
  return dir != nullptr && *dir != '\0';
}

std::filesystem::path tessera_binary() {
  return TESSERA_BINARY;
}
std::filesystem::path deploy_api_binary() {
  return TESSERA_DEPLOY_API_BINARY;
}
std::filesystem::path clock_shift_library() {
  return TESSERA_CLOCK_SHIFT_LIBRARY;
}
std::filesystem::path fail_io_library() {
  return TESSERA_FAIL_IO_LIBRARY;
}

pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  // Everything the child needs is prepared before fork(): only async-signal-safe calls after it.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("TESSERA_")) continue;
    bool overridden = false;
    for (const auto& [name, value] : env) {
      if (std::string_view(*e).starts_with(name + "=")) overridden = true;
    }
    if (!overridden) env_strings.emplace_back(*e);
  }
  for (const auto& [name, value] : env)
    env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings{program.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings)
    argv.push_back(s.data());
  argv.push_back(nullptr);

  const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_fd =
      out == err ? out_fd : ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) {
    throw std::runtime_error("cannot open the log files in " + out.parent_path().string());
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  if (err_fd != out_fd) ::close(err_fd);
  ::close(null_fd);
  return pid;
}

int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return -1000;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1001;  // did not exit in time
    }
    std::this_thread::sleep_for(10ms);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1002;
}

ServerProcess::ServerProcess(ServerOptions options)
    : options_(std::move(options)), root_(make_temp_root()) {
  if (!on_postgres()) return;
  // A database of its own, so that servers of concurrent tests never see each other's data.
  static std::atomic<int> counter{0};
  const std::string admin = postgres_admin_url();
  database_name_ = "tessera_it_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  postgres_exec(admin, "DROP DATABASE IF EXISTS " + database_name_ + " WITH (FORCE)");
  postgres_exec(admin, "CREATE DATABASE " + database_name_);
  database_url_ = with_database(admin, database_name_);
}

ServerProcess::~ServerProcess() {
  if (running()) kill9();
  if (!database_name_.empty()) {
    try {
      postgres_exec(postgres_admin_url(),
                    "DROP DATABASE IF EXISTS " + database_name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The cluster is deleted after the run anyway.
    }
  }
  if (std::getenv("TESSERA_IT_KEEP") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
}

std::vector<std::filesystem::path> ServerProcess::storage_files() const {
  std::vector<std::filesystem::path> files;
  add_files_under(data_dir(), files);
  if (database_name_.empty()) return files;
  const std::filesystem::path cluster_data =
      std::filesystem::path(std::getenv("TESSERA_TEST_POSTGRES_DIR")) / "data";
  const std::string oid = postgres_value(
      postgres_admin_url(), "SELECT oid FROM pg_database WHERE datname = '" + database_name_ + "'");
  if (oid.empty()) throw std::runtime_error("no database " + database_name_);
  // The WAL first: callers read the files in this order, and a checkpoint during a slow scan
  // (sanitizers) may recycle the segment that held a write after its table's file was read,
  // before the checkpoint wrote the page there. Read in this order, one of them has the write.
  add_files_under(cluster_data / "pg_wal", files);
  add_files_under(cluster_data / "base" / oid, files);
  return files;
}

void ServerProcess::start(const ServerOptions& options) {
  options_ = options;
  start();
}

void ServerProcess::write_database(const std::string& sql) const {
  if (running()) throw std::runtime_error("write_database: stop the server first");
  if (!database_url_.empty()) {
    postgres_exec(database_url_, sql);
  } else {
    sqlite_write(data_dir() / "tessera.db", sql);
  }
}

void ServerProcess::start() {
  if (running()) throw std::runtime_error("server already running");
  ++starts_;
  std::vector<std::string> args{
      "serve",      "--listen",          "127.0.0.1:" + std::to_string(port_),
      "--data-dir", data_dir().string(), "--io-threads",
      "2",          "--worker-threads",  "2"};
  if (!database_url_.empty()) {
    args.push_back("--db");
    args.push_back(database_url_);
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  const auto index = std::to_string(starts_);
  pid_ = spawn(tessera_binary(), args, options_.env, root_ / ("stdout." + index + ".log"),
               root_ / ("stderr." + index + ".log"));
  wait_for_listening();
}

void ServerProcess::wait_for_listening() {
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  constexpr std::string_view kListening = "tessera: listening on ";
  for (;;) {
    const std::string out = last_stdout();
    if (auto url = line_value(out, kListening)) {
      // The how-to block is flushed together with this line, so the whole banner is here.
      url_ = *url;
      const auto colon = url_.rfind(':');
      port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(colon + 1)));
      if (starts_ == 1) {
        printed_client_id_ = line_value(out, "TESSERA_CLIENT_ID=").value_or("");
        printed_client_secret_ = line_value(out, "TESSERA_CLIENT_SECRET=").value_or("");
      }
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("tessera serve exited during start-up (status " +
                               std::to_string(status) + ")\nstdout:\n" + out + "\nstderr:\n" +
                               all_stderr());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill9();
      throw std::runtime_error("tessera serve did not start in time\nstdout:\n" + out +
                               "\nstderr:\n" + all_stderr());
    }
    std::this_thread::sleep_for(10ms);
  }
}

int ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (!running()) return 0;
  ::kill(pid_, SIGTERM);
  const int status = wait_for_exit(pid_, timeout);
  pid_ = -1;
  return status;
}

void ServerProcess::kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  wait_for_exit(pid_, 10s);
  pid_ = -1;
}

std::string ServerProcess::read_file(const std::filesystem::path& path) const {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ServerProcess::all_stdout() const {
  std::string out;
  for (int i = 1; i <= starts_; ++i)
    out += read_file(root_ / ("stdout." + std::to_string(i) + ".log"));
  return out;
}

std::string ServerProcess::all_stderr() const {
  std::string out;
  for (int i = 1; i <= starts_; ++i)
    out += read_file(root_ / ("stderr." + std::to_string(i) + ".log"));
  return out;
}

std::string ServerProcess::last_stdout() const {
  return read_file(root_ / ("stdout." + std::to_string(starts_) + ".log"));
}

std::vector<std::filesystem::path> ServerProcess::log_files() const {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i <= starts_; ++i)
    files.push_back(root_ / ("stderr." + std::to_string(i) + ".log"));
  return files;
}

}  // namespace tessera::it
