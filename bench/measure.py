#!/usr/bin/env python3
"""Latency probes against a running hub (loopback only, bounded loops):
   pages URL N   -> keyset page 1 vs page N (first: 20), median/p95 over repeated runs
   search URL    -> diacritic-free searches, median over repeated runs"""
import json, statistics, sys, time, urllib.request

def post(url, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        data = json.load(resp)
    elapsed = (time.perf_counter() - t0) * 1000
    if "errors" in data:
        raise SystemExit(f"GraphQL errors: {data['errors']}")
    return data["data"], elapsed

PAGE = "query($after: String) { informationSystems(first: 20, after: $after) { pageInfo { endCursor } edges { node { name } } } }"

def timings(url, query, variables, runs):
    post(url, query, variables)  # warm
    return [post(url, query, variables)[1] for _ in range(runs)]

def summary(xs):
    xs = sorted(xs)
    return {"median_ms": round(statistics.median(xs), 3), "p95_ms": round(xs[int(len(xs) * 0.95) - 1], 3)}

def pages(url, n):
    cursor = None
    for _ in range(n - 1):  # walk to the cursor that starts page n
        data, _ = post(url, PAGE, {"after": cursor})
        cursor = data["informationSystems"]["pageInfo"]["endCursor"]
    first = summary(timings(url, PAGE, {"after": None}, 50))
    nth = summary(timings(url, PAGE, {"after": cursor}, 50))
    return {"page_1": first, f"page_{n}": nth, "ratio_median": round(nth["median_ms"] / first["median_ms"], 3)}

def search(url):
    q = "query($t: String!) { search(text: $t, first: 20) { title kind rank } }"
    out = {}
    for text in ["ho tich", "so thong tin", "ha tinh", "kho du lieu y te"]:
        data, _ = post(url, q, {"t": text})
        out[text] = {**summary(timings(url, q, {"t": text}, 30)), "hits": len(data["search"])}
    return out

if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    result = pages(url, int(sys.argv[3])) if mode == "pages" else search(url)
    print(json.dumps(result, ensure_ascii=False))
