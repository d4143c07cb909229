// gRPC request bodies: the message frame prefix, then every ClientService request decoder (on the
// framed message and on the raw input, so that the decoders see inputs the framing would refuse).
#include <cstdint>
#include <string_view>

#include "server/grpc/client_messages.hpp"
#include "server/grpc/framing.hpp"

namespace {

void decode_all(std::string_view message) {
  using namespace tessera::grpc;
  (void)decode_create_client(message);
  (void)decode_client_ref(message);
  (void)decode_update_client(message);
  (void)decode_delete_secret(message);
  (void)decode_list_clients(message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto message = tessera::grpc::unary_message(body, "", tessera::grpc::pb::kMaxMessageBytes)) {
    decode_all(*message);
  }
  decode_all(body);
  return 0;
}
