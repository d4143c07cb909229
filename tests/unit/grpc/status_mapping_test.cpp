#include <gtest/gtest.h>

#include "server/grpc/client_service.hpp"

namespace tessera::grpc {
namespace {

StatusCode code_of(manage::ErrorKind kind) {
  return status_of(manage::Error{kind, "message", {}}).code;
}

// The one mapping from management errors to gRPC codes; the SDK picks its exception by the code.
TEST(GrpcStatusMapping, EveryManagementErrorHasItsCode) {
  EXPECT_EQ(code_of(manage::ErrorKind::invalid_argument), StatusCode::invalid_argument);
  EXPECT_EQ(code_of(manage::ErrorKind::not_found), StatusCode::not_found);
  EXPECT_EQ(code_of(manage::ErrorKind::already_exists), StatusCode::already_exists);
  EXPECT_EQ(code_of(manage::ErrorKind::failed_precondition), StatusCode::failed_precondition);
  EXPECT_EQ(code_of(manage::ErrorKind::unavailable), StatusCode::unavailable);
  EXPECT_EQ(code_of(manage::ErrorKind::internal), StatusCode::internal);
}

TEST(GrpcStatusMapping, CodesHaveTheirWireValues) {
  EXPECT_EQ(static_cast<int>(StatusCode::invalid_argument), 3);
  EXPECT_EQ(static_cast<int>(StatusCode::not_found), 5);
  EXPECT_EQ(static_cast<int>(StatusCode::already_exists), 6);
  EXPECT_EQ(static_cast<int>(StatusCode::permission_denied), 7);
  EXPECT_EQ(static_cast<int>(StatusCode::resource_exhausted), 8);
  EXPECT_EQ(static_cast<int>(StatusCode::failed_precondition), 9);
  EXPECT_EQ(static_cast<int>(StatusCode::unimplemented), 12);
  EXPECT_EQ(static_cast<int>(StatusCode::internal), 13);
  EXPECT_EQ(static_cast<int>(StatusCode::unavailable), 14);
  EXPECT_EQ(static_cast<int>(StatusCode::unauthenticated), 16);
}

TEST(GrpcStatusMapping, TheMessageIsKept) {
  EXPECT_EQ(status_of(manage::Error{manage::ErrorKind::not_found, "client not found", {}}).message,
            "client not found");
}

}  // namespace
}  // namespace tessera::grpc
