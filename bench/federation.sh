#!/usr/bin/env bash
# Federation overhead: a citizen lookup through the hub (GraphQL, scope + purpose checks, access-log entry written
# before the answer, masking) against the same lookup sent straight to the mock population service, with the same
# load generator (wrk, 2 threads, 32 connections) and the same set of citizens.
#
#   bash bench/federation.sh          30 s per run    (LGSP_BENCH_SECONDS to change)
#
# Reports req/s, p50 and p99 of both, the added p50/p99 and the throughput ratio (targets: <= 0.5 ms added p50,
# >= 80 % of the direct throughput, with the access log on). Raw wrk output goes to bench/out/.
# Environment: BIN_DIR=/path/to/target/release (default: cargo build --release here);
#   HUB_DATABASE_URL=postgres://... to run the hub on PostgreSQL (default: a fresh SQLite file in bench/out).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/bench/out}"
mkdir -p "$out"
duration="${LGSP_BENCH_SECONDS:-30}"
if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if [ -z "${BIN_DIR:-}" ]; then
  (cd "$root" && cargo build --release --bin lgsp-hub --bin mock-upstreams)
  BIN_DIR="${CARGO_TARGET_DIR:-$root/target}/release"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

mock_port="$(free_port)"
"$BIN_DIR/mock-upstreams" --listen "127.0.0.1:$mock_port" >"$out/mock.log" 2>&1 &
pids+=($!)
mock="http://127.0.0.1:$mock_port"
for _ in $(seq 1 60); do curl -fsS "$mock/population/openapi.json" >/dev/null 2>&1 && break; sleep 0.5; done

hub_port="$(free_port)"
secret="bench-secret-of-at-least-thirty-two-bytes"
rm -f "$out/federation.sqlite"*
db_url="${HUB_DATABASE_URL:-sqlite://$out/federation.sqlite?mode=rwc}"
LGSP_JWT_SECRET="$secret" LGSP_ACCESS_LOG_KEY="bench-access-log-key-of-32-bytes-or-more" LGSP_LOG=warn \
  LGSP_UPSTREAMS_URL="$mock" LGSP_DATA_DIR="$out" \
  "$BIN_DIR/lgsp-hub" --database-url "$db_url" --listen "127.0.0.1:$hub_port" serve \
  >"$out/hub-federation.log" 2>&1 &
pids+=($!)
hub="http://127.0.0.1:$hub_port"
for _ in $(seq 1 120); do curl -fsS "$hub/readyz" >/dev/null 2>&1 && break; sleep 0.5; done

ids="$(curl -fsS -H 'x-admin-key: dev-admin-key' "$mock/admin/samples" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["citizens"][:10]))')"
hub_token="$(LGSP_JWT_SECRET="$secret" "$BIN_DIR/lgsp-hub" token --subject bench --agency 000.00.00.H48 --scopes upstream:population:read)"
mock_token="$(curl -fsS -u lgsp-hub:dev-secret-population -d grant_type=client_credentials "$mock/population/oauth/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

cat >"$out/hub-citizen.lua" <<LUA
local ids = {}
for id in string.gmatch("$ids", "%S+") do table.insert(ids, id) end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $hub_token"
request = function()
  n = n + 1
  local body = '{"query":"query(\$p: String!) { citizen(personalId: \$p, purpose: {basis: PUBLIC_SERVICE, reference: \\\\"HS-1\\\\"}) { fullName birthDate permanentAddress } }","variables":{"p":"' .. ids[(n % #ids) + 1] .. '"}}'
  return wrk.format(nil, "/graphql", nil, body)
end
LUA
cat >"$out/direct-citizen.lua" <<LUA
local ids = {}
for id in string.gmatch("$ids", "%S+") do table.insert(ids, id) end
local n = 0
wrk.headers["Authorization"] = "Bearer $mock_token"
wrk.headers["X-Client-Agency"] = "000.00.00.H48"
wrk.headers["X-Purpose"] = "PUBLIC_SERVICE; ref=HS-1"
request = function()
  n = n + 1
  return wrk.format("GET", "/population/citizens/" .. ids[(n % #ids) + 1])
end
LUA

run() { # name url script
  wrk -t2 -c32 -d"${duration}s" --latency -s "$3" "$2" >"$out/wrk-$1.txt"
  python3 - "$out/wrk-$1.txt" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)" % label, text, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{sys.argv[2]} {rps:.0f} {ms('50'):.3f} {ms('99'):.3f} {errors.group(1) if errors else 0}")
PY
}
report() { # direct hub entries title
python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys
d = sys.argv[1].split(); h = sys.argv[2].split()
print(f"### {sys.argv[4]}")
print("| path | req/s | p50 ms | p99 ms | non-2xx |")
print("| --- | --- | --- | --- | --- |")
print(f"| mock directly | {d[1]} | {d[2]} | {d[3]} | {d[4]} |")
print(f"| through the hub | {h[1]} | {h[2]} | {h[3]} | {h[4]} |")
print(f"added p50: {float(h[2]) - float(d[2]):.3f} ms, added p99: {float(h[3]) - float(d[3]):.3f} ms, "
      f"throughput ratio: {float(h[1]) / float(d[1]) * 100:.1f} %, access-log entries so far: {sys.argv[3]}")
PY
}
entries() {
  curl -fsS -H "authorization: Bearer $(LGSP_JWT_SECRET="$secret" "$BIN_DIR/lgsp-hub" token --subject bench --agency 000.00.00.H48 --scopes audit:read)" \
    -H 'content-type: application/json' -d '{"query":"{ accessLog(first: 1) { totalCount } }"}' "$hub/graphql" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["accessLog"]["totalCount"])'
}
# 1. The worst case for the hub: the mock answers from memory, so the hub's own work is most of the cost.
direct="$(run direct "$mock" "$out/direct-citizen.lua")"
via_hub="$(run hub "$hub" "$out/hub-citizen.lua")"
report "$direct" "$via_hub" "$(entries)" "Mock answering at once"
# 2. A national database that takes 20 ms per lookup (the mock's latency knob), same load: what the hub adds then.
curl -fsS -X PUT -H 'x-admin-key: dev-admin-key' -H 'content-type: application/json' -d '{"latencyMs":20}' \
  "$mock/admin/knobs/population" >/dev/null
direct="$(run direct-20ms "$mock" "$out/direct-citizen.lua")"
via_hub="$(run hub-20ms "$hub" "$out/hub-citizen.lua")"
report "$direct" "$via_hub" "$(entries)" "Mock taking 20 ms per lookup"
