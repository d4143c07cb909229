#include "server/http/tls.hpp"

#include <openssl/ssl.h>

namespace tessera::http {

Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_tls_context(
    const std::filesystem::path& certificate_chain, const std::filesystem::path& private_key) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
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
