#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: initdb + pg_ctl in DIR, on a free loopback port,
# owned by a non-root user (PostgreSQL refuses to run as root; CI runs as root).
#
#   pg_test_cluster.sh start DIR     create (or reuse a running) cluster; writes DIR/url
#   pg_test_cluster.sh stop DIR      stop it and delete DIR
#   pg_test_cluster.sh restart DIR   pg_ctl restart (the multi-node outage test)
#   pg_test_cluster.sh halt DIR      stop it but keep DIR (start brings it back on the same port)
#
# The cluster trusts local connections and runs with fsync off: it holds nothing but test data,
# and a clean pg_ctl stop/restart still checkpoints everything. Missing binaries are an error, never
# a skip: postgresql-15 is in scripts/install-deps.sh.
set -euo pipefail

PG_BIN="${TESSERA_PG_BIN:-/usr/lib/postgresql/15/bin}"
command="${1:?usage: $0 start|stop|restart|halt DIR}"
dir="${2:?usage: $0 start|stop|restart|halt DIR}"
data="$dir/data"
# The postgres user may not be allowed into the caller's directory (a clone under /root).
cd /

for tool in initdb pg_ctl; do
  if [ ! -x "$PG_BIN/$tool" ]; then
    echo "pg_test_cluster: $PG_BIN/$tool not found: install postgresql-15 (scripts/install-deps.sh)" >&2
    exit 1
  fi
done

# As root, run the server as the postgres user the Debian package creates.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

running() {
  [ -f "$data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start_server() {
  as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null
}

init_cluster() {
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 0755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  as_owner "$PG_BIN/initdb" -D "$data" -U tessera -A trust -E UTF8 --locale=C --no-sync >/dev/null
  local port low
  # Below the kernel's ephemeral range: a port inside it can refuse connections (so it looks free)
  # and still be the local end of an outgoing connection, and then PostgreSQL cannot bind it.
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  [ "$low" -gt 12000 ] || low=32768
  for _ in $(seq 1 50); do
    port=$((10000 + RANDOM % (low - 10000)))
    port_is_free "$port" && break
  done
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 64MB
fsync = off
full_page_writes = off
synchronous_commit = on
CONF
  echo "postgresql://tessera@127.0.0.1:$port/postgres" >"$dir/url.tmp"
}

case "$command" in
  start)
    if running; then exit 0; fi
    fresh=0
    if ! { [ -f "$dir/url" ] && [ -d "$data" ]; }; then
      init_cluster
      fresh=1
    fi
    [ -f "$dir/url.tmp" ] && mv "$dir/url.tmp" "$dir/url"
    attempts=1
    until start_server; do
      # A new cluster whose port was taken after all gets another one (a halted cluster keeps its
      # port: its clients know it).
      if [ "$fresh" -eq 1 ] && [ "$attempts" -lt 5 ] && grep -q "already in use" "$dir/server.log"; then
        attempts=$((attempts + 1))
        init_cluster
        mv "$dir/url.tmp" "$dir/url"
        continue
      fi
      cat "$dir/server.log" >&2
      exit 1
    done
    chmod 0644 "$dir/url"
    ;;
  restart)
    as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
    ;;
  halt)
    as_owner "$PG_BIN/pg_ctl" -D "$data" -w -t 60 -m fast stop >/dev/null
    ;;
  stop)
    if running; then as_owner "$PG_BIN/pg_ctl" -D "$data" -w -t 60 -m fast stop >/dev/null; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop|restart|halt DIR" >&2
    exit 2
    ;;
esac
