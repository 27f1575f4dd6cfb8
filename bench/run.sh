#!/usr/bin/env bash
# lgsp-hub benchmark: keyset pages and search over 1,000,000 synthetic systems (SQLite), and the nested catalog query
# under wrk on 20,000 systems (SQLite and PostgreSQL). Loopback only; every loop is bounded.
#   bash bench/run.sh            full run (1,000,000 rows)
#   bash bench/run.sh --quick    100,000 rows instead
# Needs: cargo, python3, wrk (installed with apt-get when missing), PostgreSQL at 127.0.0.1:5432 (user postgres).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bench/out"
mkdir -p "$out"
big=1000000
[ "${1:-}" = "--quick" ] && big=100000
pg_admin="${LGSP_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
duration="${LGSP_BENCH_SECONDS:-30}"

if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
bin="${BIN:-$root/target/release/lgsp-hub}"
if [ -z "${BIN:-}" ]; then (cd "$root" && cargo build --release --bin lgsp-hub); fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hub_pid=""
stop_hub() { [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null; hub_pid=""; }
trap 'stop_hub; psql "$pg_admin/test" -qc "DROP DATABASE IF EXISTS lgsp_bench_20k" >/dev/null 2>&1 || true' EXIT
start_hub() { # url
  port="$(free_port)"
  LGSP_DATA_DIR="$out" LGSP_LOG=warn "$bin" --database-url "$1" --listen "127.0.0.1:$port" serve & hub_pid=$!
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "hub did not start" >&2; exit 1
}
load() { # label
  wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/nested.lua" "http://127.0.0.1:$port/graphql" > "$out/wrk-$1.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk-$1.txt")
  p50=$(awk '$1=="50%" {print $2}' "$out/wrk-$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$out/wrk-$1.txt")
  rss=$(awk '/VmHWM/ {print $2" "$3}' "/proc/$hub_pid/status")
  echo "| $1 | $rps | $p50 | $p99 | $rss |" | tee -a "$out/summary.md"
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem/ {print $2}') GiB" | tee "$out/summary.md"
echo "commit: $(git -C "$root" rev-parse --short HEAD)" | tee -a "$out/summary.md"

echo "== $big synthetic systems on SQLite"
rm -f "$out/big.sqlite"*
t0=$(date +%s)
"$bin" --database-url "sqlite://$out/big.sqlite?mode=rwc" seed --synthetic-systems "$big" 2>/dev/null
echo "generated in $(( $(date +%s) - t0 )) s" | tee -a "$out/summary.md"
start_hub "sqlite://$out/big.sqlite?mode=rwc"
echo "pages: $(python3 "$root/bench/measure.py" pages "http://127.0.0.1:$port/graphql" 1000)" | tee -a "$out/summary.md"
echo "search: $(python3 "$root/bench/measure.py" search "http://127.0.0.1:$port/graphql")" | tee -a "$out/summary.md"
stop_hub

echo "| load (20,000 systems) | req/s | p50 | p99 | peak RSS |" | tee -a "$out/summary.md"
echo "| --- | --- | --- | --- | --- |" | tee -a "$out/summary.md"
rm -f "$out/20k.sqlite"*
"$bin" --database-url "sqlite://$out/20k.sqlite?mode=rwc" seed --synthetic-systems 20000 2>/dev/null
start_hub "sqlite://$out/20k.sqlite?mode=rwc"
load sqlite
stop_hub

psql "$pg_admin/test" -qc "DROP DATABASE IF EXISTS lgsp_bench_20k" -c "CREATE DATABASE lgsp_bench_20k"
"$bin" --database-url "$pg_admin/lgsp_bench_20k" seed --synthetic-systems 20000 2>/dev/null
psql "$pg_admin/lgsp_bench_20k" -qc "VACUUM ANALYZE"
start_hub "$pg_admin/lgsp_bench_20k"
load postgres
stop_hub
echo "results: $out/summary.md"
