#!/usr/bin/env bash
# The hub beside PostGraphile v4 on the same PostgreSQL data, under the same load (issue 11, item 3).
#
#   bash bench/peer.sh
#
# One PostgreSQL database (lgsp_bench_peer, created fresh, dropped at the end) seeded by the hub with 20,000 synthetic
# systems, then VACUUM ANALYZE. Three servers on it, all on 127.0.0.1:
#   A. the hub (release build, LGSP_LOG=warn), response cache on with its default TTL (LGSP_RESPONSE_CACHE_TTL_MS
#      unset: 10 s);
#   B. a second hub process with the response cache off (LGSP_RESPONSE_CACHE_TTL_MS=0);
#   C. PostGraphile 4.14.1 with @graphile-contrib/pg-simplify-inflector 6.1.0 (pinned by bench/peer/package-lock.json,
#      installed with `npm ci` when missing), started as
#        NODE_ENV=production postgraphile -c <db> --schema public --append-plugins @graphile-contrib/pg-simplify-inflector
#          --host 127.0.0.1 --port <free> --disable-graphiql --disable-query-log
#      i.e. no --watch (no schema polling), no query log, no GraphiQL, no JWT/RBAC, its default pool of 10 connections
#      and its default query cache (parsed and validated documents are reused); one Node process unless
#      LGSP_BENCH_PEER_WORKERS=N (N > 1 adds --cluster-workers N). The hub reads over its default pool (2 x cores).
# The query: the benchmark's nested catalog query (bench/nested.lua) for the hub,
#   { informationSystems(first: 20, filter: {securityLevel: 3}) { totalCount edges { node
#       { name securityLevel agency { name province { name } } } } } }
# and for PostGraphile its equivalent (bench/peer/postgraphile.lua): the same connection with `condition` for
# `filter`, the hub's default order made explicit (orderBy: [NAME_ASC, ID_ASC]) and `province: provinceByProvinceCode`
# (the relation agencies.province_code -> provinces.code). Before measuring, bench/peer/check.py fails unless the three
# answers have 20 rows, a positive totalCount and equal `data`.
# Load: wrk -t1 -c32 --latency for LGSP_BENCH_SECONDS (default 10) per run, after a warm-up of
# LGSP_BENCH_WARMUP_SECONDS (default 10: Node's JIT needs it) per server; runs alternate A B C A B C ... for
# LGSP_BENCH_ROUNDS rounds (default 3). Before each run the script waits (up to LGSP_BENCH_QUIET_WAIT s, default 60)
# for 2 s in which the machine is under 10 % busy.
# Reports req/s, p50, p99 of every run and the median per server; where the CPU went during each run, from /proc
# (cores busy: the server, all PostgreSQL processes, wrk, (soft)interrupts, the rest of the machine, the hypervisor's
# steal; the rest is where other sessions' builds show, and a run in which it passed 0.25 core is marked
# "(disturbed)"; the kernel charges part of its loopback work to the processes, so the rest may be a little negative);
# the server's and PostgreSQL's CPU per request; the share of the hub's answers served from its response cache
# (lgsp_cache_hits_total{cache="responses"}); the ratios hub/PostGraphile in req/s and PostGraphile p99 / hub p99.
# Targets (issue 11): cached hub >= 5x PostGraphile's req/s with p99 <= 1/5 of PostGraphile's; uncached hub >= 4x.
# The summary goes to stdout and $OUT/peer-summary.md; raw wrk reports, logs and the exported PostGraphile schema to
# $OUT.
#
# Environment: BIN (a built lgsp-hub; default: cargo build --release), OUT (default bench/out), LGSP_BENCH_PG
# (default postgres://postgres@127.0.0.1:5432, trust auth), LGSP_BENCH_SECONDS, LGSP_BENCH_WARMUP_SECONDS,
# LGSP_BENCH_ROUNDS, LGSP_BENCH_PEER_WORKERS, LGSP_BENCH_QUIET_WAIT.
# Needs: python3, curl, psql, node >= 18 with npm (first run: npm ci from the registry); wrk is installed with apt-get
# when missing (root). Everything shares this machine's cores: the wrk client, both hubs, PostGraphile, PostgreSQL.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peer_dir="$root/bench/peer"
out="${OUT:-$root/bench/out}"
mkdir -p "$out"
pg_admin="${LGSP_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
pg_db=lgsp_bench_peer
secs="${LGSP_BENCH_SECONDS:-10}"
warm="${LGSP_BENCH_WARMUP_SECONDS:-10}"
rounds="${LGSP_BENCH_ROUNDS:-3}"
workers="${LGSP_BENCH_PEER_WORKERS:-1}"

