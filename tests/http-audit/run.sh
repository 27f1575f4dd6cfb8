#!/usr/bin/env bash
# Starts lgsp-hub on a temporary SQLite database and runs the graphql-http conformance audit against it.
# Usage: bash tests/http-audit/run.sh [path/to/lgsp-hub]   (default: target/debug/lgsp-hub)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/lgsp-hub}"
[ -x "$bin" ] || { echo "ERROR: no hub binary at $bin (run cargo build first)" >&2; exit 1; }
command -v node >/dev/null || { echo "ERROR: node is required" >&2; exit 1; }

if [ ! -d "$here/node_modules/graphql-http" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
fi

tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LGSP_DATABASE_URL="sqlite://$tmp/hub.sqlite?mode=rwc" LGSP_DATA_DIR="$tmp" LGSP_LOG=warn "$bin" --listen "127.0.0.1:$port" serve &
hub=$!
trap 'kill "$hub" 2>/dev/null || true; wait "$hub" 2>/dev/null || true; rm -rf "$tmp"' EXIT

for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$hub" 2>/dev/null || { echo "ERROR: the hub exited before it was ready" >&2; exit 1; }
  sleep 1
done

node "$here/audit.mjs" "http://127.0.0.1:$port/graphql"
