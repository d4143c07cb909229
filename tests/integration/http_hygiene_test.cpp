// HTTP/1.1 hygiene with raw bytes on a socket (RFC 9112): pipelining, request smuggling shapes,
// header and body limits.
#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

class HttpHygieneTest : public ServerTest {
 protected:
  // Sends `bytes` on a fresh connection; expects one `status` answer, then the connection closed
  // without any further response (a smuggled request after it must never be answered).
  void expect_rejected_and_closed(const std::string& bytes, int status) {
    Connection connection(server->port());
    connection.send(bytes);
    const auto response = connection.read_response();
    ASSERT_TRUE(response.has_value()) << "no response";
    EXPECT_EQ(response->status, status) << response->describe();
    EXPECT_TRUE(connection.closed_by_peer()) << "connection left open after a framing error";
  }

  std::string token_request_head(const std::string& framing) {
    return "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Content-Type: application/x-www-form-urlencoded\r\n" +
           framing + "\r\n";
  }

  static constexpr std::string_view kSmuggled = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
};

TEST_F(HttpHygieneTest, PipelinedRequestsAreAnsweredInOrder) {
  Connection connection(server->port());
  const auto port = server->port();
  std::string batch;
  batch += format_request(port, "GET", "/healthz", {}, "", false);
  batch += format_request(port, "GET", "/.well-known/oauth-authorization-server", {}, "", false);
  batch += format_request(port, "POST", "/oauth/token",
                          {{"Content-Type", "application/x-www-form-urlencoded"}},
                          "grant_type=password", false);
  batch += format_request(port, "GET", "/keys", {}, "", false);
  batch += format_request(port, "GET", "/no/such/path", {}, "", false);
  batch += format_request(port, "GET", "/readyz", {}, "", false);
  connection.send(batch);  // one write: all six arrive before the first answer is sent

  const auto health = connection.read_response();
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  const auto metadata = connection.read_response();
  ASSERT_TRUE(metadata.has_value());
  EXPECT_EQ(metadata->status, 200);
  EXPECT_EQ(metadata->json().at("issuer"), server->url());
  const auto token = connection.read_response();
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->status, 400);
  EXPECT_EQ(token->json().at("error"), "unsupported_grant_type");
  const auto keys = connection.read_response();
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->status, 200);
  EXPECT_TRUE(keys->json().contains("keys"));
  const auto missing = connection.read_response();
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  const auto ready = connection.read_response();
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->body, R"({"status":"ready"})");

  // Still open (keep-alive): one more, with a real token request.
  connection.send(format_request(port, "POST", "/oauth/token",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}},
                                 "grant_type=client_credentials&client_id=" + api->admin_id() +
                                     "&client_secret=" + form_encode(api->admin_secret()),
                                 true));
  const auto issued = connection.read_response();
  ASSERT_TRUE(issued.has_value());
  EXPECT_EQ(issued->status, 200) << issued->describe();
  EXPECT_TRUE(connection.closed_by_peer());  // we asked for Connection: close
}

TEST_F(HttpHygieneTest, ContentLengthWithTransferEncodingIsRejected) {
  for (const std::string& framing :
       {std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        std::string("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n")}) {
    SCOPED_TRACE(framing);
    expect_rejected_and_closed(token_request_head(framing) + "0\r\n\r\n" + std::string(kSmuggled),
                               400);
  }
}

TEST_F(HttpHygieneTest, DuplicateContentLengthIsRejected) {
  for (const std::string& framing : {std::string("Content-Length: 19\r\nContent-Length: 19\r\n"),
                                     std::string("Content-Length: 19\r\nContent-Length: 4\r\n"),
                                     std::string("Content-Length: 19, 19\r\n")}) {
    SCOPED_TRACE(framing);
    expect_rejected_and_closed(
        token_request_head(framing) + "grant_type=password" + std::string(kSmuggled), 400);
  }
}

