#!/usr/bin/env bash
# The topology of docker/compose.yaml without Docker: the mock national databases (population in a process of its own,
# so that a fault run can kill one national database alone), two hub processes on two ports over
# one PostgreSQL database (writes reach the other replica's subscriptions and caches through NOTIFY) and one Redis
# (shared rate limits), and a round-robin load balancer in front (scripts/rrproxy.py). Loopback only.
#
#   scripts/replicas.sh up [DIR]     start everything; DIR (default: a new temp dir) holds logs, pids and `env`
#   scripts/replicas.sh down DIR     stop what `up` started in DIR
#   scripts/replicas.sh status DIR   what runs, and each replica's /readyz
#   scripts/replicas.sh start DIR NAME   (re)start one of mocks, mocks-population, hub-a, hub-b, lb (after a fault)
#
# `up` prints `source DIR/env` last: LB_URL, HUB_A_URL, HUB_B_URL, MOCKS_URL, the shared keys, and LGSP_* enough for
# `lgsp-hub token` to mint tokens the replicas accept. Settings (environment):
#   LGSP_DATABASE_URL   PostgreSQL database, created when missing [postgres://postgres@127.0.0.1:5432/lgsp_replicas]
#   LGSP_REDIS_URL      Redis of the shared rate limits [redis://127.0.0.1:6379]
#   REPLICAS_PORT       the load balancer's port; the replicas take the next two, the mocks +20 and +21 [18080]
#   REPLICAS_BIN        directory of the lgsp-hub and mock-upstreams binaries [target/debug]
#   REPLICAS_CITIZENS   synthetic citizens of the mocks [20000]
#   REPLICAS_AGENCY_PER_MINUTE  each agency's rate limit, shared by both replicas [6000]
# Any other LGSP_* variable set reaches both replicas (e.g. LGSP_LOG_FORMAT=json, LGSP_OTLP_ENDPOINT).
# Used by bench/faults.sh; the README's "Operations" describes it.
set -euo pipefail
cd "$(dirname "$0")/.."

command=${1:-}
dir=${2:-}
db_url=${LGSP_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lgsp_replicas}
redis_url=${LGSP_REDIS_URL:-redis://127.0.0.1:6379}
port=${REPLICAS_PORT:-18080}
bin=${REPLICAS_BIN:-target/debug}
citizens=${REPLICAS_CITIZENS:-20000}
agency_per_minute=${REPLICAS_AGENCY_PER_MINUTE:-6000}

die() {
  echo "replicas.sh: $*" >&2
  exit 1
}

# Waits until URL answers 200, at most $2 seconds.
wait_ready() {
  local url=$1 patience=$2
  for _ in $(seq 1 $((patience * 10))); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Starts a process in the background with its log in DIR/NAME.log and its pid in DIR/NAME.pid.
launch() {
  local name=$1
  shift
  "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

# The database, created when it does not exist yet (PostgreSQL only).
ensure_database() {
  case "$db_url" in
  postgres*) ;;
  *) die "LGSP_DATABASE_URL must be PostgreSQL: the replicas share it and its notifications" ;;
  esac
  if psql "$db_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then return 0; fi
  local name=${db_url##*/}
  name=${name%%\?*}
  psql "${db_url%/*}/postgres" -qc "CREATE DATABASE \"$name\"" >/dev/null ||
    die "cannot reach or create the database $name"
}

# Starts process NAME of the topology (its settings from DIR/env) and waits until it serves.
start_one() {
  local name=$1 at url
  case "$name" in
  mocks | mocks-population)
    at=$MOCKS_PORT
    [ "$name" = mocks-population ] && at=$POPULATION_PORT
    : >"$dir/$name.log"
    launch "$name" "$bin/mock-upstreams" --listen "127.0.0.1:$at" --citizens "$citizens"
    # The mocks say `listening on ADDR` once their data is generated.
    for _ in $(seq 1 600); do
      if grep -q '^listening on' "$dir/$name.log" 2>/dev/null; then return 0; fi
      sleep 0.1
    done
    die "$name did not start; see $dir/$name.log"
    ;;
  hub-a | hub-b)
    at=$HUB_A_PORT url=$HUB_A_URL
    if [ "$name" = hub-b ]; then at=$HUB_B_PORT url=$HUB_B_URL; fi
    launch "$name" "$bin/lgsp-hub" --listen "127.0.0.1:$at" serve
    wait_ready "$url/readyz" 120 || die "$name is not ready; see $dir/$name.log"
    ;;
  lb)
    launch lb python3 scripts/rrproxy.py "127.0.0.1:$LB_PORT" "127.0.0.1:$HUB_A_PORT" "127.0.0.1:$HUB_B_PORT"
    wait_ready "$LB_URL/healthz" 10 || die "the load balancer does not answer; see $dir/lb.log"
    ;;
  *) die "unknown process $name (mocks, mocks-population, hub-a, hub-b, lb)" ;;
  esac
}

