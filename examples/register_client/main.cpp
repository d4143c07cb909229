// register_client: the guide's first example ("Register an API client with scopes") with the
// tessera C++ management client. Reads TESSERA_URL, TESSERA_CLIENT_ID, TESSERA_CLIENT_SECRET and
// TESSERA_ORGANIZATION_ID; prints the new client's id and, once, its secret.
#include <cstdlib>
#include <iostream>

#include "tessera/client/client.hpp"

namespace {
std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}
}  // namespace

int main() {
  // Use case: your customer requests API access for their deployment automation.
  tessera::Client tessera(env("TESSERA_URL"), env("TESSERA_CLIENT_ID"),
                          env("TESSERA_CLIENT_SECRET"));

  // Define API client details with scopes your customer's app needs.
  auto response = tessera.m2m().create_client(
      env("TESSERA_ORGANIZATION_ID"),
      {.name = "GitHub Actions Deployment Service",
       .description = "Service account for GitHub Actions to deploy applications to production",
       .scopes = {"deploy:applications", "read:deployments"},
       .expiry = std::chrono::seconds(3600)});  // token expiry
  if (!response) {
    std::cerr << "Error creating API client: " << response.error().describe() << "\n";
    return 1;
  }

  // Response contains client details and the plain_secret (only returned once).
  std::cout << "Created API client: " << response->client.client_id << "\n"
            << "Client secret: " << response->plain_secret << "\n";
  std::cerr << "Store the secret now and hand it to your customer securely: it is never shown "
               "again.\n";
}
