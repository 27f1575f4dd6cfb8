#!/usr/bin/env bash
# lgsp-hub benchmark harness.
#
#   bash bench/run.sh            full run: 1,000,000 synthetic systems for the keyset/search probes
#   bash bench/run.sh --quick    the same with 100,000 synthetic systems
#
# What it measures (all traffic goes to 127.0.0.1; every loop is bounded in count or time):
#   1. SQLite, N synthetic systems: keyset page 1 vs page 1000 (first: 20, NAME order; the cursor of page 1000 is
#      found by walking 999 pages with `after`), 50 timed runs each -> median, p95, ratio; diacritic-free search
#      ("ho tich", "so thong tin", ...), 30 timed runs each -> median, p95.            (bench/measure.py)
#   2. The nested catalog query (bench/nested.lua) under wrk, 2 threads / 64 connections / 30 s, --latency, against a
#      hub on SQLite with 20,000 synthetic systems and one on PostgreSQL with 20,000 -> req/s, p50, p99, the hub's
#      peak RSS (VmHWM) and SQL statements per request (from /metrics).
#
# Environment:
#   BIN=/path/lgsp-hub        use this binary instead of `cargo build --release` in the repository
#   SRC=/path/to/checkout     the tree the binary was built from (for the commit shown); default: this repository
#   OUT=/path                 where databases and raw outputs go; default bench/out (git-ignored)
#   LGSP_BENCH_PG=postgres://postgres@127.0.0.1:5432   PostgreSQL server (trust auth); a database lgsp_bench_20k is
#                             created fresh and dropped at the end
#   LGSP_BENCH_SECONDS=30     wrk duration
# Needs: python3, curl, psql, PostgreSQL at 127.0.0.1:5432; wrk is installed with apt-get when missing (root).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="${SRC:-$root}"
out="${OUT:-$root/bench/out}"
mkdir -p "$out"
big=1000000
mode=full
if [ "${1:-}" = "--quick" ]; then big=100000; mode=quick; fi
pg_admin="${LGSP_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
pg_db=lgsp_bench_20k
duration="${LGSP_BENCH_SECONDS:-30}"

