// The TLS server context for --tls-cert / --tls-key: TLS 1.2 and later only.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "tessera/result.hpp"

namespace tessera::http {

Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_tls_context(
    const std::filesystem::path& certificate_chain, const std::filesystem::path& private_key);

}  // namespace tessera::http
