#include "server/http/tls.hpp"

#include <openssl/ssl.h>

namespace tessera::http {
namespace {

constexpr std::string_view kHttp1 = "http/1.1";
constexpr std::string_view kHttp2 = "h2";

// OpenSSL's ALPN callback: *out must point into `in` (the client's list), which outlives the
// handshake step, so the answer is located there rather than in our constants.
int on_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
            unsigned int in_length, void*) {
  const std::span<const unsigned char> offered(in, in_length);
  const auto chosen = select_alpn(offered);
  if (!chosen) return SSL_TLSEXT_ERR_NOACK;
  *out = reinterpret_cast<const unsigned char*>(chosen->data());
  *out_length = static_cast<unsigned char>(chosen->size());
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::optional<std::string_view> select_alpn(std::span<const unsigned char> offered) {
  // One pass, no allocation (it runs in every handshake); a malformed list answers nothing.
  std::optional<std::string_view> http1;
  std::optional<std::string_view> http2;
  for (std::size_t at = 0; at < offered.size();) {
    const std::size_t length = offered[at];
    if (length == 0 || length > offered.size() - at - 1) return std::nullopt;
    const std::string_view name(reinterpret_cast<const char*>(offered.data() + at + 1), length);
    at += 1 + length;
    if (name == kHttp1) http1 = name;
    if (name == kHttp2) http2 = name;
  }
  return http1 ? http1 : http2;
}

Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_tls_context(
    const std::filesystem::path& certificate_chain, const std::filesystem::path& private_key) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_alpn_select_cb(context->native_handle(), on_alpn, nullptr);
  boost::system::error_code ec;
  context->use_certificate_chain_file(certificate_chain.string(), ec);
  if (ec) return fail("--tls-cert " + certificate_chain.string() + ": " + ec.message());
  context->use_private_key_file(private_key.string(), ssl::context::pem, ec);
  if (ec) return fail("--tls-key " + private_key.string() + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return fail(std::string("--tls-key does not match the certificate in --tls-cert"));
  }
  return context;
}

}  // namespace tessera::http
