# Shared by the federation benchmarks (bench/federation.sh, bench/hop.sh): sourced, not run.
#   free_port                 prints a free TCP port on 127.0.0.1
#   wait_for URL TRIES        waits until URL answers 2xx (every 0.5 s), or fails saying which
#   pids+=(PID)               processes killed when the script exits
#   start_mock OUT BIN_DIR    starts mock-upstreams with tokens valid for the whole run; sets mock_port and mock
#   BENCH_SECRET, BENCH_ACCESS_LOG_KEY   the hubs' token secret and access-log key
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # url tries
  for _ in $(seq 1 "$2"); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "not up: $1" >&2; return 1
}
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
BENCH_SECRET="bench-secret-of-at-least-thirty-two-bytes"
BENCH_ACCESS_LOG_KEY="bench-access-log-key-of-32-bytes-or-more"
start_mock() { # out bin-dir
  mock_port="$(free_port)"
  "$2/mock-upstreams" --listen "127.0.0.1:$mock_port" --token-ttl-secs 86400 >"$1/mock.log" 2>&1 &
  pids+=($!)
  mock="http://127.0.0.1:$mock_port"
  wait_for "$mock/population/openapi.json" 60
}
