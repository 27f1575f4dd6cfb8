#!/usr/bin/env bash
# Starts lgsp-hub with its zero set-up (built-in mock national databases and mock OpenID provider) and walks the
# console in Debian's headless chromium (tests/browser/console.mjs). SQLite by default; a PostgreSQL URL as the second
# argument uses that (empty) database.
# Usage: bash tests/browser/run.sh [path/to/lgsp-hub] [database-url]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/lgsp-hub}"
[ -x "$bin" ] || { echo "ERROR: no hub binary at $bin (run cargo build first)" >&2; exit 1; }
command -v node >/dev/null || { echo "ERROR: node is required" >&2; exit 1; }
command -v "${CHROMIUM:-chromium}" >/dev/null || { echo "ERROR: chromium is required (apt-get install chromium)" >&2; exit 1; }

if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
fi

tmp="$(mktemp -d)"
database="${2:-sqlite://$tmp/hub.sqlite?mode=rwc}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LGSP_DATABASE_URL="$database" LGSP_DATA_DIR="$tmp" LGSP_LOG=warn "$bin" --listen "127.0.0.1:$port" serve \
  >"$tmp/hub.log" 2>&1 &
hub=$!
trap 'kill "$hub" 2>/dev/null || true; wait "$hub" 2>/dev/null || true; rm -rf "$tmp"' EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$hub" 2>/dev/null || { echo "ERROR: the hub exited before it was ready" >&2; cat "$tmp/hub.log" >&2; exit 1; }
  sleep 1
done

CHROMIUM="$(command -v "${CHROMIUM:-chromium}")" node "$here/console.mjs" "http://127.0.0.1:$port" || {
  echo "--- hub log ---" >&2
  tail -n 50 "$tmp/hub.log" >&2
  exit 1
}
