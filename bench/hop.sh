#!/usr/bin/env bash
# Where a lookup's added latency goes, one lookup at a time: wrk -t1 -c1 sends a citizen lookup to a hub (SQLite)
# while tcpdump records the loopback, and hop_report.py splits every lookup into three phases from the packets:
#   in -> up     the lookup reaching the hub, to the hub's request reaching the mock (token, GraphQL, grant, log
#                entry queued, reqwest)
#   mock         the mock's own answer (its configured latency, plus its timer's rounding)
#   down -> out  the mock's answer reaching the hub, to the hub's answer leaving (the wait for the log entry if any,
#                JSON, masking, serialisation)
# for each mock latency in LGSP_HOP_LATENCIES. It also reports the hub's CPU per lookup (perf stat, when perf is
# installed) and direct wrk against the mock as the floor. One connection and no other load: the figures are the
# request path's own, not queueing.
#
#   bash bench/hop.sh
#
# Environment: LGSP_HOP_LATENCIES ("0 2 20") in ms, LGSP_BENCH_SECONDS (5) per run,
# BIN_DIR=/path/to/target/release (default: cargo build --release here).
# Needs: root (packet capture), tcpdump and wrk (apt-get installs them), python3, curl. Output in bench/out/hop/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/bench/out}/hop"
rm -rf "$out" && mkdir -p "$out"
seconds="${LGSP_BENCH_SECONDS:-5}"
latencies="${LGSP_HOP_LATENCIES:-0 2 20}"
for tool in wrk tcpdump; do
  command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y "$tool" >/dev/null; }
done
if [ -z "${BIN_DIR:-}" ]; then
  (cd "$root" && cargo build --release --bin lgsp-hub --bin mock-upstreams)
  BIN_DIR="${CARGO_TARGET_DIR:-$root/target}/release"
fi
# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

start_mock "$out" "$BIN_DIR"
secret="$BENCH_SECRET"
hub_port="$(free_port)"
LGSP_JWT_SECRET="$secret" LGSP_ACCESS_LOG_KEY="$BENCH_ACCESS_LOG_KEY" LGSP_LOG=warn \
  LGSP_UPSTREAMS_URL="$mock" LGSP_DATA_DIR="$out" \
  "$BIN_DIR/lgsp-hub" --database-url "sqlite://$out/hop.sqlite?mode=rwc" --listen "127.0.0.1:$hub_port" serve \
  >"$out/hub.log" 2>&1 &
hub_pid=$!
pids+=($hub_pid)
hub="http://127.0.0.1:$hub_port"
wait_for "$hub/readyz" 240

id="$(curl -fsS -H 'x-admin-key: dev-admin-key' "$mock/admin/samples" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["citizens"][0])')"
hub_token="$(LGSP_JWT_SECRET="$secret" "$BIN_DIR/lgsp-hub" token --subject bench --agency 000.00.00.H48 \
  --scopes upstream:population:read)"
mock_token="$(curl -fsS -u lgsp-hub:dev-secret-population -d grant_type=client_credentials \
  "$mock/population/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
query="{ citizen(personalId: \\\"$id\\\", purpose: {basis: PUBLIC_SERVICE, reference: \\\"HS-1\\\"}) { fullName birthDate permanentAddress } }"
curl -fsS -H "authorization: Bearer $hub_token" -H 'content-type: application/json' -d "{\"query\":\"$query\"}" \
  "$hub/graphql" | grep -q permanentAddress || { echo "the hub does not answer the lookup" >&2; exit 1; }
cat >"$out/hub.lua" <<LUA
wrk.method = "POST"
wrk.path = "/graphql"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $hub_token"
wrk.body = [[{"query":"$query"}]]
LUA
cat >"$out/direct.lua" <<LUA
wrk.path = "/population/citizens/$id"
wrk.headers["Authorization"] = "Bearer $mock_token"
wrk.headers["X-Client-Agency"] = "000.00.00.H48"
wrk.headers["X-Purpose"] = "PUBLIC_SERVICE; ref=HS-1"
LUA

{
  echo "## Hop run $(date -u '+%Y-%m-%d %H:%M UTC'): wrk -t1 -c1, ${seconds} s per run, hub on SQLite, $(nproc) cores," \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| mock latency | direct p50 ms | hub p50 ms | added p50 ms | in -> up p50 ms | mock p50 ms | down -> out p50 ms | hub CPU per lookup ms | context switches per lookup |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for ms in $latencies; do
    curl -fsS -X PUT -H 'x-admin-key: dev-admin-key' -H 'content-type: application/json' -d "{\"latencyMs\":$ms}" \
      "$mock/admin/knobs/population" >/dev/null
    wrk -t1 -c1 -d2s -s "$out/hub.lua" "$hub" >/dev/null # warm-up
    wrk -t1 -c1 -d"${seconds}s" --latency -s "$out/direct.lua" "$mock" >"$out/direct-$ms.wrk"
    tcpdump -i lo -nn -tt -q -w "$out/hop-$ms.pcap" \
      "(tcp port $hub_port or tcp port $mock_port) and tcp[tcpflags] & tcp-push != 0" 2>/dev/null &
    capture=$!
    sleep 0.5
    if command -v perf >/dev/null; then
      perf stat -x, -e task-clock,context-switches -p "$hub_pid" -o "$out/perf-$ms.csv" -- sleep "$seconds" &
      stat_pid=$!
    else
      stat_pid=""
    fi
    wrk -t1 -c1 -d"${seconds}s" --latency -s "$out/hub.lua" "$hub" >"$out/hub-$ms.wrk"
    [ -n "$stat_pid" ] && wait "$stat_pid" || true
    sleep 0.3
    kill "$capture" && wait "$capture" 2>/dev/null || true
    tcpdump -nn -tt -q -r "$out/hop-$ms.pcap" 2>/dev/null >"$out/hop-$ms.txt"
    python3 "$root/bench/hop_report.py" "$ms" "$hub_port" "$mock_port" "$out/hop-$ms.txt" "$out/direct-$ms.wrk" \
      "$out/hub-$ms.wrk" "$out/perf-$ms.csv"
  done
} | tee "$out/hop-summary.md"