if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  (cd "$root" && cargo build --release --bin lgsp-hub)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/lgsp-hub"
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hub_pid=""
stop_hub() { if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi; hub_pid=""; }
drop_pg() { psql "$pg_admin/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; }
trap 'stop_hub; drop_pg' EXIT
start_hub() { # database-url log-name
  port="$(free_port)"
  LGSP_DATA_DIR="$out" LGSP_LOG=warn "$bin" --database-url "$1" --listen "127.0.0.1:$port" serve >"$out/hub-$2.log" 2>&1 &
  hub_pid=$!
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "hub did not start; see $out/hub-$2.log" >&2; exit 1
}
metric() { curl -fsS "http://127.0.0.1:$port/metrics" | awk '$1=="lgsp_sql_statements_total" {print $2}'; }
seed() { # database-url count log-name -> prints seconds
  local t0; t0=$(date +%s)
  "$bin" --data-dir "$out" --database-url "$1" seed --synthetic-systems "$2" >"$out/seed-$3.log" 2>&1
  echo $(( $(date +%s) - t0 ))
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

load_rows=()
load() { # label
  local url="http://127.0.0.1:$port/graphql"
  python3 "$root/bench/measure.py" check "$url" >"$out/check-$1.json"   # the query answers 20 edges, no errors
  local s0; s0=$(metric)
  wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/nested.lua" "$url" >"$out/wrk-$1.txt"
  local s1; s1=$(metric)
  local rps p50 p99 reqs errs hwm sqlper
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk-$1.txt")
  p50=$(awk '$1=="50%" {print $2}' "$out/wrk-$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$out/wrk-$1.txt")
  reqs=$(awk '/requests in/ {print $1}' "$out/wrk-$1.txt")
  errs=$( (grep -E 'Non-2xx|Socket errors' "$out/wrk-$1.txt" || true) | tr '\n' ' ')
  hwm=$(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$hub_pid/status")
  sqlper=$(python3 -c "print(round(($s1-$s0)/$reqs, 3))")
  load_rows+=("| $1, 20,000 systems | $rps | $p50 | $p99 | $hwm | $sqlper | ${errs:-none} |")
  echo "${load_rows[-1]}"
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "mode: $mode ($big synthetic systems for pages/search)"
  echo "commit: $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "binary: $bin"
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
       "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
  echo "postgresql: $(psql "$pg_admin/postgres" -tAc 'SHOW server_version' 2>/dev/null || echo unreachable)"
  echo "wrk: $(wrk --version 2>&1 | head -1 | cut -c1-60)"
} | tee "$out/machine.txt"

echo "== SQLite with $big synthetic systems"
rm -f "$out/big.sqlite"*
gen_big=$(seed "sqlite://$out/big.sqlite?mode=rwc" "$big" big)
echo "generated in $gen_big s"
start_hub "sqlite://$out/big.sqlite?mode=rwc" big
python3 "$root/bench/measure.py" pages "http://127.0.0.1:$port/graphql" 1000 | tee "$out/pages.json"
python3 "$root/bench/measure.py" search "http://127.0.0.1:$port/graphql" | tee "$out/search.json"
stop_hub

echo "== SQLite with 20,000 synthetic systems"
rm -f "$out/20k.sqlite"*
gen_20k=$(seed "sqlite://$out/20k.sqlite?mode=rwc" 20000 20k-sqlite)
start_hub "sqlite://$out/20k.sqlite?mode=rwc" 20k-sqlite
load sqlite
stop_hub

echo "== PostgreSQL with 20,000 synthetic systems"
drop_pg
psql "$pg_admin/postgres" -qc "CREATE DATABASE $pg_db"
gen_pg=$(seed "$pg_admin/$pg_db" 20000 20k-postgres)
psql "$pg_admin/$pg_db" -qc "VACUUM ANALYZE"   # fresh statistics after the bulk load, as autovacuum would give
start_hub "$pg_admin/$pg_db" 20k-postgres
load postgres
stop_hub

p="$out/pages.json"; s="$out/search.json"
{
  echo
  echo "## Summary ($mode)"
  cat "$out/machine.txt"
  echo "generation: $big systems on SQLite $gen_big s; 20,000 on SQLite $gen_20k s; 20,000 on PostgreSQL $gen_pg s"
  echo
  echo "| probe | median | p95 | other |"
  echo "| --- | --- | --- | --- |"
  echo "| page 1 ($big, first: 20) | $(json "$p" 'd["page_1"]["median_ms"]') ms | $(json "$p" 'd["page_1"]["p95_ms"]') ms | $(json "$p" 'd["page_1"]["sql_per_request"]') SQL/request |"
  echo "| page 1000 | $(json "$p" 'd["page_1000"]["median_ms"]') ms | $(json "$p" 'd["page_1000"]["p95_ms"]') ms | $(json "$p" 'd["page_1000"]["sql_per_request"]') SQL/request |"
  echo "| ratio page 1000 / page 1 (target <= 1.5) | $(json "$p" 'd["ratio_median"]') | $(json "$p" 'd["ratio_p95"]') | |"
  for t in "ho tich" "so thong tin" "ha tinh" "kho du lieu y te"; do
    echo "| search \"$t\" | $(json "$s" "d['$t']['median_ms']") ms | $(json "$s" "d['$t']['p95_ms']") ms | $(json "$s" "d['$t']['hits']") hits, $(json "$s" "d['$t']['sql_per_request']") SQL/request |"
  done
  echo
  echo "| load (wrk 2 threads, 64 connections, ${duration} s) | req/s | p50 | p99 | peak RSS (VmHWM) | SQL/request | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${load_rows[@]}"
  echo
  echo "targets: page 1000 within 1.5x of page 1; PostgreSQL >= 4,000 req/s; RSS <= 64 MB"
} | tee "$out/summary.md"
echo "raw outputs: $out"
