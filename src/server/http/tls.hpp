// The TLS server context for --tls-cert / --tls-key: TLS 1.2 and later only, with ALPN.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>

#include "tessera/result.hpp"

namespace tessera::http {

Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_tls_context(
    const std::filesystem::path& certificate_chain, const std::filesystem::path& private_key);

// The ALPN protocol to answer a ClientHello's list with (RFC 7301 wire format: length-prefixed
// names). The REST API and the token endpoint are HTTP/1.1 only, the gRPC API is HTTP/2 only, and
// a connection gets one protocol for its lifetime. So any client that can speak HTTP/1.1 (curl and
// browsers offer "h2, http/1.1") gets http/1.1, and h2 goes only to clients that offer nothing
// else a browser would: gRPC stacks (grpc-go, grpc-java and gRPC core offer h2 alone, or with
// "grpc-exp") refuse a handshake that does not select h2. nullopt: no protocol in common (or a
// malformed list), so the handshake goes on without ALPN, as for a client that sent none.
std::optional<std::string_view> select_alpn(std::span<const unsigned char> offered);

}  // namespace tessera::http
