#!/usr/bin/env bash
# Federation overhead, and the peer a province would otherwise deploy: a citizen lookup
#   - straight to the mock population service (the floor: what the national database itself costs),
#   - through the hub on SQLite and through the hub on PostgreSQL (GraphQL, token and grant checks, purpose, the
#     upstream call over reqwest with the caller's headers, the access-log entry committed before the answer, masking),
#   - through Hive Gateway 2.15 serving a supergraph that @graphql-mesh/compose-cli composed from the mock's own OpenAPI
#     (static token header, no auth, no log: less work than the hub does),
# with the same load generator (wrk, same threads, connections and duration), the paths run one after the other in
# each round (direct, hub SQLite, hub PostgreSQL, Hive), in two scenarios: the mock answering at once (the hub's and
# the peer's own costs dominate) and the mock taking 20 ms per lookup (closer to a national database over NDXP).
#
#   bash bench/federation.sh        one command, every figure: req/s, p50, p99 per path (median of the rounds), the
#                                   added p50/p99 and throughput ratio against direct, the hub/Hive ratios, and where
#                                   the hub's added time goes (from its /metrics: request, upstream call, access-log wait)
#
# Environment:
#   LGSP_BENCH_SECONDS (10)   per run          LGSP_BENCH_ROUNDS (3)    rounds; medians are reported
#   LGSP_BENCH_THREADS (2)    wrk threads      LGSP_BENCH_CONNECTIONS (32)
#   BIN_DIR=/path/to/target/release (default: cargo build --release here)
#   LGSP_BENCH_PG=postgres://postgres@127.0.0.1:5432 (admin URL; database lgsp_fed_bench is recreated; empty: skip)
#   HIVE_FORK (1)             Hive Gateway workers (its default)
# Needs: python3, curl, wrk (apt-get installs it), node >= 20 with npm (first run: npm ci in bench/hive), psql for
# PostgreSQL. Raw wrk output and logs go to bench/out/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/bench/out}"
mkdir -p "$out"
duration="${LGSP_BENCH_SECONDS:-10}"
rounds="${LGSP_BENCH_ROUNDS:-3}"
threads="${LGSP_BENCH_THREADS:-2}"
connections="${LGSP_BENCH_CONNECTIONS:-32}"
pg_admin="${LGSP_BENCH_PG-postgres://postgres@127.0.0.1:5432}"
if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if [ -z "${BIN_DIR:-}" ]; then
  (cd "$root" && cargo build --release --bin lgsp-hub --bin mock-upstreams)
  BIN_DIR="${CARGO_TARGET_DIR:-$root/target}/release"
fi
hive_dir="$root/bench/hive"
if [ ! -x "$hive_dir/node_modules/.bin/hive-gateway" ] || [ ! -x "$hive_dir/node_modules/.bin/mesh-compose" ]; then
  (cd "$hive_dir" && npm ci --no-audit --no-fund --silent)
fi
# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

# The mock, with tokens valid for the whole benchmark: the direct run and Hive Gateway send one static token.
start_mock "$out" "$BIN_DIR"
secret="$BENCH_SECRET"
start_hub() { # name database-url -> prints the base URL
  local port dir
  port="$(free_port)"
  dir="$out/hub-$1"
  rm -rf "$dir" && mkdir -p "$dir"
  LGSP_JWT_SECRET="$secret" LGSP_ACCESS_LOG_KEY="$BENCH_ACCESS_LOG_KEY" LGSP_LOG=warn \
    LGSP_UPSTREAMS_URL="$mock" LGSP_DATA_DIR="$dir" \
    "$BIN_DIR/lgsp-hub" --database-url "$2" --listen "127.0.0.1:$port" serve >"$out/hub-$1.log" 2>&1 &
  # Called in $(...), a subshell: the pid goes through a file, or the EXIT trap would leave the hub running.
  echo $! >"$out/hub-$1.pid"
  echo "http://127.0.0.1:$port"
}
hubs=(sqlite)
hub_sqlite="$(start_hub sqlite "sqlite://$out/hub-sqlite/federation.sqlite?mode=rwc")"
if [ -n "$pg_admin" ]; then
  psql "$pg_admin/postgres" -qc 'DROP DATABASE IF EXISTS lgsp_fed_bench WITH (FORCE)' -c 'CREATE DATABASE lgsp_fed_bench' >/dev/null
  hub_postgres="$(start_hub postgres "$pg_admin/lgsp_fed_bench")"
  hubs+=(postgres)
fi
for h in "${hubs[@]}"; do pids+=("$(cat "$out/hub-$h.pid")"); done
for h in "${hubs[@]}"; do url="hub_$h"; wait_for "${!url}/readyz" 240; done

ids="$(curl -fsS -H 'x-admin-key: dev-admin-key' "$mock/admin/samples" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["citizens"][:10]))')"
hub_token="$(LGSP_JWT_SECRET="$secret" "$BIN_DIR/lgsp-hub" token --subject bench --agency 000.00.00.H48 --scopes upstream:population:read)"
mock_token="$(curl -fsS -u lgsp-hub:dev-secret-population -d grant_type=client_credentials "$mock/population/oauth/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

# Hive Gateway: the supergraph composed from the mock's OpenAPI (bench/hive/mesh.config.ts), then the gateway.
(cd "$hive_dir" && MOCK_URL="$mock" MOCK_TOKEN="$mock_token" node_modules/.bin/mesh-compose -o "$out/supergraph.graphql" \
  >"$out/mesh-compose.log" 2>&1)
