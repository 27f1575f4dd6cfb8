#!/usr/bin/env python3
"""Times the console's catalog pages against a running hub: `console.py BASE_URL [ROUNDS]`.

For each page: one warm-up request, then ROUNDS timed GETs (wall clock per request from this client on loopback,
which is the server's render time plus a fraction of a millisecond), its size as sent uncompressed and gzip-compressed.
Prints one JSON object per page and a Markdown table; exits 1 when a page is over 100 KB or its median over 50 ms.
"""
import gzip
import json
import statistics
import sys
import time
import urllib.request

PAGES = [
    "/console",
    "/console/search?q=ha+tinh",
    "/console/plans",
    "/console/plans/kg-kh-2023",
    "/console/plans/vl-kh-2023",
    "/console/provinces/42",
    "/console/agencies",
    "/console/systems",
    "/console/systems?q=cong+dan&fragment=1",
    "/console/projects",
    "/console/national-databases",
    "/console/indicators",
    "/",
]


def get(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url) as resp:
        body = resp.read()
    return time.perf_counter() - started, body


def main():
    base = sys.argv[1].rstrip("/")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rows, failed = [], False
    for page in PAGES:
        get(base + page)
        times = []
        body = b""
        for _ in range(rounds):
            took, body = get(base + page)
            times.append(took * 1000)
        times.sort()
        row = {
            "page": page,
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
            "bytes": len(body),
            "gzip_bytes": len(gzip.compress(body)),
        }
        print(json.dumps(row), flush=True)
        failed |= row["bytes"] > 100 * 1024 or row["median_ms"] > 50
        rows.append(row)
    print("\n| page | median | p95 | size | gzip |\n| --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| `{r['page']}` | {r['median_ms']} ms | {r['p95_ms']} ms | {r['bytes']} B | {r['gzip_bytes']} B |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