up() {
  [ -x "$bin/lgsp-hub" ] && [ -x "$bin/mock-upstreams" ] ||
    die "no $bin/lgsp-hub and $bin/mock-upstreams: run \`cargo build --bins\` first (or set REPLICAS_BIN)"
  if [ -z "$dir" ]; then dir=$(mktemp -d -t lgsp-replicas.XXXXXX); fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  ensure_database
  local lb=$port
  # Production mode: every secret named, the mocks' development client secrets included.
  {
    echo "production = true"
    echo "upstreams_url = \"http://127.0.0.1:$((lb + 20))\""
    echo "rate_limit_agency_per_minute = $agency_per_minute"
    for service in population business insurance land civil-status judicial; do
      printf '\n[upstream.%s]\nclient_secret = "dev-secret-%s"\n' "$service" "$service"
      if [ "$service" = population ]; then
        printf 'base_url = "http://127.0.0.1:%s/population"\n' $((lb + 21))
      fi
    done
  } >"$dir/hub.toml"
  cat >"$dir/env" <<EOF
export LB_PORT=$lb HUB_A_PORT=$((lb + 1)) HUB_B_PORT=$((lb + 2)) MOCKS_PORT=$((lb + 20)) POPULATION_PORT=$((lb + 21))
export LB_URL=http://127.0.0.1:$lb
export HUB_A_URL=http://127.0.0.1:$((lb + 1))
export HUB_B_URL=http://127.0.0.1:$((lb + 2))
export MOCKS_URL=http://127.0.0.1:$((lb + 20))
export POPULATION_URL=http://127.0.0.1:$((lb + 21))
export REPLICAS_DIR=$dir
export LGSP_CONFIG=$dir/hub.toml
export LGSP_DATABASE_URL='$db_url'
export LGSP_REDIS_URL='$redis_url'
export LGSP_REDIS_KEY_PREFIX=lgsp:replicas:$lb
export LGSP_JWT_SECRET=replicas-jwt-secret-of-at-least-32-bytes
export LGSP_ACCESS_LOG_KEY=replicas-access-log-key-of-at-least-32-bytes
export LGSP_CURSOR_KEY=replicas-cursor-key-of-at-least-32-bytes!
export LGSP_DATA_DIR=$dir
EOF
  # shellcheck disable=SC1091
  source "$dir/env"
  start_one mocks
  start_one mocks-population
  # One after the other: the first migrates and seeds an empty database, the second finds it done.
  start_one hub-a
  start_one hub-b
  start_one lb
  echo "replicas up: load balancer $LB_URL, replicas $HUB_A_URL $HUB_B_URL, mocks $MOCKS_URL (population $POPULATION_URL)"
  echo "source $dir/env"
}

down() {
  [ -n "$dir" ] && [ -d "$dir" ] || die "usage: replicas.sh down DIR"
  local name pid
  for name in lb hub-b hub-a mocks-population mocks; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for name in lb hub-b hub-a mocks-population mocks; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/$name.pid"
  done
  echo "replicas down ($dir)"
}

status() {
  [ -n "$dir" ] && [ -f "$dir/env" ] || die "usage: replicas.sh status DIR"
  # shellcheck disable=SC1091
  source "$dir/env"
  local name
  for name in mocks mocks-population hub-a hub-b lb; do
    if [ -f "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
      echo "$name: running (pid $(cat "$dir/$name.pid"))"
    else
      echo "$name: stopped"
    fi
  done
  echo "replica A /readyz: $(curl -s -o /dev/null -w '%{http_code}' "$HUB_A_URL/readyz")"
  echo "replica B /readyz: $(curl -s -o /dev/null -w '%{http_code}' "$HUB_B_URL/readyz")"
}

case "$command" in
up) up ;;
start)
  [ -n "$dir" ] && [ -f "$dir/env" ] && [ -n "${3:-}" ] || die "usage: replicas.sh start DIR NAME"
  # shellcheck disable=SC1091
  source "$dir/env"
  start_one "$3"
  ;;
down) down ;;
status) status ;;
*)
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
