#!/usr/bin/env python3
"""One row of bench/hop.sh: the p50 of each phase of a lookup through the hub, from tcpdump's text output of the
loopback (only segments that carry data), beside wrk's figures and the hub's CPU per lookup.
Usage: hop_report.py LATENCY_MS HUB_PORT MOCK_PORT TCPDUMP_TXT DIRECT_WRK HUB_WRK PERF_CSV
"""
import os
import re
import sys

latency, hub_port, mock_port, dump, direct_wrk, hub_wrk, perf_csv = sys.argv[1:8]
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(path):
    text = open(path).read()
    m = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\b", text, re.M)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    seconds = float(re.search(r"requests in ([\d.]+)s", text).group(1))
    return float(m.group(1)) * UNIT[m.group(2)], rps * seconds


def events():
    """(kind, time) for every data segment: in (client to hub), up (hub to mock), down (mock to hub), out."""
    for line in open(dump):
        f = line.split()
        if len(f) < 5 or f[1] != "IP":
            continue
        src, dst = f[2].rsplit(".", 1)[1], f[4].rstrip(":").rsplit(".", 1)[1]
        kind = {dst == hub_port: "in", dst == mock_port: "up", src == mock_port: "down", src == hub_port: "out"}
        yield kind.get(True), float(f[0])


def phases():
    ev = [e for e in events() if e[0]]
    spans = {"in-up": [], "mock": [], "down-out": []}
    for i in range(len(ev) - 3):
        if [k for k, _ in ev[i : i + 4]] == ["in", "up", "down", "out"]:
            t = [x for _, x in ev[i : i + 4]]
            spans["in-up"].append((t[1] - t[0]) * 1e3)
            spans["mock"].append((t[2] - t[1]) * 1e3)
            spans["down-out"].append((t[3] - t[2]) * 1e3)
    return {k: sorted(v)[len(v) // 2] if v else float("nan") for k, v in spans.items()}


def perf(lookups):
    if not os.path.exists(perf_csv):
        return "", ""
    values = {}
    for line in open(perf_csv):
        f = line.strip().split(",")
        if len(f) > 2 and f[0].replace(".", "").isdigit():
            values[f[2]] = float(f[0])
    cpu = values.get("task-clock")
    switches = values.get("context-switches")
    return (
        f"{cpu / lookups:.2f}" if cpu else "",
        f"{switches / lookups:.0f}" if switches else "",
    )


direct_p50, _ = wrk(direct_wrk)
hub_p50, lookups = wrk(hub_wrk)
p = phases()
cpu, switches = perf(max(lookups, 1))
print(
    f"| {latency} ms | {direct_p50:.2f} | {hub_p50:.2f} | +{hub_p50 - direct_p50:.2f} | {p['in-up']:.3f} | "
    f"{p['mock']:.2f} | {p['down-out']:.3f} | {cpu} | {switches} |"
)
