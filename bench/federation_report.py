#!/usr/bin/env python3
"""Reports one scenario of bench/federation.sh: medians over the rounds of each path's wrk figures, the hubs against
the mock directly and against Hive Gateway, and where each hub's time goes (from the deltas of its /metrics over the
runs). Usage: federation_report.py OUT SCENARIO TITLE ROUNDS PATH...
"""
import re
import statistics
import sys

out, scenario, title, rounds, paths = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(path, r):
    text = open(f"{out}/{scenario}-{path}-r{r}.wrk").read()

    def pct(label):
        m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\b" % label, text, re.M)
        return float(m.group(1)) * UNIT[m.group(2)]

    mean = re.search(r"^\s*Latency\s+([\d.]+)(us|ms|s)\b", text, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": pct("50"),
        "p99": pct("99"),
        "mean": float(mean.group(1)) * UNIT[mean.group(2)],
        "bad": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
    }


def prometheus(file):
    """Sums of every series by name (labels summed over), upstream calls of population only."""
    sums = {}
    for line in open(file):
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"([a-z_]+)(\{[^}]*\})?\s+([-+\deE.naif]+)", line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        if name.startswith("lgsp_upstream_call_duration") and 'upstream="population"' not in labels:
            continue
        sums[name] = sums.get(name, 0.0) + value
    return sums


def delta(path, r):
    before, after = prometheus(f"{out}/{scenario}-{path}-r{r}.before"), prometheus(f"{out}/{scenario}-{path}-r{r}.after")
    return {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}


runs = {p: [wrk(p, r) for r in range(1, rounds + 1)] for p in paths}
med = {p: {k: statistics.median(run[k] for run in runs[p]) for k in runs[p][0]} for p in paths}
d = med["direct"]
print(f"### {title}")
print()
print("| path | req/s | p50 ms | p99 ms | % of direct req/s | added p50 ms | added p99 ms | non-2xx + socket errors |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for p in paths:
    m = med[p]
    bad = sum(run["bad"] + run["errors"] for run in runs[p])
    if p == "direct":
        print(f"| mock directly | {m['rps']:,.0f} | {m['p50']:.2f} | {m['p99']:.2f} | 100 % | | | {bad} |")
    else:
        name = "Hive Gateway" if p == "hive" else f"hub on {p[4:]}"
        print(
            f"| {name} | {m['rps']:,.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['rps'] / d['rps'] * 100:.1f} % "
            f"| {m['p50'] - d['p50']:+.2f} | {m['p99'] - d['p99']:+.2f} | {bad} |"
        )
print()
if "hive" in med:
    h = med["hive"]
    for p in paths:
        if p.startswith("hub-"):
            m = med[p]
            print(
                f"- hub on {p[4:]} / Hive Gateway: **{m['rps'] / h['rps']:.2f}×** req/s, p50 {h['p50'] / m['p50']:.2f}× "
                f"lower, p99 {h['p99'] / m['p99']:.2f}× lower. Hive Gateway reaches {h['rps'] / d['rps'] * 100:.1f} % of "
                f"direct, so a hub bounded by direct throughput can be at most {d['rps'] / h['rps']:.2f}× Hive here."
            )
    print()
print("Where each hub's time goes (means over the runs, ms; from the hub's /metrics, wrk's mean for the client side):")
print()
print("| hub | client mean | in the handler | upstream call | access-log wait (beside the call) | answer held for the "
      "entry | rest of the handler (token, GraphQL, grant, masking) | outside the handler (HTTP, kernel, wrk) | flush "
      "| entries per flush | direct mean |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for p in paths:
    if not p.startswith("hub-"):
        continue
    total = {}
    for r in range(1, rounds + 1):
        for k, v in delta(p, r).items():
            total[k] = total.get(k, 0.0) + v

    def mean(name, scale=1000.0):
        n = total.get(f"{name}_count", 0.0)
        return total.get(f"{name}_sum", 0.0) / n * scale if n else float("nan")

    request = mean("lgsp_graphql_request_duration_seconds")
    upstream = mean("lgsp_upstream_call_duration_seconds")
    wait = mean("lgsp_access_log_wait_seconds")
    held = mean("lgsp_access_log_held_answer_seconds")
    flush = mean("lgsp_access_log_commit_duration_seconds")
    batch = mean("lgsp_access_log_batch_size", 1.0)
    client = statistics.mean(run["mean"] for run in runs[p])
    print(
        f"| {p[4:]} | {client:.2f} | {request:.2f} | {upstream:.2f} | {wait:.2f} | {held:.2f} "
        f"| {request - upstream - held:.2f} "
        f"| {client - request:.2f} | {flush:.2f} | {batch:.1f} | {statistics.mean(r['mean'] for r in runs['direct']):.2f} |"
    )
print()
