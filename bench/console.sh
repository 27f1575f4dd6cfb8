#!/usr/bin/env bash
# The console's pages: render time and size on the seeded catalog (SQLite), against a release build. The public
# catalog pages anonymously, then each role's signed-in pages as its demo user: with zero set-up, `serve` signs in
# through its built-in mock OpenID Connect provider, which bench/console.py walks through as a browser would.
# Usage: bash bench/console.sh [ROUNDS]   (BIN=path/to/lgsp-hub to skip the build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-50}"
out="$root/bench/out/console"
mkdir -p "$out"
bin="${BIN:-}"
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release --bin lgsp-hub)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/lgsp-hub"
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
rm -f "$out/console.sqlite"*
LGSP_DATA_DIR="$out" LGSP_LOG=warn "$bin" --database-url "sqlite://$out/console.sqlite?mode=rwc" \
  --listen "127.0.0.1:$port" serve >"$out/hub.log" 2>&1 &
hub_pid=$!
trap 'kill $hub_pid 2>/dev/null || true; wait $hub_pid 2>/dev/null || true' EXIT
up=""
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { up=1; break; }
  sleep 0.5
done
if [ -z "$up" ]; then
  echo "the hub did not answer /healthz within 60 s; its log: $out/hub.log" >&2
  exit 1
fi
python3 "$root/bench/console.py" "http://127.0.0.1:$port" "$rounds" | tee "$out/pages.txt"
