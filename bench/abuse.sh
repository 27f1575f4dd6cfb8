#!/usr/bin/env bash
# Abuse benchmark: does the hub keep serving legitimate traffic while others send it the costliest query the limits
# accept and queries the limits refuse?
#
#   bash bench/abuse.sh
#
# One hub (release build) on PostgreSQL with 20,000 synthetic systems, default limits, the response cache off. Three
# phases of LGSP_BENCH_SECONDS (default 20) each, all traffic on 127.0.0.1:
#   1. baseline: the benchmark's nested query (bench/nested.lua), wrk 1 thread / 8 connections.
#   2. abuse:    the same, while wrk loops the costliest accepted query (bench/costly.lua) on 4 connections and the
#                refused probes (bench/abuse.lua: fan-out, 10,000 aliases, circular fragments, a batch of 1,000, a
#                10 MB body) on 4 more.
#   3. each refused probe alone for a few seconds (latency of the refusals themselves).
# Reports req/s, p50, p99 of the legitimate traffic in 1 and 2 (ratio and p99 factor), the hub's peak RSS (VmHWM),
# and the latency of the refused requests. Targets (issue 8): throughput under abuse >= 70% of the baseline, p99 <=
# 3x the baseline, peak RSS <= 128 MB, every refusal answered in under 50 ms.
#
# Environment: BIN (a built lgsp-hub), OUT (default bench/out), LGSP_BENCH_PG (default
# postgres://postgres@127.0.0.1:5432), LGSP_BENCH_SECONDS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/bench/out}"
mkdir -p "$out"
pg_admin="${LGSP_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
pg_db=lgsp_bench_abuse
secs="${LGSP_BENCH_SECONDS:-20}"

if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if [ -n "${BIN:-}" ]; then bin="$BIN"; else
  (cd "$root" && cargo build --release --bin lgsp-hub)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/lgsp-hub"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hub_pid=""
cleanup() {
  if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  psql "$pg_admin/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql "$pg_admin/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null
psql "$pg_admin/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null
"$bin" --data-dir "$out" --database-url "$pg_admin/$pg_db" seed --synthetic-systems 20000 >"$out/abuse-seed.log" 2>&1
psql "$pg_admin/$pg_db" -qc "VACUUM ANALYZE" >/dev/null
port="$(free_port)"
url="http://127.0.0.1:$port/graphql"
# The response cache off: an abuser varies its variables to defeat it, and the legitimate query must be measured on
# the path that executes it (the cache's own gain is measured by bench/peer.sh).
LGSP_RESPONSE_CACHE_TTL_MS=0 LGSP_DATA_DIR="$out" LGSP_LOG=warn "$bin" --database-url "$pg_admin/$pg_db" --listen "127.0.0.1:$port" serve \
  >"$out/abuse-hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

# The costly query must be accepted (no error) and the probes refused, or the run measures nothing.
body=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$root/bench/costly.lua")
curl -fsS "$url" -H 'content-type: application/json' -d "$body" | python3 -c \
  'import json,sys; d=json.load(sys.stdin); assert "errors" not in d, d["errors"]; print("costly query accepted")'

wrk_row() { # file -> "req/s p50 p99 max"
  awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Latency/ && !l {max=$4; l=1} END {print r, p50, p99, max}' "$1"
}
to_ms() { python3 -c "import sys,re; v=sys.argv[1]; m=re.match(r'([\d.]+)(us|ms|s)', v); f={'us':0.001,'ms':1,'s':1000}[m.group(2)]; print(round(float(m.group(1))*f, 2))" "$1"; }

echo "== baseline (${secs}s)"
wrk -t1 -c8 -d"${secs}s" --latency -s "$root/bench/nested.lua" "$url" >"$out/abuse-baseline.txt"
read -r b_rps b_p50 b_p99 _ <<<"$(wrk_row "$out/abuse-baseline.txt")"
echo "baseline: $b_rps req/s, p50 $b_p50, p99 $b_p99"

echo "== under abuse (${secs}s)"
wrk -t1 -c4 -d"$((secs + 4))s" --latency -s "$root/bench/costly.lua" "$url" >"$out/abuse-costly.txt" &
costly=$!
ABUSE_KIND=all wrk -t1 -c4 -d"$((secs + 4))s" --latency -s "$root/bench/abuse.lua" "$url" >"$out/abuse-refused.txt" &
refused=$!
sleep 2
wrk -t1 -c8 -d"${secs}s" --latency -s "$root/bench/nested.lua" "$url" >"$out/abuse-legit.txt"
wait "$costly" "$refused"
read -r a_rps a_p50 a_p99 _ <<<"$(wrk_row "$out/abuse-legit.txt")"
read -r c_rps c_p50 c_p99 _ <<<"$(wrk_row "$out/abuse-costly.txt")"
read -r r_rps r_p50 r_p99 r_max <<<"$(wrk_row "$out/abuse-refused.txt")"
echo "legitimate under abuse: $a_rps req/s, p50 $a_p50, p99 $a_p99"
echo "costly (accepted): $c_rps req/s, p99 $c_p99; refused mix: $r_rps req/s, p99 $r_p99"

echo "== each refused probe alone (5s)"
probe_rows=()
for kind in fanout aliases cycle batch body; do
  ABUSE_KIND=$kind wrk -t1 -c2 -d5s --latency -s "$root/bench/abuse.lua" "$url" >"$out/abuse-$kind.txt"
  read -r p_rps p_p50 p_p99 p_max <<<"$(wrk_row "$out/abuse-$kind.txt")"
  status=$(grep -E 'Non-2xx' "$out/abuse-$kind.txt" | awk '{print $NF}' || true)
  probe_rows+=("| $kind | $p_rps | $p_p50 | $p_p99 | ${status:-0} non-2xx |")
done
hwm=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$hub_pid/status")
ratio=$(python3 -c "print(round(100*$a_rps/$b_rps, 1))")
p99x=$(python3 -c "print(round($(to_ms "$a_p99")/$(to_ms "$b_p99"), 2))")

{
  echo
  echo "## Abuse run ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown))"
  echo "machine: $(nproc) cores; PostgreSQL $(psql "$pg_admin/postgres" -tAc 'SHOW server_version'); 20,000 synthetic systems; wrk ${secs} s"
  echo
  echo "| traffic | req/s | p50 | p99 |"
  echo "| --- | --- | --- | --- |"
  echo "| nested query alone (8 connections) | $b_rps | $b_p50 | $b_p99 |"
  echo "| nested query under abuse (8 connections) | $a_rps | $a_p50 | $a_p99 |"
  echo "| costliest accepted query (4 connections, concurrently) | $c_rps | $c_p50 | $c_p99 |"
  echo "| refused probes in rotation (4 connections, concurrently) | $r_rps | $r_p50 | $r_p99 |"
  echo
  echo "legitimate throughput under abuse: ${ratio}% of the baseline (target >= 70%); p99 ${p99x}x the baseline (target <= 3x); peak RSS ${hwm} MB (target <= 128 MB)"
  echo
  echo "| refused probe alone (2 connections, 5 s) | req/s | p50 | p99 | answers |"
  echo "| --- | --- | --- | --- | --- |"
  printf '%s\n' "${probe_rows[@]}"
} | tee "$out/abuse-summary.md"
