// `cmake --install --component sdk` into a temporary prefix, then a project outside the tree
// builds against it with find_package(tessera) and with pkg-config, and runs against a real
// server.
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "unit/cli/run_command.hpp"
#include "unit/client/live_server.hpp"

namespace tessera::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class InstalledSdk : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto result = run_command(CMAKE_COMMAND, {"--install", PROJECT_BINARY_DIR, "--prefix",
                                                    prefix().string(), "--component", "sdk"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path prefix() { return dir_->path() / "prefix"; }
  static std::filesystem::path libdir() { return prefix() / CMAKE_INSTALL_LIBDIR; }

  // Runs the consumer against a fresh server; it registers, gets and verifies a token.
  static void run_consumer(const std::filesystem::path& binary) {
    LiveServer server;
    const auto result =
        run_command(binary, {server.url(), server.client_id(), server.client_secret()});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(result.out.starts_with("ok m2morg_")) << result.out;
  }

  static inline TempDir* dir_ = nullptr;
};

TEST_F(InstalledSdk, InstallsHeadersLibrariesAndPackageFiles) {
  for (const char* header :
       {"tessera/client/client.hpp", "tessera/verify/verifier.hpp", "tessera/middleware/beast.hpp",
        "tessera/jose/jws.hpp", "tessera/result.hpp"}) {
    EXPECT_TRUE(std::filesystem::exists(prefix() / "include" / header)) << header;
  }
  for (const char* lib : {"libtessera_client.a", "libtessera_verify.a", "libtessera_net.a",
                          "libtessera_jose.a", "cmake/tessera/tesseraConfig.cmake",
                          "pkgconfig/tessera.pc", "pkgconfig/tessera-client.pc"}) {
    EXPECT_TRUE(std::filesystem::exists(libdir() / lib)) << lib;
  }
  // Internal headers and the server stay out.
  EXPECT_FALSE(std::filesystem::exists(prefix() / "include" / "net"));
  EXPECT_FALSE(std::filesystem::exists(prefix() / "bin"));
}

TEST_F(InstalledSdk, FindPackageConsumerBuildsAndRuns) {
  const auto build = dir_->path() / "consumer-cmake";
  const auto configure =
      run_command(CMAKE_COMMAND, {"-S", CONSUMER_SOURCE_DIR, "-B", build.string(),
                                  "-DCMAKE_PREFIX_PATH=" + prefix().string(),
                                  "-DCMAKE_CXX_COMPILER=" CMAKE_CXX_COMPILER,
                                  "-DCMAKE_CXX_FLAGS=" SANITIZE_FLAGS, "-DCMAKE_BUILD_TYPE=Debug"});
  ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
  const auto built = run_command(CMAKE_COMMAND, {"--build", build.string()});
  ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
  run_consumer(build / "consumer");
}

TEST_F(InstalledSdk, PkgConfigConsumerBuildsAndRuns) {
  const std::map<std::string, std::string> env{
      {"PKG_CONFIG_PATH", (libdir() / "pkgconfig").string()}};
  const auto flags = run_command("/usr/bin/pkg-config", {"--cflags", "--libs", "tessera"}, env);
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_TRUE(contains(flags.out, "-ltessera_client")) << flags.out;
  EXPECT_TRUE(contains(flags.out, "-lcurl")) << flags.out;

  // The shell splits pkg-config's output into arguments, as a Makefile would.
  const auto binary = dir_->path() / "consumer-pc";
  const std::string command = std::string(CMAKE_CXX_COMPILER) + " " SANITIZE_FLAGS " " +
                              CONSUMER_SOURCE_DIR "/main.cpp -o " + binary.string() +
                              " $(pkg-config --cflags --libs tessera)";
  const auto built = run_command("/bin/sh", {"-c", command}, env);
  ASSERT_EQ(built.exit_code, 0) << command << "\n" << built.out << built.err;
  run_consumer(binary);
}

}  // namespace
}  // namespace tessera::testing