TEST_F(HttpHygieneTest, ObfuscatedTransferEncodingIsRejected) {
  for (const std::string& framing :
       {std::string("Transfer-Encoding: xchunked\r\n"),
        std::string("Transfer-Encoding: chunked, identity\r\n"),
        std::string("Transfer-Encoding: identity\r\n"),
        std::string("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
        std::string("Transfer-Encoding: gzip, chunked\r\n"),
        std::string("Transfer-Encoding : chunked\r\n"),
        std::string("Transfer-Encoding:\tchunked\x0b\r\n")}) {
    SCOPED_TRACE(framing);
    expect_rejected_and_closed(token_request_head(framing) + "0\r\n\r\n" + std::string(kSmuggled),
                               400);
  }
}

TEST_F(HttpHygieneTest, PlainChunkedBodyIsAccepted) {
  // The control case: honest chunked framing works.
  const std::string form = "grant_type=client_credentials&client_id=" + api->admin_id() +
                           "&client_secret=" + form_encode(api->admin_secret());
  const std::string half1 = form.substr(0, 10);
  const std::string half2 = form.substr(10);
  auto hex = [](std::size_t n) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%zx", n);
    return std::string(buffer);
  };
  Connection connection(server->port());
  connection.send(token_request_head("Transfer-Encoding: chunked\r\n") + hex(half1.size()) +
                  "\r\n" + half1 + "\r\n" + hex(half2.size()) + "\r\n" + half2 + "\r\n0\r\n\r\n");
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->describe();
}

TEST_F(HttpHygieneTest, OversizedHeaderIs431) {
  const std::string big =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + std::string(9000, 'a') +
      "\r\n\r\n";
  expect_rejected_and_closed(big, 431);
  // Many small fields adding up to more than the limit.
  std::string many = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 60; ++i)
    many += "X-F" + std::to_string(i) + ": " + std::string(200, 'b') + "\r\n";
  expect_rejected_and_closed(many + "\r\n", 431);
  // A long request target counts too.
  expect_rejected_and_closed(
      "GET /keys?" + std::string(9000, 'q') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 431);
  // The server is fine afterwards.
  EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpHygieneTest, TooManyHeaderFieldsIsRejected) {
  std::string many = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 100; ++i)
    many += "X-" + std::to_string(i) + ": v\r\n";
  Connection connection(server->port());
  connection.send(many + "\r\n");
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_TRUE(response->status == 400 || response->status == 431) << response->describe();
  EXPECT_TRUE(connection.closed_by_peer());
}

TEST_F(HttpHygieneTest, TokenEndpointBodyLimitIs413) {
  // /oauth/token takes a few short fields: 5000 bytes is over its limit (announced up front) ...
  const std::string form = "grant_type=client_credentials&client_id=" + api->admin_id() +
                           "&client_secret=" + form_encode(api->admin_secret()) +
                           "&pad=" + std::string(5000, 'p');
  Connection connection(server->port());
  connection.send(token_request_head("Content-Length: " + std::to_string(form.size()) + "\r\n") +
                  form.substr(0, 512));
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413) << response->describe();
  EXPECT_EQ(response->body.find("access_token"), std::string::npos);
  EXPECT_TRUE(connection.closed_by_peer());

  // ... and when it arrives chunked, without a length (one chunk announcing 5 KiB).
  Connection chunked(server->port());
  char size[16];
  std::snprintf(size, sizeof size, "%zx", form.size());
  chunked.send(token_request_head("Transfer-Encoding: chunked\r\n") + size + "\r\n" +
               form.substr(0, 512));
  const auto chunked_response = chunked.read_response();
  ASSERT_TRUE(chunked_response.has_value());
  EXPECT_EQ(chunked_response->status, 413) << chunked_response->describe();

  // The same size is fine on the management API, whose limit is larger.
  const std::string body = R"({"display_name":"x","padding":")" + std::string(5000, 'p') + "\"}";
  EXPECT_EQ(api->raw("POST", "/api/v1/organizations",
                     {{"Content-Type", "application/json"},
                      {"Authorization", "Bearer " + api->admin_token()}},
                     body)
                .status,
            201);
}

TEST_F(HttpHygieneTest, GarbageRequestLineIs400) {
  expect_rejected_and_closed("GARBAGE\r\n\r\n", 400);
  expect_rejected_and_closed("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400);
  expect_rejected_and_closed("GET /healthz HTTP/1.1\r\nBad Header Name: x\r\n\r\n", 400);
  EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace tessera::it
