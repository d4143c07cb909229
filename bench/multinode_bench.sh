#!/usr/bin/env bash
# Token throughput of one tessera node against two on one PostgreSQL database, per core, and the
# database work per token once the client is warm (the target is zero).
#
#   bench/multinode_bench.sh            uses ./build/tessera (make build first; a release build is
#                                       what the figures in docs/deployment.md come from)
#   BUILD_DIR=build-release DURATION=15 CONNECTIONS=32 bench/multinode_bench.sh
#
# Starts a throwaway PostgreSQL cluster (tests/support/pg_test_cluster.sh) and the nodes on
# loopback, drives /oauth/token with wrk (keep-alive, a fixed client), and counts committed
# database transactions (pg_stat_database) during each run: every Store call is one transaction,
# so zero transactions means zero queries. The machine's cores are shared by the nodes and wrk (no
# pinning): per-core figures divide by all cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-32}"
tessera="$build/tessera"
[ -x "$tessera" ] || { echo "no $tessera: build first (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps.sh" >&2; exit 1; }

work="$(mktemp -d /tmp/tessera-bench-XXXXXX)"
pg_dir="$work/pg"
cluster="$root/tests/support/pg_test_cluster.sh"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$cluster" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 0755 "$work"

"$cluster" start "$pg_dir"
admin_url="$(cat "$pg_dir/url")"
db_url="${admin_url%/*}/tessera_bench"
psql -q "$admin_url" -c "CREATE DATABASE tessera_bench" >/dev/null

export TESSERA_MASTER_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export TESSERA_ADMIN_CLIENT_ID=skc_7777777777
export TESSERA_ADMIN_CLIENT_SECRET=bench-admin-secret-0123456789abcdefghij

start_node() {  # name port
  "$tessera" serve --db "$db_url" --listen "127.0.0.1:$2" --issuer http://bench.tessera.test \
    --data-dir "$work/$1" --log-level warn >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$2/keys" >/dev/null && return 0
    sleep 0.05
  done
  echo "node $1 did not start:" >&2; cat "$work/$1.log" >&2; exit 1
}

json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

transactions() {
  # Statistics reach pg_stat_database within a second of a transaction's end.
  sleep 1.5
  psql -qtA "$admin_url" -c \
    "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'tessera_bench'"
}

run_wrk() {  # port threads connections -> requests/s
  wrk -t"$2" -c"$3" -d"${duration}s" -s "$work/token.lua" "http://127.0.0.1:$1/oauth/token" \
    >"$work/wrk.$1.txt"
  if grep -q "Non-2xx" "$work/wrk.$1.txt"; then
    echo "non-2xx answers during the run:" >&2; cat "$work/wrk.$1.txt" >&2; exit 1
  fi
  awk '/Requests\/sec/ {print $2}' "$work/wrk.$1.txt"
}

requests_of() { awk '/requests in/ {print $1}' "$work/wrk.$1.txt"; }

start_node a 18181
# The configured environment client is the benchmark's client: its token requests take the same
# path as any API client's (cache lookup, keyed hash, signature), and it needs no management call.
client_id="$TESSERA_ADMIN_CLIENT_ID"
client_secret="$TESSERA_ADMIN_CLIENT_SECRET"
cat >"$work/token.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&client_id=$client_id&client_secret=$client_secret"
LUA
warm() { curl -sf "http://127.0.0.1:$1/oauth/token" -d "grant_type=client_credentials" \
  -d "client_id=$client_id" -d "client_secret=$client_secret" >/dev/null; }

cores="$(nproc)"
algorithm="$(curl -sf http://127.0.0.1:18181/keys | json_field 'd["keys"][0]["alg"]')"

# One node.
warm 18181
before="$(transactions)"
one="$(run_wrk 18181 2 "$connections")"
after="$(transactions)"
one_requests="$(requests_of 18181)"
one_tx=$((after - before))

# Two nodes on the same database, driven at once.
start_node b 18182
warm 18181; warm 18182
before="$(transactions)"
run_wrk 18181 1 $((connections / 2)) >"$work/rate.a" &
wrk_a=$!
run_wrk 18182 1 $((connections / 2)) >"$work/rate.b" &
wrk_b=$!
wait "$wrk_a" "$wrk_b"
after="$(transactions)"
two_a="$(cat "$work/rate.a")"; two_b="$(cat "$work/rate.b")"
two_requests=$(( $(requests_of 18181) + $(requests_of 18182) ))
two_tx=$((after - before))

python3 - "$one" "$two_a" "$two_b" "$cores" "$one_requests" "$one_tx" "$two_requests" "$two_tx" \
  "$duration" "$algorithm" <<'PY'
import sys
one, a, b, cores = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
one_req, one_tx, two_req, two_tx = map(int, sys.argv[5:9])
duration, alg = sys.argv[9], sys.argv[10]
two = a + b
print(f"multinode bench: {alg} tokens, {duration} s per run, wrk on the same {cores} cores")
print(f"| setup | tokens/s | per core | DB transactions | per token |")
print(f"|---|---|---|---|---|")
print(f"| 1 node | {one:,.0f} | {one/cores:,.0f} | {one_tx} | {one_tx/max(one_req,1):.6f} |")
print(f"| 2 nodes | {two:,.0f} ({a:,.0f} + {b:,.0f}) | {two/cores:,.0f} | {two_tx} | {two_tx/max(two_req,1):.6f} |")
print(f"2 nodes / 1 node: {two/one:.2f}")
print("(transactions during a run are the nodes' background work: last-used flushes every 5 s,")
print(" lease renewals every 10 s, key re-reads every 30 s; none is per token)")
PY
