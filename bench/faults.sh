#!/usr/bin/env bash
# Fault runs against the two-replica topology of scripts/replicas.sh (loopback only, bounded in time: about two
# minutes in all), on a PRIVATE PostgreSQL cluster and a PRIVATE Redis started here (never the shared 5432 and 6379):
#
#   postgres   PostgreSQL stopped as by a crash (pg_ctl -m immediate) under a write load, started again 3 s later
#   upstream   the population mock process killed (SIGKILL) under a lookup load, started again 3 s later
#   sigterm    replica A sent SIGTERM under a lookup load (through the load balancer), then started again
#   kill9      replica B killed (SIGKILL) during 1,000 concurrent personal-data lookups, then started again
#   redis      Redis killed under a load with shared rate limits on, started again 3 s later
#
#   bash bench/faults.sh [SCENARIO...]        all five by default
#
# Prints one JSON summary per scenario (requests and failures by code, per phase: before / during / after) and the
# checks (acknowledged writes all stored; access-log entries for every lookup that returned data; `audit verify`).
# Environment: BIN_DIR (default target/debug; it must hold lgsp-hub and mock-upstreams), OUT (default bench/out/faults).
# The integration tests (tests/api/faults/, tests/api/lifecycle.rs) run the same faults smaller, in CI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${BIN_DIR:-$root/target/debug}"
out="${OUT:-$root/bench/out/faults}"
rm -rf "$out"
mkdir -p "$out"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(postgres upstream sigterm kill9 redis)
load="python3 $root/bench/faultload.py"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# A base port whose +0, +1, +2, +20 and +21 (the topology of replicas.sh) are all free.
free_base() {
  python3 -c '
import random, socket
for _ in range(200):
    base = random.randrange(30000, 59000)
    try:
        for off in (0, 1, 2, 20, 21):
            s = socket.socket()
            s.bind(("127.0.0.1", base + off))
            s.close()
    except OSError:
        continue
    print(base)
    break
'
}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
note() { printf '\n== %s\n' "$*"; }

# --- a private PostgreSQL and Redis ---------------------------------------------------------------------------------
pg_dir="$out/pg"
pg_port=$(free_port)
redis_port=$(free_port)
mkdir -p "$pg_dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_dir"
as_postgres initdb -D "$pg_dir/data" -A trust -U postgres --no-sync >"$out/initdb.log"
pg_start() {
  as_postgres pg_ctl -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}
pg_stop() { as_postgres pg_ctl -D "$pg_dir/data" -m "$1" -w stop >/dev/null; }
redis_start() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$out/redis.pid" --logfile "$out/redis.log"
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
redis_kill() { kill -9 "$(cat "$out/redis.pid")" 2>/dev/null || true; rm -f "$out/redis.pid"; }
cleanup() {
  bash scripts/replicas.sh down "$out/replicas" >/dev/null 2>&1 || true
  redis_kill
  pg_stop immediate 2>/dev/null || true
}
trap cleanup EXIT
pg_start
psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -qc "CREATE DATABASE lgsp"
redis_start

# --- the topology -----------------------------------------------------------------------------------------------------
LGSP_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/lgsp" LGSP_REDIS_URL="redis://127.0.0.1:$redis_port" \
  REPLICAS_PORT=$(free_base) REPLICAS_BIN="$bin" REPLICAS_AGENCY_PER_MINUTE=1000000 \
  LGSP_DB_ACQUIRE_TIMEOUT_MS=1000 LGSP_DRAIN_TIMEOUT_MS=10000 LGSP_HEALTH_INTERVAL_MS=0 \
  bash scripts/replicas.sh up "$out/replicas" | tail -n 2
# shellcheck disable=SC1091
source "$out/replicas/env"
token() { "$bin/lgsp-hub" token --subject faults --agency 000.00.00.H48 --scopes "$1"; }
readers=$(token "upstream:population:read upstream:business:read catalog:read")
writer=$(token "systems:write")
samples=$(curl -fsS -H 'x-admin-key: dev-admin-key' "$MOCKS_URL/admin/samples")
ids=$(python3 -c 'import json,sys; print(",".join(json.loads(sys.argv[1])["citizens"][:50]))' "$samples")
enterprise=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["enterpriseCodes"][0])' "$samples")
psql_lgsp() { psql "$LGSP_DATABASE_URL" -Atqc "$1"; }
readyz() { curl -s -o /dev/null -w '%{http_code}' "$1/readyz"; }
summary() { $load summary "$1" --at "$2"; }

