// scalekit.v1.clients.ClientService over gRPC: the organization-client methods the Scalekit SDKs
// call, mapped onto the same manage::Service, authentication, audit log and worker pool as the
// REST routes of http::ManagementApi. Other ClientService methods are not registered, so the
// transport answers UNIMPLEMENTED for them.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "server/grpc/unary.hpp"
#include "server/manage/service.hpp"
#include "tessera/verify/authorizer.hpp"

namespace tessera::grpc {

inline constexpr std::string_view kClientServicePath = "/scalekit.v1.clients.ClientService/";

// The one mapping from management errors to gRPC status codes.
Status status_of(const manage::Error& error);

class ClientService {
 public:
  ClientService(manage::Service& service, boost::asio::thread_pool& workers,
                const verify::Authorizer& authorizer);

  void add_methods(MethodTable& methods);

 private:
  using Awaitable = boost::asio::awaitable<UnaryResult>;

  Result<manage::Caller, Status> authenticate(const CallContext& context) const;

  Awaitable create_client(std::string_view message, const manage::Caller& caller);
  Awaitable get_client(std::string_view message, const manage::Caller& caller);
  Awaitable update_client(std::string_view message, const manage::Caller& caller);
  Awaitable delete_client(std::string_view message, const manage::Caller& caller);
  Awaitable list_clients(std::string_view message, const manage::Caller& caller);
  Awaitable add_secret(std::string_view message, const manage::Caller& caller);
  Awaitable delete_secret(std::string_view message, const manage::Caller& caller);

  manage::Service& service_;
  boost::asio::thread_pool& workers_;
  const verify::Authorizer& authorizer_;
};

}  // namespace tessera::grpc
