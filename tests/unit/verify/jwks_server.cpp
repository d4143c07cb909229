#include "unit/verify/jwks_server.hpp"

#include <stdexcept>

namespace tessera::testing {

JwksServer::JwksServer() {
  server_.Get(".*",
              [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("JwksServer: cannot bind");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() is a no-op until the server runs; a test that ends at once would then hang in join.
  while (!server_.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

JwksServer::~JwksServer() {
  stop();
}

void JwksServer::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string JwksServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void JwksServer::set_body(std::string body) {
  std::lock_guard lock(mutex_);
  body_ = std::move(body);
}
void JwksServer::set_cache_control(std::string value) {
  std::lock_guard lock(mutex_);
  cache_control_ = std::move(value);
}
void JwksServer::set_status(int status) {
  std::lock_guard lock(mutex_);
  status_ = status;
}
void JwksServer::set_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}
void JwksServer::set_redirect(std::string location) {
  std::lock_guard lock(mutex_);
  redirect_ = std::move(location);
}
void JwksServer::set_chunked(bool chunked) {
  std::lock_guard lock(mutex_);
  chunked_ = chunked;
}

std::vector<std::string> JwksServer::paths() const {
  std::lock_guard lock(mutex_);
  return paths_;
}

void JwksServer::serve(const httplib::Request& request, httplib::Response& response) {
  ++requests_;
  std::unique_lock lock(mutex_);
  paths_.push_back(request.target);
  const std::string body = body_, cache_control = cache_control_, redirect = redirect_;
  const int status = status_;
  const auto delay = delay_;
  const bool chunked = chunked_;
  lock.unlock();

  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  if (!redirect.empty()) {
    response.set_redirect(redirect);
    return;
  }
  response.status = status;
  if (!cache_control.empty()) response.set_header("Cache-Control", cache_control);
  if (chunked) {
    response.set_chunked_content_provider(
        "application/json", [body](std::size_t, httplib::DataSink& sink) {
          for (std::size_t i = 0; i < body.size(); i += 1024) {
            sink.write(body.data() + i, std::min<std::size_t>(1024, body.size() - i));
          }
          sink.done();
          return true;
        });
    return;
  }
  response.set_content(body, "application/json");
}

}  // namespace tessera::testing