scenario_postgres() {
  note "postgres: crash (immediate stop) under 8 writers, back after 3 s"
  $load register "$LB_URL/graphql" --token "$writer" --threads 8 --seconds 12 --out "$out/postgres.jsonl" &
  local pid=$!
  sleep 3
  pg_stop immediate
  local down_at=3
  # Readiness is checked every second in the background: both replicas say 503 within about that.
  local t0=$SECONDS
  until [ "$(readyz "$HUB_A_URL")" = 503 ] && [ "$(readyz "$HUB_B_URL")" = 503 ]; do
    sleep 0.1
    [ $((SECONDS - t0)) -lt 3 ] || break
  done
  echo "readyz while down: A $(readyz "$HUB_A_URL"), B $(readyz "$HUB_B_URL")"
  sleep $((3 - (SECONDS - t0) > 0 ? 3 - (SECONDS - t0) : 0))
  pg_start
  local up_at=6
  t0=$SECONDS
  until [ "$(readyz "$HUB_A_URL")" = 200 ] && [ "$(readyz "$HUB_B_URL")" = 200 ]; do
    sleep 0.1
    [ $((SECONDS - t0)) -lt 60 ] || break
  done
  echo "readyz back after the restart: A $(readyz "$HUB_A_URL"), B $(readyz "$HUB_B_URL") within $((SECONDS - t0)) s"
  wait $pid
  summary "$out/postgres.jsonl" "$down_at,$up_at"
  python3 - "$out/postgres.jsonl" >"$out/postgres.names" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["ok"]:
        print(r["name"])
EOF
  local acked stored
  acked=$(wc -l <"$out/postgres.names")
  stored=$({
    echo "CREATE TEMP TABLE acked(name text);"
    echo "COPY acked FROM STDIN;"
    cat "$out/postgres.names"
    echo '\.'
    echo "SELECT count(*) FROM acked a WHERE EXISTS (SELECT 1 FROM information_systems s WHERE s.name = a.name);"
  } | psql -Atq "$LGSP_DATABASE_URL")
  echo "{\"acknowledged_writes\": $acked, \"stored\": $stored}"
  [ "$acked" = "$stored" ] || { echo "FAILED: acknowledged writes were lost" >&2; return 1; }
}

scenario_upstream() {
  note "upstream: the population process killed under 8 clients (citizen + enterprise), back after 3 s"
  # 20 s: the circuit's default cooldown is 10 s, so its trial comes about 13 s in.
  $load mixed "$LB_URL/graphql" --token "$readers" --ids "$ids" --enterprise "$enterprise" --threads 8 --seconds 20 \
    --out "$out/upstream.jsonl" &
  local pid=$!
  sleep 3
  kill -9 "$(cat "$REPLICAS_DIR/mocks-population.pid")"
  sleep 3
  bash scripts/replicas.sh start "$REPLICAS_DIR" mocks-population
  wait $pid
  summary "$out/upstream.jsonl" "3,6,14"
  python3 - "$out/upstream.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
after = [r for r in rows if r["t0"] >= 14]
print(json.dumps({"enterprise_answered": sum(r["ok"] for r in rows), "of": len(rows),
                  "citizen_failed_while_down": sum(not r.get("citizen") for r in rows if 3 <= r["t0"] < 6),
                  "citizen_answered_from_14s": sum(bool(r.get("citizen")) for r in after), "of_from_14s": len(after)}))
if not all(r["ok"] for r in rows):
    sys.exit("FAILED: the healthy upstream did not answer every request")
EOF
}

scenario_sigterm() {
  note "sigterm: replica A stopped (SIGTERM) under 8 lookup clients through the load balancer, then started again"
  $load lookup "$LB_URL/graphql" --token "$readers" --ids "$ids" --threads 8 --seconds 10 --out "$out/sigterm.jsonl" &
  local pid=$! a t0
  sleep 3
  a=$(cat "$REPLICAS_DIR/hub-a.pid")
  t0=$(date +%s.%N)
  kill -TERM "$a"
  while kill -0 "$a" 2>/dev/null; do sleep 0.05; done
  echo "{\"replica_a_exit_after_sigterm_s\": $(echo "$(date +%s.%N) - $t0" | bc)}"
  bash scripts/replicas.sh start "$REPLICAS_DIR" hub-a
  wait $pid
  summary "$out/sigterm.jsonl" "3,6"
}

scenario_kill9() {
  note "kill9: replica B killed (SIGKILL) during 1,000 concurrent lookups, then started again"
  local before
  before=$(psql_lgsp "SELECT count(*) FROM access_log")
  $load lookup "$LB_URL/graphql" --token "$readers" --ids "$ids" --threads 200 --count 1000 \
    --out "$out/kill9.jsonl" &
  local pid=$!
  until [ -f "$out/kill9.jsonl" ] && [ "$(wc -l <"$out/kill9.jsonl")" -ge 100 ]; do sleep 0.02; done
  kill -9 "$(cat "$REPLICAS_DIR/hub-b.pid")"
  wait $pid
  bash scripts/replicas.sh start "$REPLICAS_DIR" hub-b
  summary "$out/kill9.jsonl" ""
  "$bin/lgsp-hub" audit verify
  python3 - "$out/kill9.jsonl" >"$out/kill9.rids" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["ok"]:
        print(r["rid"])
EOF
  local returned logged
  returned=$(wc -l <"$out/kill9.rids")
  logged=$(psql_lgsp "SELECT request_id FROM access_log WHERE request_id LIKE 'fault-%'" | sort -u |
    comm -12 - <(sort -u "$out/kill9.rids") | wc -l)
  echo "{\"returned_data\": $returned, \"with_access_log_entry\": $logged, \"entries_before\": $before}"
  [ "$returned" = "$logged" ] || { echo "FAILED: data returned without an access-log entry" >&2; return 1; }
}

scenario_redis() {
  note "redis: killed under 8 clients with shared rate limits on, back after 3 s"
  $load catalog "$LB_URL/graphql" --token "$readers" --threads 8 --seconds 10 --out "$out/redis.jsonl" &
  local pid=$!
  sleep 3
  redis_kill
  sleep 3
  redis_start
  wait $pid
  summary "$out/redis.jsonl" "3,6"
  curl -s "$HUB_A_URL/metrics" | grep -E '^lgsp_rate_limit_(redis_up|fallbacks_total)' || true
}

failed=0
for s in "${scenarios[@]}"; do
  "scenario_$s" || failed=1
done
exit $failed