if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed for PostGraphile" >&2; exit 1; }
if [ -n "${BIN:-}" ]; then bin="$BIN"; else
  (cd "$root" && cargo build --release --bin lgsp-hub)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/lgsp-hub"
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }
postgraphile="$peer_dir/node_modules/.bin/postgraphile"
if [ ! -x "$postgraphile" ] || [ ! -d "$peer_dir/node_modules/@graphile-contrib/pg-simplify-inflector" ]; then
  (cd "$peer_dir" && npm ci --no-audit --no-fund --silent)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql "$pg_admin/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
}
trap cleanup EXIT
wait_for() { # what log-file command... : retry the command for up to 60 s
  local what="$1" log="$2"; shift 2
  for _ in $(seq 1 120); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$what did not start; see $log" >&2; exit 1
}

echo "== PostgreSQL database $pg_db with 20,000 synthetic systems"
psql "$pg_admin/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null
psql "$pg_admin/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null
"$bin" --data-dir "$out" --database-url "$pg_admin/$pg_db" seed --synthetic-systems 20000 >"$out/peer-seed.log" 2>&1
psql "$pg_admin/$pg_db" -qc "VACUUM ANALYZE" >/dev/null
fks=$(psql "$pg_admin/$pg_db" -tAc "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
echo "foreign keys: $fks"
[ "$fks" -gt 0 ] || { echo "the database has no foreign keys: PostGraphile could not build the relations" >&2; exit 1; }

declare -A port pid
start_hub() { # name cache-ttl-ms (empty: the default)
  port[$1]="$(free_port)"
  if [ -n "$2" ]; then
    LGSP_RESPONSE_CACHE_TTL_MS="$2" LGSP_DATA_DIR="$out" LGSP_LOG=warn "$bin" --database-url "$pg_admin/$pg_db" \
      --listen "127.0.0.1:${port[$1]}" serve >"$out/peer-$1.log" 2>&1 &
  else
    env -u LGSP_RESPONSE_CACHE_TTL_MS LGSP_DATA_DIR="$out" LGSP_LOG=warn "$bin" --database-url "$pg_admin/$pg_db" \
      --listen "127.0.0.1:${port[$1]}" serve >"$out/peer-$1.log" 2>&1 &
  fi
  pid[$1]=$!
  pids+=("${pid[$1]}")
  wait_for "hub $1" "$out/peer-$1.log" curl -fsS "http://127.0.0.1:${port[$1]}/healthz"
}
echo "== servers"
start_hub hub-cached ""
start_hub hub-uncached 0
port[postgraphile]="$(free_port)"
cluster=()
if [ "$workers" -gt 1 ]; then cluster=(--cluster-workers "$workers"); fi
(cd "$peer_dir" && NODE_ENV=production exec "$postgraphile" -c "$pg_admin/$pg_db" --schema public \
  --append-plugins @graphile-contrib/pg-simplify-inflector --host 127.0.0.1 --port "${port[postgraphile]}" \
  --disable-graphiql --disable-query-log --export-schema-graphql "$out/peer-postgraphile-schema.graphql" \
  "${cluster[@]}") >"$out/peer-postgraphile.log" 2>&1 &
pid[postgraphile]=$!
pids+=("${pid[postgraphile]}")
wait_for postgraphile "$out/peer-postgraphile.log" curl -fsS "http://127.0.0.1:${port[postgraphile]}/graphql" \
  -H 'content-type: application/json' -d '{"query":"{ __typename }"}'
url() { echo "http://127.0.0.1:${port[$1]}/graphql"; }
echo "hub (cache on): $(url hub-cached); hub (cache off): $(url hub-uncached); PostGraphile: $(url postgraphile)"

# Same answer from all three, or the comparison means nothing.
python3 "$peer_dir/check.py" "$(url hub-cached)" "$(url hub-uncached)" -- "$(url postgraphile)" | tee "$out/peer-check.json"

targets=(hub-cached hub-uncached postgraphile)
declare -A lua=([hub-cached]="$root/bench/nested.lua" [hub-uncached]="$root/bench/nested.lua"
                [postgraphile]="$peer_dir/postgraphile.lua")
declare -A label=([hub-cached]="hub, response cache on" [hub-uncached]="hub, response cache off"
                  [postgraphile]="PostGraphile v4")
wrk_row() { # file -> "req/s p50 p99 requests errors"
  awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /requests in/ {n=$1}
       /Non-2xx|Socket errors/ {e = e $0 "; "} END {if (e == "") e = "none"; print r, p50, p99, n, e}' "$1"
}
to_ms() { # wrk's "812.00us" / "2.34ms" / "1.02s" -> milliseconds
  python3 -c "import sys,re; m=re.match(r'([\d.]+)(us|ms|s)\$', sys.argv[1]);
print(round(float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[m.group(2)], 2))" "$1"
}
metric() { # target name -> the counter's value on that hub's /metrics (0 when absent)
  curl -fsS "http://127.0.0.1:${port[$1]}/metrics" | awk -v n="$2" '$1==n {v=$2} END {print v+0}'
}
tree() { echo "$1"; pgrep -P "$1" || true; } # a server and its children (PostGraphile's cluster workers)
cpu_ticks() { # pid -> utime + stime of the process (all its threads) and its children, in clock ticks
  local p
  for p in $(tree "$1"); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done | awk '{t += $1} END {print t+0}'
}
pg_snapshot() { # file: "pid ticks" of every PostgreSQL process (backends, walwriter, ...)
  local p
  for p in $(pgrep -x postgres); do awk -v p="$p" '{print p, $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done >"$1"
}
wrk_ticks() { # two outputs of bash's `times` -> clock ticks the children (wrk) used in between
  python3 -c "import re,sys
def ch(f):
    t = re.findall(r'(\d+)m([\d.]+)s', open(f).read().splitlines()[1])
    return sum(60 * int(m) + float(s) for m, s in t)
print(round((ch(sys.argv[2]) - ch(sys.argv[1])) * $hz))" "$1" "$2"
}
pg_ticks() { # before after -> ticks spent by the processes alive at the end (a backend born during the run counts whole)
  awk 'NR==FNR {a[$1]=$2; next} {d += $2 - (($1 in a) ? a[$1] : 0)} END {print d+0}' "$1" "$2"
}
hits_name='lgsp_cache_hits_total{cache="responses"}'
wait_quiet() { # before a run: up to LGSP_BENCH_QUIET_WAIT seconds (default 60) for 2 s with the machine under 10 % busy
  local deadline=$(( SECONDS + ${LGSP_BENCH_QUIET_WAIT:-60} )) u0 n0 s0 i0 u1 n1 s1 i1
  while [ "$SECONDS" -lt "$deadline" ]; do
    read -r _ u0 n0 s0 i0 _ </proc/stat; sleep 2; read -r _ u1 n1 s1 i1 _ </proc/stat
    [ $(( 10 * ((u1 + n1 + s1) - (u0 + n0 + s0)) )) -lt $(( (u1 + n1 + s1 + i1) - (u0 + n0 + s0 + i0) )) ] && return 0
  done
  echo "(the machine stayed busy for ${LGSP_BENCH_QUIET_WAIT:-60} s; measuring anyway)"
}

echo "== warm-up (${warm}s each)"
for t in "${targets[@]}"; do
  wrk -t1 -c32 -d"${warm}s" -s "${lua[$t]}" "$(url "$t")" >"$out/peer-warmup-$t.txt"
  echo "$t: $(awk '/Requests\/sec/ {print $2}' "$out/peer-warmup-$t.txt") req/s"
done

echo "== $rounds rounds of ${secs}s runs, alternating ${targets[*]}"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
declare -A rps_of p50_of p99_of cpu_of pgcpu_of
hz="$(getconf CLK_TCK)"
disturbed=0
for r in $(seq 1 "$rounds"); do
  for t in "${targets[@]}"; do
    f="$out/peer-wrk-$t-$r.txt"
    wait_quiet
    h0=0; if [ "$t" != postgraphile ]; then h0=$(metric "$t" "$hits_name"); fi
    u="$(url "$t")"
    c0=$(cpu_ticks "${pid[$t]}"); pg_snapshot "$out/peer-pg-before.txt"
    # No fork between the two marks but wrk's: `times` then counts wrk alone, /proc/stat the whole machine.
    read -r _ mu0 mn0 ms0 _ _ mi0 mq0 st0 _ </proc/stat; times >"$out/peer-times-before.txt"
    wrk -t1 -c32 -d"${secs}s" --latency -s "${lua[$t]}" "$u" >"$f"
    times >"$out/peer-times-after.txt"; read -r _ mu1 mn1 ms1 _ _ mi1 mq1 st1 _ </proc/stat
    c1=$(cpu_ticks "${pid[$t]}"); pg_snapshot "$out/peer-pg-after.txt"
    pg=$(pg_ticks "$out/peer-pg-before.txt" "$out/peer-pg-after.txt")
    w=$(wrk_ticks "$out/peer-times-before.txt" "$out/peer-times-after.txt")
    machine=$(( (mu1 + mn1 + ms1) - (mu0 + mn0 + ms0) ))  # user, nice, system: what processes use
    irq=$(( (mi1 + mq1) - (mi0 + mq0) ))
    read -r rps p50 p99 n errs <<<"$(wrk_row "$f")"
    cached="n/a"
    if [ "$t" != postgraphile ]; then
      h1=$(metric "$t" "$hits_name")
      cached="$(python3 -c "print(f'{100*($h1-$h0)/$n:.1f} %')")"
    fi
    cpu="$(python3 -c "c = lambda x: f'{x / $hz / $secs:.2f}'
print(' / '.join([c($c1 - $c0), c($pg), c($w), c($irq), c($machine - ($c1 - $c0) - $pg - $w), c($st1 - $st0)]))")"
    # CPU per answered request, in ms: the server's, PostgreSQL's
    cpu_of[$t]+="$(python3 -c "print(round(1000*($c1-$c0)/$hz/$n, 3))") "
    pgcpu_of[$t]+="$(python3 -c "print(round(1000*$pg/$hz/$n, 3))") "
    p50=$(to_ms "$p50"); p99=$(to_ms "$p99")
    rps_of[$t]+="$rps "; p50_of[$t]+="$p50 "; p99_of[$t]+="$p99 "
    rest=$(( machine - (c1 - c0) - pg - w ))
    mark=""
    if [ $(( 100 * rest )) -gt $(( 25 * hz * secs )) ]; then mark=" (disturbed)"; disturbed=$((disturbed + 1)); fi
    rows+=("| $r | ${label[$t]}$mark | $rps | $p50 ms | $p99 ms | $cpu | $cached | $errs |")
    echo "${rows[-1]}"
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

median() { # digits "values..." -> their median, rounded
  python3 -c "import statistics,sys; print(f'{statistics.median(float(x) for x in sys.argv[2:]):.{sys.argv[1]}f}')" "$1" $2
}
declare -A m_rps m_p50 m_p99 m_cpu
for t in "${targets[@]}"; do
  m_rps[$t]=$(median 0 "${rps_of[$t]}"); m_p50[$t]=$(median 2 "${p50_of[$t]}"); m_p99[$t]=$(median 2 "${p99_of[$t]}")
  m_cpu[$t]="$(median 3 "${cpu_of[$t]}") ms + $(median 3 "${pgcpu_of[$t]}") ms"
done
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
verdict() { python3 -c "import sys; print('met' if float(sys.argv[1]) >= float(sys.argv[2]) else 'NOT met')" "$1" "$2"; }
c_x=$(ratio "${m_rps[hub-cached]}" "${m_rps[postgraphile]}")
u_x=$(ratio "${m_rps[hub-uncached]}" "${m_rps[postgraphile]}")
c_p99x=$(ratio "${m_p99[postgraphile]}" "${m_p99[hub-cached]}")
u_p99x=$(ratio "${m_p99[postgraphile]}" "${m_p99[hub-uncached]}")
hwm() { # pid -> peak RSS of the process, plus its children's (cluster workers) when it has any
  local p
  for p in $(tree "$1"); do awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || true; done |
    awk '{t += $1} END {printf "%.1f MB", t/1024}'
}
dirty=""; [ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=" (working tree has uncommitted changes)"

{
  echo
  echo "## Hub vs PostGraphile v4 ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$dirty)"
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo);" \
       "PostgreSQL $(psql "$pg_admin/postgres" -tAc 'SHOW server_version'); node $(node -v);" \
       "PostGraphile $("$postgraphile" --version)$([ "$workers" -gt 1 ] && echo ", $workers cluster workers"); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "binary: $bin; 20,000 synthetic systems; wrk -t1 -c32 ${secs} s per run, $rounds rounds A B C; load average before: $load_start, after: $load_end"
  echo "answers compared before the runs: $(cat "$out/peer-check.json")"
  echo
  echo "| round | server | req/s | p50 | p99 | cores busy: server / PostgreSQL / wrk / interrupts / rest of the machine / steal | hub answers from cache | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| median of $rounds runs | req/s | p50 | p99 | req/s vs PostGraphile | PostGraphile p99 / this p99 | CPU per request: server + PostgreSQL | peak RSS (VmHWM) |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  echo "| ${label[hub-cached]} | ${m_rps[hub-cached]} | ${m_p50[hub-cached]} ms | ${m_p99[hub-cached]} ms | ${c_x}x | ${c_p99x}x | ${m_cpu[hub-cached]} | $(hwm "${pid[hub-cached]}") |"
  echo "| ${label[hub-uncached]} | ${m_rps[hub-uncached]} | ${m_p50[hub-uncached]} ms | ${m_p99[hub-uncached]} ms | ${u_x}x | ${u_p99x}x | ${m_cpu[hub-uncached]} | $(hwm "${pid[hub-uncached]}") |"
  echo "| ${label[postgraphile]} | ${m_rps[postgraphile]} | ${m_p50[postgraphile]} ms | ${m_p99[postgraphile]} ms | 1x | 1x | ${m_cpu[postgraphile]} | $(hwm "${pid[postgraphile]}") |"
  echo
  echo "runs disturbed by other work on the machine (rest of the machine above 0.25 cores): $disturbed of $((rounds * 3))"
  echo "targets (issue 11): cached hub >= 5x PostGraphile's req/s: ${c_x}x, $(verdict "$c_x" 5);" \
       "its p99 <= 1/5 of PostGraphile's: ${c_p99x}x, $(verdict "$c_p99x" 5); uncached hub >= 4x: ${u_x}x, $(verdict "$u_x" 4)"
} | tee "$out/peer-summary.md"
echo "raw outputs: $out/peer-*"