hive_port="$(free_port)"
(cd "$hive_dir" && LOG_LEVEL=error exec node_modules/.bin/hive-gateway --fork "${HIVE_FORK:-1}" supergraph \
  "$out/supergraph.graphql" --host 127.0.0.1 --port "$hive_port" --disable-websockets >"$out/hive.log" 2>&1) &
pids+=($!)
hive="http://127.0.0.1:$hive_port"
wait_for "$hive/healthcheck" 120

lua_ids="local ids = {}
for id in string.gmatch(\"$ids\", \"%S+\") do table.insert(ids, id) end
local n = 0"
cat >"$out/hub-citizen.lua" <<LUA
$lua_ids
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $hub_token"
request = function()
  n = n + 1
  local body = '{"query":"query(\$p: String!) { citizen(personalId: \$p, purpose: {basis: PUBLIC_SERVICE, reference: \\\\"HS-1\\\\"}) { fullName birthDate permanentAddress } }","variables":{"p":"' .. ids[(n % #ids) + 1] .. '"}}'
  return wrk.format(nil, "/graphql", nil, body)
end
LUA
cat >"$out/hive-citizen.lua" <<LUA
$lua_ids
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local body = '{"query":"query(\$p: queryInput_citizens_by_personalId_personalId!) { citizens_by_personalId(personalId: \$p) { ... on Citizen { fullName birthDate permanentAddress } } }","variables":{"p":"' .. ids[(n % #ids) + 1] .. '"}}'
  return wrk.format(nil, "/graphql", nil, body)
end
LUA
cat >"$out/direct-citizen.lua" <<LUA
$lua_ids
wrk.headers["Authorization"] = "Bearer $mock_token"
wrk.headers["X-Client-Agency"] = "000.00.00.H48"
wrk.headers["X-Purpose"] = "PUBLIC_SERVICE; ref=HS-1"
request = function()
  n = n + 1
  return wrk.format("GET", "/population/citizens/" .. ids[(n % #ids) + 1])
end
LUA
# Each path once by hand: a wrong answer must stop the benchmark, not be measured.
check() { # name url script-free curl args...
  local name="$1" url="$2"; shift 2
  curl -fsS "$@" "$url" | grep -q 'permanentAddress' || { echo "$name does not answer the lookup" >&2; exit 1; }
}
first="${ids%% *}"
check direct "$mock/population/citizens/$first" -H "authorization: Bearer $mock_token" -H 'x-client-agency: 000.00.00.H48'
for h in "${hubs[@]}"; do
  url="hub_$h"
  check "hub $h" "${!url}/graphql" -H "authorization: Bearer $hub_token" -H 'content-type: application/json' \
    -d "{\"query\":\"{ citizen(personalId: \\\"$first\\\", purpose: {basis: PUBLIC_SERVICE, reference: \\\"HS-1\\\"}) { fullName birthDate permanentAddress } }\"}"
done
check hive "$hive/graphql" -H 'content-type: application/json' \
  -d "{\"query\":\"{ citizens_by_personalId(personalId: \\\"$first\\\") { ... on Citizen { fullName birthDate permanentAddress } } }\"}"

paths=(direct)
for h in "${hubs[@]}"; do paths+=("hub-$h"); done
paths+=(hive)
url_of() { case "$1" in direct) echo "$mock" ;; hive) echo "$hive" ;; hub-*) local v="hub_${1#hub-}"; echo "${!v}" ;; esac; }
script_of() { case "$1" in direct) echo "$out/direct-citizen.lua" ;; hive) echo "$out/hive-citizen.lua" ;; *) echo "$out/hub-citizen.lua" ;; esac; }
metrics() { # path file: the hub's /metrics, to split its time afterwards
  case "$1" in hub-*) curl -fsS "$(url_of "$1")/metrics" >"$2" ;; *) : >"$2" ;; esac
}
run() { # scenario round path seconds
  local base="$out/$1-$3-r$2"
  metrics "$3" "$base.before"
  wrk -t"$threads" -c"$connections" -d"${4}s" --latency -s "$(script_of "$3")" "$(url_of "$3")" >"$base.wrk"
  metrics "$3" "$base.after"
}
scenario() { # name title
  # Warm-up (not counted): Node's JIT, the hub's caches and connection pools.
  for p in "${paths[@]}"; do wrk -t"$threads" -c"$connections" -d2s -s "$(script_of "$p")" "$(url_of "$p")" >/dev/null; done
  for r in $(seq 1 "$rounds"); do
    for p in "${paths[@]}"; do run "$1" "$r" "$p" "$duration"; done
  done
  python3 "$root/bench/federation_report.py" "$out" "$1" "$2" "$rounds" "${paths[@]}"
}

{
  echo "## Federation run $(date -u '+%Y-%m-%d %H:%M UTC'): wrk -t$threads -c$connections, ${duration} s per run, $rounds rounds" \
    "(medians), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  scenario at-once "Mock answering at once"
  curl -fsS -X PUT -H 'x-admin-key: dev-admin-key' -H 'content-type: application/json' -d '{"latencyMs":20}' \
    "$mock/admin/knobs/population" >/dev/null
  scenario 20ms "Mock taking 20 ms per lookup"
  for h in "${hubs[@]}"; do
    url="hub_$h"
    audit="$(LGSP_JWT_SECRET="$secret" "$BIN_DIR/lgsp-hub" token --subject bench --agency 000.00.00.H48 --scopes audit:read)"
    n="$(curl -fsS -H "authorization: Bearer $audit" -H 'content-type: application/json' \
      -d '{"query":"{ accessLog(first: 1) { totalCount } }"}' "${!url}/graphql" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["accessLog"]["totalCount"])')"
    echo "Access-log entries written by the hub on $h: $n."
  done
} | tee "$out/federation-summary.md"
