// A JWKS endpoint on loopback for tests (cpp-httplib), whose answers a test can change at will:
// body, Cache-Control, status, delay, redirects, chunked bodies. It counts what it serves.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace tessera::testing {

class JwksServer {
 public:
  JwksServer();
  ~JwksServer();
  JwksServer(const JwksServer&) = delete;
  JwksServer& operator=(const JwksServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;
  std::string url() const { return base_url() + "/keys"; }

  void set_body(std::string body);
  void set_cache_control(std::string value);  // empty: no header
  void set_status(int status);
  void set_delay(std::chrono::milliseconds delay);
  void set_redirect(std::string location);  // answer 302 to it (empty: off)
  void set_chunked(bool chunked);           // stream the body without a Content-Length

  int requests() const { return requests_.load(); }
  std::vector<std::string> paths() const;  // every request target, in order
  void stop();

 private:
  void serve(const httplib::Request& request, httplib::Response& response);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  std::string body_ = R"({"keys":[]})";
  std::string cache_control_;
  int status_ = 200;
  std::chrono::milliseconds delay_{0};
  std::string redirect_;
  bool chunked_ = false;
  std::vector<std::string> paths_;
};

}  // namespace tessera::testing
