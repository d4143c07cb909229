// The HTTPS listener (--tls-cert / --tls-key) as TLS clients see it: a verifiable certificate, the
// token endpoint and the keys over HTTPS with an https:// issuer, ALPN (http/1.1 for clients that
// speak it, h2 for gRPC stacks that offer only h2, see select_alpn), and no TLS below 1.2. The
// client is OpenSSL's, driven directly, so the test sees the negotiated protocol and the alerts.
// Then the SDK (verifier, management client) and the CLI against it, trusting the server's private
// CA through their ca_file / --ca-file.
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "integration/test_support.hpp"
#include "support/temp_dir.hpp"
#include "tessera/client/client.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;

// A self-signed P-256 certificate for 127.0.0.1, made with the openssl command.
void make_certificate(const std::filesystem::path& cert, const std::filesystem::path& key) {
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
      key.string() + "' -out '" + cert.string() + "' 2>/dev/null";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("openssl req failed (is the openssl command installed?)");
  }
}

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};

struct TlsOptions {
  std::vector<std::string> alpn{};  // empty: no ALPN extension
  int max_version = 0;              // 0: the library's highest
};

// One TLS connection to the server on loopback, verifying its certificate for 127.0.0.1.
class TlsConnection {
 public:
  TlsConnection(std::uint16_t port, const std::filesystem::path& ca, const TlsOptions& options)
      : context_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX* ctx = context_.get();
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
      throw std::runtime_error("cannot load " + ca.string());
    }
    if (options.max_version != 0) {
      // Old versions need security level 0 on the client; the refusal must be the server's.
      SSL_CTX_set_security_level(ctx, 0);
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, options.max_version);
    }
    if (!options.alpn.empty()) {
      std::string wire;
      for (const auto& name : options.alpn)
        wire += static_cast<char>(name.size()) + name;
      SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size()));
    }
    ssl_.reset(SSL_new(ctx));
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), "127.0.0.1");

    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
    SSL_set_fd(ssl_.get(), fd_);
    ERR_clear_error();
    handshake_ok_ = SSL_connect(ssl_.get()) == 1;
    if (!handshake_ok_) handshake_error_ = ERR_peek_last_error();
  }
  ~TlsConnection() {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
  }
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  bool handshake_ok() const { return handshake_ok_; }
  unsigned long handshake_error() const { return handshake_error_; }
  bool certificate_verified() const { return SSL_get_verify_result(ssl_.get()) == X509_V_OK; }
  std::string alpn() const {
    const unsigned char* name = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &name, &length);
    return std::string(reinterpret_cast<const char*>(name), length);
  }
  std::string version() const { return SSL_get_version(ssl_.get()); }

  void send(std::string_view bytes) {
    if (SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) !=
        static_cast<int>(bytes.size())) {
      throw std::runtime_error("SSL_write failed");
    }
  }
  // Reads until the peer closes (or `enough` bytes have arrived, or the 10 s socket timeout).
  std::string receive(std::size_t enough = SIZE_MAX) {
    std::string out;
    char chunk[4096];
    while (out.size() < enough) {
      const int n = SSL_read(ssl_.get(), chunk, sizeof chunk);
      if (n <= 0) break;
      out.append(chunk, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  std::unique_ptr<SSL_CTX, SslDeleter> context_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
  int fd_ = -1;
  bool handshake_ok_ = false;
  unsigned long handshake_error_ = 0;
};

class TlsTest : public ServerTest {
 protected:
  void SetUp() override {
    make_certificate(cert(), key());
    ServerTest::SetUp();
  }
  ServerOptions server_options() override {
    return {.args = {"--tls-cert", cert().string(), "--tls-key", key().string()}};
  }
  std::filesystem::path cert() const { return files_.path() / "cert.pem"; }
  std::filesystem::path key() const { return files_.path() / "key.pem"; }

  TlsConnection connect(const TlsOptions& options = {}) {
    return TlsConnection(server->port(), cert(), options);
  }
  // One HTTP/1.1 exchange on a new connection; the raw response.
  std::string http1(std::string_view request, const TlsOptions& options = {}) {
    auto connection = connect(options);
    EXPECT_TRUE(connection.handshake_ok());
    connection.send(request);
    return connection.receive();
  }

  testing::TempDir files_;
};

TEST_F(TlsTest, TheIssuerIsHttpsAndTheCertificateVerifies) {
  EXPECT_EQ(server->url(), "https://127.0.0.1:" + std::to_string(server->port()));
  auto connection = connect();
  ASSERT_TRUE(connection.handshake_ok()) << ERR_error_string(connection.handshake_error(), nullptr);
  EXPECT_TRUE(connection.certificate_verified());
  EXPECT_EQ(connection.alpn(), "");  // no ALPN offered, none answered
  EXPECT_TRUE(connection.version() == "TLSv1.3" || connection.version() == "TLSv1.2")
      << connection.version();
}

TEST_F(TlsTest, IssuesAndPublishesOverHttps) {
  const std::string body = "grant_type=client_credentials";
  const std::string token_request =
      "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Authorization: " +
      basic_auth(server->printed_client_id(), server->printed_client_secret()) +
      "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  const std::string response = http1(token_request, {.alpn = {"h2", "http/1.1"}});
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  const Json json = Json::parse(response.substr(response.find("\r\n\r\n") + 4));
  EXPECT_EQ(decode_jwt(json.at("access_token").get<std::string>()).claims.at("iss"), server->url());

  const std::string keys =
      http1("GET /keys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(keys.starts_with("HTTP/1.1 200")) << keys;
  EXPECT_NE(keys.find("\"keys\""), std::string::npos);
}

TEST_F(TlsTest, ClientsThatSpeakHttp1AreAnsweredInHttp1) {
  for (const auto& offer :
       std::vector<std::vector<std::string>>{{"h2", "http/1.1"}, {"http/1.1"}}) {
    auto connection = connect({.alpn = offer});
    ASSERT_TRUE(connection.handshake_ok());
    EXPECT_EQ(connection.alpn(), "http/1.1");
    connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(connection.receive().starts_with("HTTP/1.1 200"));
  }
}

TEST_F(TlsTest, GrpcStacksOfferingOnlyH2GetHttp2) {
  for (const auto& offer : std::vector<std::vector<std::string>>{{"h2"}, {"grpc-exp", "h2"}}) {
    auto connection = connect({.alpn = offer});
    ASSERT_TRUE(connection.handshake_ok());
    EXPECT_EQ(connection.alpn(), "h2");
    // The preface and an empty SETTINGS frame; the server's first frame is its SETTINGS.
    connection.send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") +
                    std::string("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9));
    const std::string reply = connection.receive(9);
    ASSERT_GE(reply.size(), 9u);
    EXPECT_EQ(reply[3], '\x04') << "not a SETTINGS frame";
  }
}

TEST_F(TlsTest, AClientOfferingNoKnownProtocolStillGetsHttp1) {
  auto connection = connect({.alpn = {"h3"}});
  ASSERT_TRUE(connection.handshake_ok());
  EXPECT_EQ(connection.alpn(), "");
  connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(connection.receive().starts_with("HTTP/1.1 200"));
}

TEST_F(TlsTest, RefusesTlsBelow1_2) {
  for (const int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    auto connection = connect({.max_version = version});
    EXPECT_FALSE(connection.handshake_ok());
    // The refusal is the server's protocol_version alert, not a client-side configuration error.
    EXPECT_EQ(ERR_GET_REASON(connection.handshake_error()), SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
        << ERR_error_string(connection.handshake_error(), nullptr);
  }
  EXPECT_TRUE(connect({.max_version = TLS1_2_VERSION}).handshake_ok());
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoHttpAnswer) {
  Connection plain(server->port(), "127.0.0.1");
  plain.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const auto reply = plain.read_until_closed(5s);
  ASSERT_TRUE(reply.has_value()) << "the server kept a non-TLS connection open";
  EXPECT_EQ(reply->find("HTTP/1.1 200"), std::string::npos);
  // The listener is unharmed.
  EXPECT_TRUE(http1("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .starts_with("HTTP/1.1 200"));
}

// --- The SDK and the CLI with a private CA --------------------------------------------------

class TlsSdkTest : public TlsTest {
 protected:
  std::string token() {
    client::Client client(server->url(), server->printed_client_id(),
                          server->printed_client_secret(), {.ca_file = cert().string()});
    auto token =
        client.tokens().get_token(server->printed_client_id(), server->printed_client_secret());
    if (!token) throw std::runtime_error(token.error().describe());
    return token->access_token;
  }

  // Runs the tessera CLI with `arguments`; its exit status and standard output.
  std::pair<int, std::string> cli(const std::string& arguments) {
    const std::string command = "TESSERA_CLIENT_ID=" + server->printed_client_id() +
                                " TESSERA_CLIENT_SECRET=" + server->printed_client_secret() + " '" +
                                tessera_binary().string() + "' " + arguments + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed");
    std::string out;
    char chunk[1024];
    while (const std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe))
      out.append(chunk, n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  }
};

TEST_F(TlsSdkTest, TheVerifierFetchesKeysFromAnHttpsIssuerWithItsCa) {
  const std::string access_token = token();
  const auto verifier_with = [&](std::string ca_file) {
    auto cache = verify::JwksCache::create({.uri = server->url() + "/keys", .ca_file = ca_file});
    EXPECT_TRUE(cache.ok());
    auto verifier = verify::Verifier::create({.issuer = server->url(), .key_source = *cache});
    EXPECT_TRUE(verifier.ok());
    return std::move(*verifier);
  };
  const auto claims = verifier_with(cert().string()).verify(access_token);
  ASSERT_TRUE(claims.ok()) << verify::to_string(claims.error());
  EXPECT_EQ(claims->client_id, server->printed_client_id());
  // The system store does not hold the test CA: the keys cannot be fetched, the token not trusted.
  EXPECT_FALSE(verifier_with("").verify(access_token).ok());
}

TEST_F(TlsSdkTest, TheManagementClientTrustsOnlyTheGivenCa) {
  client::Client trusting(server->url(), server->printed_client_id(),
                          server->printed_client_secret(), {.ca_file = cert().string()});
  const auto created = trusting.organizations().create_organization({.display_name = "Acme"});
  ASSERT_TRUE(created.ok()) << created.error().describe();

  client::Client untrusting(server->url(), server->printed_client_id(),
                            server->printed_client_secret());
  const auto refused = untrusting.organizations().list_organizations();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().source, client::ErrorSource::transport);
}

TEST_F(TlsSdkTest, TheCliTakesCaFile) {
  const std::string url = " --url " + server->url();
  const auto [created, created_out] =
      cli("orgs create --name Acme" + url + " --ca-file '" + cert().string() + "'");
  EXPECT_EQ(created, 0) << created_out;
  const auto [listed, listed_out] =
      cli("orgs list --json" + url + " --ca-file '" + cert().string() + "'");
  EXPECT_EQ(listed, 0) << listed_out;
  EXPECT_NE(listed_out.find("Acme"), std::string::npos) << listed_out;
  const auto [refused, refused_out] = cli("orgs list" + url);
  EXPECT_NE(refused, 0) << refused_out;
  const auto [missing, missing_out] = cli("orgs list" + url + " --ca-file /nonexistent.pem");
  EXPECT_NE(missing, 0) << missing_out;
  EXPECT_NE(missing_out.find("/nonexistent.pem"), std::string::npos) << missing_out;
}

}  // namespace
}  // namespace tessera::it
