#include "server/http/api_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tessera::http {
namespace {

TEST(ApiError, HasTheContractShapeWithFieldViolations) {
  const Response response =
      api_error(ApiStatus::invalid_argument, "name: must be at most 128 characters",
                {{"name", "must be at most 128 characters"}});
  EXPECT_EQ(response.result(), bhttp::status::bad_request);
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  const auto body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["code"], 3);
  EXPECT_EQ(body["message"], "name: must be at most 128 characters");
  const auto& info = body["details"][0];
  EXPECT_EQ(info["@type"], "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo");
  EXPECT_EQ(info["error_code"], "INVALID_ARGUMENT");
  EXPECT_EQ(info["validation_error_info"]["field_violations"][0]["field"], "name");
}

TEST(ApiError, MapsEveryKindToTheContractTable) {
  const std::vector<std::tuple<ApiStatus, int, int>> table = {
      {ApiStatus::invalid_argument, 400, 3},   {ApiStatus::failed_precondition, 400, 9},
      {ApiStatus::unauthenticated, 401, 16},   {ApiStatus::permission_denied, 403, 7},
      {ApiStatus::not_found, 404, 5},          {ApiStatus::already_exists, 409, 6},
      {ApiStatus::resource_exhausted, 429, 8}, {ApiStatus::internal, 500, 13},
      {ApiStatus::unavailable, 503, 14},       {ApiStatus::payload_too_large, 413, 3}};
  for (const auto& [status, http, code] : table) {
    const Response response = api_error(status, "x");
    EXPECT_EQ(response.result_int(), static_cast<unsigned>(http));
    EXPECT_EQ(nlohmann::json::parse(response.body())["code"], code);
  }
}

TEST(ApiError, UnavailableCarriesRetryAfter) {
  EXPECT_FALSE(api_error(ApiStatus::unavailable, "db down")[bhttp::field::retry_after].empty());
  EXPECT_FALSE(api_error(ApiStatus::resource_exhausted, "slow")[bhttp::field::retry_after].empty());
}

TEST(ApiError, InvalidUtf8InMessageDoesNotThrow) {
  const Response response = api_error(ApiStatus::invalid_argument, "bad \xff byte");
  EXPECT_TRUE(nlohmann::json::accept(response.body()));
}

}  // namespace
}  // namespace tessera::http
