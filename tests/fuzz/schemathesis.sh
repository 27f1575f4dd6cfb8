#!/usr/bin/env bash
# Fuzzes the hub's GraphQL API with schemathesis (GraphQL mode) on a fresh PostgreSQL database, for a bounded time.
#
# Fails on: an HTTP 5xx, a GraphQL error with `extensions.code == "INTERNAL_SERVER_ERROR"`, a GraphQL error without
# `extensions.code` (the custom check in tests/fuzz/hooks.py), anything else schemathesis's remaining checks flag,
# and any line the hub logged at ERROR level during the run. Coded domain errors (NOT_FOUND, BAD_USER_INPUT, ...) are
# correct answers to random input and are not counted.
#
# Usage: bash tests/fuzz/schemathesis.sh [path/to/lgsp-hub]
#   LGSP_FUZZ_SECONDS        time budget of the run [120]
#   LGSP_FUZZ_SEED           schemathesis seed [random; printed so a failure can be replayed]
#   LGSP_FUZZ_OUT            where reports, the hub's log and failing examples go [target/fuzz]
#   LGSP_TEST_DATABASE_URL   PostgreSQL admin URL; a fresh database is made beside it
#                            [postgres://postgres@127.0.0.1:5432/test]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

SCHEMATHESIS_VERSION="4.32.5"
seconds="${LGSP_FUZZ_SECONDS:-120}"
seed="${LGSP_FUZZ_SEED:-$(python3 -c 'import random; print(random.randrange(2**31))')}"
out="${LGSP_FUZZ_OUT:-$root/target/fuzz}"
admin_url="${LGSP_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

# The hub binary: the one given, else the newer of the debug and release builds (CI builds debug).
bin="${1:-}"
if [ -z "$bin" ]; then
  bin="$root/target/debug/lgsp-hub"
  release="$root/target/release/lgsp-hub"
  if [ -x "$release" ] && { [ ! -x "$bin" ] || [ "$release" -nt "$bin" ]; }; then bin="$release"; fi
fi
[ -x "$bin" ] || { echo "ERROR: no hub binary at $bin (run cargo build first)" >&2; exit 1; }
command -v psql >/dev/null || { echo "ERROR: psql is required to create the fuzz database" >&2; exit 1; }

installed="$(python3 -c 'import schemathesis; print(schemathesis.__version__)' 2>/dev/null || true)"
if [ "$installed" != "$SCHEMATHESIS_VERSION" ]; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION (found: ${installed:-none})"
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# Every scope the hub knows (src/auth/guard.rs `scope`, and `upstream:<name>:*` for each of src/upstream SERVICES).
scopes="catalog:read systems:write systems:approve audit:read registry:admin"
for service in population business insurance land civil-status judicial; do
  scopes="$scopes upstream:$service:read upstream:$service:identifiers"
done

tmp="$(mktemp -d)"
db="lgsp_fuzz_$$"
db_url="${admin_url%/*}/$db"
hub=""
cleanup() {
  if [ -n "$hub" ]; then
    kill "$hub" 2>/dev/null || true
    wait "$hub" 2>/dev/null || true
  fi
  psql "$admin_url" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

psql "$admin_url" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
rm -rf "$out"
mkdir -p "$out"
log="$out/hub.log"

# A development-mode hub (its built-in mock national databases answer the federation fields) with fixed secrets, no
# rate limits, introspection on; plain log lines so they can be searched.
export LGSP_DATABASE_URL="$db_url" LGSP_DATA_DIR="$tmp" LGSP_LOG=info NO_COLOR=1 PYTHONDONTWRITEBYTECODE=1
# The run is about answers, not load: heavy queries are not shed (a shed one is a coded 503 by design, which the
# check below would count as a server error), and refusals are answered at once, for more examples in the time.
export LGSP_MAX_CONCURRENT_HEAVY_QUERIES=64 LGSP_HEAVY_COST_PER_SECOND=0 LGSP_REFUSAL_PAUSE_MS=0
export LGSP_JWT_SECRET="fuzz-secret-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export LGSP_ACCESS_LOG_KEY="fuzz-access-log-key-of-at-least-32-bytes"
export LGSP_CURSOR_KEY="fuzz-cursor-key-of-at-least-thirty-two-bytes"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin" --listen "127.0.0.1:$port" serve >"$log" 2>&1 &
hub=$!

ready=""
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$hub" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "ERROR: the hub did not become ready; its log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi

token="$("$bin" token --subject fuzz --agency 000.00.00.H48 --scopes "$scopes")"

# Dictionaries of identifiers that exist (seeded catalog, the built-in mocks' citizens), so cases reach past the parsers.
mock_url="$(sed -n 's/.*serving the built-in mocks.* url=\(http[^ ]*\).*/\1/p' "$log" | head -n 1)"
python3 "$here/dictionary.py" "http://127.0.0.1:$port/graphql" "$token" "$mock_url" "$out/schemathesis.toml"

echo "fuzzing http://127.0.0.1:$port/graphql for ${seconds}s (schemathesis $SCHEMATHESIS_VERSION, seed $seed)"
status=0
# Run from $out: schemathesis keeps a cache directory (.schemathesis/) in its working directory.
(cd "$out" && SCHEMATHESIS_HOOKS="$here/hooks.py" exec schemathesis --config-file "$out/schemathesis.toml" run "http://127.0.0.1:$port/graphql" \
  --header "Authorization: Bearer $token" \
  --max-time "$seconds" \
  --seed "$seed" \
  --workers 2 \
  --exclude-checks not_a_server_error,positive_data_acceptance \
  --report junit,ndjson \
  --report-junit-path "$out/junit.xml" \
  --report-ndjson-path "$out/events.ndjson" \
  --output-truncate false \
  --no-color >"$out/schemathesis.txt" 2>&1) || status=$?

kill "$hub" 2>/dev/null || true
wait "$hub" 2>/dev/null || true
hub=""

# Schemathesis's own summary (or, when it stopped early, the end of its output); the whole of it is in $out.
if grep -q '= SUMMARY =' "$out/schemathesis.txt"; then
  sed -n '/= SUMMARY =/,$p' "$out/schemathesis.txt"
else
  tail -n 40 "$out/schemathesis.txt"
fi

python3 "$here/summary.py" "$out/events.ndjson" "$out/failures.txt" || true

# An internal error is logged with an incident number at ERROR level (src/error.rs); any ERROR line is a finding.
errors="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\S+\s+ERROR\b' || true)"
if [ -n "$errors" ]; then
  echo "FAIL: the hub logged $(printf '%s\n' "$errors" | wc -l) line(s) at ERROR level (full log: $log):"
  printf '%s\n' "$errors" | head -n 20
  status=1
fi

if [ "$status" -ne 0 ]; then
  echo "FAIL: schemathesis found failures (seed $seed; reports and the hub's log in $out)"
  exit 1
fi
echo "fuzz: no failures in ${seconds}s (seed $seed)"
