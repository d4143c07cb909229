#include "server/app/config.hpp"

namespace tessera::app {

std::string Config::effective_issuer() const {
  std::string url = issuer.empty() ? "http://" + listen : issuer;
  // The issuer is compared byte for byte by verifiers: never end it with a slash.
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

std::filesystem::path Config::effective_master_key_file() const {
  return master_key_file.empty() ? data_dir / "master.key" : master_key_file;
}

std::optional<DatabaseLocation> parse_database_url(const Config& config, std::string& error) {
  const std::string& url = config.db;
  if (url.empty() || url == "sqlite://" || url == "sqlite:") {
    return DatabaseLocation{DatabaseLocation::Kind::sqlite,
                            (config.data_dir / "tessera.db").string()};
  }
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.rfind(kSqlite, 0) == 0) {
    return DatabaseLocation{DatabaseLocation::Kind::sqlite, url.substr(kSqlite.size())};
  }
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    return DatabaseLocation{DatabaseLocation::Kind::postgres, url};
  }
  error = "--db must be sqlite://[PATH] or postgres://…";
  return std::nullopt;
}

}  // namespace tessera::app
