// Form bodies and query strings, and scope strings against a registered set.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/http/form.hpp"
#include "server/http/token_endpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::http;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)parse_form(input);
  const std::vector<std::string> registered{"deploy:applications", "read:deployments"};
  if (auto granted = grant_scopes(std::string(input), registered)) {
    // Down-scoping may only ever narrow what is registered.
    for (const auto& scope : *granted) {
      if (std::find(registered.begin(), registered.end(), scope) == registered.end()) std::abort();
    }
  }
  return 0;
}
