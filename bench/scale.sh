#!/usr/bin/env bash
# Seeding and search at scale: N synthetic systems (default 1,000,000) seeded into a fresh SQLite file and into a
# scratch PostgreSQL database; each is timed and measured, then searched.
#
#   bash bench/scale.sh                 both databases
#   bash bench/scale.sh sqlite          one of them (or: postgres)
#   SCALE_N=100000 bash bench/scale.sh  fewer rows
#
# Prints, per database: the seconds `lgsp-hub seed --synthetic-systems N` took (migrations and the plans' seed
# included), the database's size and its size per million systems with the largest tables, then for each search text
# of `measure.py search-hard` the median and p95 of 30 timed requests (response cache off), the hits by rank and
# whether the substring tier ran out of its budget (`truncated`).
#
# Environment:
#   BIN=/path/lgsp-hub        use this binary instead of `cargo build --release` in the repository
#   OUT=/path                 where the SQLite file and logs go; default bench/out (git-ignored)
#   LGSP_BENCH_PG=postgres://postgres@127.0.0.1:5432   PostgreSQL server (trust auth)
#   PG_DB=lgsp_bench_scale    the scratch database, created fresh and dropped at the end
#   SCALE_N=1000000           how many synthetic systems
#   KEEP=1                    keep the SQLite file and the PostgreSQL database
# Needs: python3, curl, psql.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/bench/out}"
mkdir -p "$out"
n="${SCALE_N:-1000000}"
which="${1:-both}"
pg_admin="${LGSP_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
pg_db="${PG_DB:-lgsp_bench_scale}"
if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  (cd "$root" && cargo build --release --bin lgsp-hub)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/lgsp-hub"
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hub_pid=""
stop_hub() { if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi; hub_pid=""; }
drop_pg() { psql "$pg_admin/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; }
cleanup() {
  stop_hub
  if [ -z "${KEEP:-}" ]; then
    if [ "$which" != sqlite ]; then drop_pg; fi
    if [ "$which" != postgres ]; then rm -f "$out/scale.sqlite"*; fi
  fi
}
trap cleanup EXIT
start_hub() { # database-url log-name
  port="$(free_port)"
  # The response cache would answer every repeated search from memory: off, to time the search itself.
  LGSP_RESPONSE_CACHE_TTL_MS=0 LGSP_DATA_DIR="$out" LGSP_LOG=warn "$bin" --database-url "$1" \
    --listen "127.0.0.1:$port" serve >"$out/hub-scale-$2.log" 2>&1 &
  hub_pid=$!
  for _ in $(seq 1 240); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "hub did not start; see $out/hub-scale-$2.log" >&2; exit 1
}
seed() { # database-url log-name -> seconds
  local t0 t1
  t0=$(date +%s.%N)
  LGSP_LOG=info "$bin" --data-dir "$out" --database-url "$1" seed --synthetic-systems "$n" >"$out/seed-scale-$2.log" 2>&1
  t1=$(date +%s.%N)
  python3 -c "print(round($t1 - $t0, 1))"
}
searches() { # label
  python3 "$root/bench/measure.py" search-hard "http://127.0.0.1:$port/graphql" >"$out/search-scale-$1.json"
  python3 - "$out/search-scale-$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("| text | median | p95 | hits (exact/prefix/substring) | truncated |")
print("| --- | ---: | ---: | --- | --- |")
for text, r in d.items():
    k = r["ranks"]
    print(f"| `{text}` | {r['median_ms']:.2f} ms | {r['p95_ms']:.2f} ms | {r['hits']} ({k['EXACT']}/{k['PREFIX']}/{k['SUBSTRING']}) | {'yes' if r['truncated'] else 'no'} |")
worst = max(r["p95_ms"] for r in d.values())
print(f"worst p95: {worst:.2f} ms")
PY
}
per_million() { python3 -c "print(f'{$1 / 1048576:.0f} MiB ({$1 / 1048576 * 1e6 / $n:.0f} MiB per million systems)')"; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown);" \
     "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $n synthetic systems; binary $bin"

if [ "$which" = both ] || [ "$which" = sqlite ]; then
  echo "== SQLite"
  rm -f "$out/scale.sqlite"*
  url="sqlite://$out/scale.sqlite?mode=rwc"
  secs=$(seed "$url" sqlite)
  # Fold the write-ahead log into the file so that its size is the database's.
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$out/scale.sqlite"
  bytes=$(stat -c %s "$out/scale.sqlite")
  echo "seeded in $secs s; file $(per_million "$bytes")"
  python3 - "$out/scale.sqlite" <<'PY' || echo "(no dbstat in this python's SQLite: no per-table sizes)"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").fetchall()
print("largest: " + ", ".join(f"{name} {size / 1048576:.0f} MiB" for name, size in rows))
PY
  start_hub "$url" sqlite
  searches sqlite
  stop_hub
fi

if [ "$which" = both ] || [ "$which" = postgres ]; then
  echo "== PostgreSQL ($(psql "$pg_admin/postgres" -tAc 'SHOW server_version'))"
  drop_pg
  psql "$pg_admin/postgres" -qc "CREATE DATABASE $pg_db"
  secs=$(seed "$pg_admin/$pg_db" postgres)
  t0=$(date +%s.%N)
  psql "$pg_admin/$pg_db" -qc "VACUUM ANALYZE" # what autovacuum would do next; timed apart from the seed
  vac=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
  bytes=$(psql "$pg_admin/$pg_db" -tAc "SELECT pg_database_size(current_database())")
  echo "seeded in $secs s (then VACUUM ANALYZE $vac s); database $(per_million "$bytes")"
  echo "largest: $(psql "$pg_admin/$pg_db" -tAc "SELECT string_agg(format('%s %s MiB', relname, round(pg_total_relation_size(c.oid) / 1048576.0)), ', ' ORDER BY pg_total_relation_size(c.oid) DESC) FROM (SELECT * FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY pg_total_relation_size(oid) DESC LIMIT 6) c")"
  start_hub "$pg_admin/$pg_db" postgres
  searches postgres
  stop_hub
fi
