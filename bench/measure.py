#!/usr/bin/env python3
"""Latency probes against a running hub (loopback only; every loop is bounded).

  measure.py pages  URL N   keyset page 1 vs page N (first: 20, default NAME order): walks N-1 pages with `after`
                            cursors, then times page 1 and page N 50 times each (after one warm-up request)
  measure.py search URL     diacritic-free searches (first: 20), 30 timed runs each after one warm-up
  measure.py search-hard URL  the same and the texts that are costly on the synthetic catalog
  measure.py check  URL     runs the wrk query once and fails unless it returns 20 edges and no errors

Prints one JSON object. Times are wall-clock per HTTP request (connect + request + full response), in ms.
SQL statements per request come from the hub's /metrics counter lgsp_sql_statements_total."""
import json, math, statistics, sys, time, urllib.parse, urllib.request

RUNS_PAGES = 50
RUNS_SEARCH = 30
SEARCHES = ["ho tich", "so thong tin", "ha tinh", "kho du lieu y te"]
# `search-hard`: the four above, then texts made to be costly on the synthetic catalog (every trigram common and few
# or no rows matching, numbers that only the substring tier finds, short texts without trigrams, no match at all).
HARD_SEARCHES = SEARCHES + ["thong tin so", "he thong thong tin", "tinh ha tinh so", "so 999999", "ky anh so 7777",
                            "te tinh", "zz", "qwerty", "phan mem quan ly van ban tu phap"]
PAGE = ("query($after: String) { informationSystems(first: 20, after: $after) "
        "{ pageInfo { endCursor hasNextPage } edges { node { name } } } }")
SEARCH = "query($t: String!) { searchResults(text: $t, first: 20) { truncated hits { title kind rank } } }"
NESTED = ("{ informationSystems(first: 20, filter: {securityLevel: 3}) { totalCount edges { node "
          "{ name securityLevel agency { name province { name } } } } } }")


def post(url, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        data = json.load(resp)
    elapsed = (time.perf_counter() - t0) * 1000
    if data.get("errors"):
        raise SystemExit(f"GraphQL errors: {data['errors']}")
    return data["data"], elapsed


def statements(url):
    """lgsp_sql_statements_total from /metrics of the same hub."""
    parts = urllib.parse.urlsplit(url)
    with urllib.request.urlopen(f"{parts.scheme}://{parts.netloc}/metrics", timeout=10) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith("lgsp_sql_statements_total "):
                return int(float(line.split()[1]))
    return -1


def summary(xs):
    xs = sorted(xs)
    p95 = xs[max(0, math.ceil(0.95 * len(xs)) - 1)]  # nearest rank
    return {"median_ms": round(statistics.median(xs), 3), "p95_ms": round(p95, 3),
            "min_ms": round(xs[0], 3), "runs": len(xs)}


def timed(url, query, variables, runs):
    post(url, query, variables)  # warm-up, not counted
    before = statements(url)
    xs = [post(url, query, variables)[1] for _ in range(runs)]
    per_request = (statements(url) - before) / runs
    return {**summary(xs), "sql_per_request": round(per_request, 2)}


def pages(url, n):
    cursor, walked = None, 0
    t0 = time.perf_counter()
    for _ in range(n - 1):  # bounded walk to the cursor that starts page n
        data, _ = post(url, PAGE, {"after": cursor})
        conn = data["informationSystems"]
        if not conn["pageInfo"]["hasNextPage"]:
            raise SystemExit(f"only {walked + 1} pages exist")
        cursor = conn["pageInfo"]["endCursor"]
        walked += 1
    walk_s = time.perf_counter() - t0
    last, _ = post(url, PAGE, {"after": cursor})
    first = timed(url, PAGE, {"after": None}, RUNS_PAGES)
    nth = timed(url, PAGE, {"after": cursor}, RUNS_PAGES)
    return {"page_1": first, f"page_{n}": nth,
            "ratio_median": round(nth["median_ms"] / first["median_ms"], 3),
            "ratio_p95": round(nth["p95_ms"] / first["p95_ms"], 3),
            "walk_s": round(walk_s, 2),
            f"page_{n}_first_name": last["informationSystems"]["edges"][0]["node"]["name"]}


def search(url, texts=SEARCHES):
    out = {}
    for text in texts:
        data, _ = post(url, SEARCH, {"t": text})
        page = data["searchResults"]
        hits = page["hits"]
        out[text] = {**timed(url, SEARCH, {"t": text}, RUNS_SEARCH), "hits": len(hits),
                     "ranks": {r: sum(h["rank"] == r for h in hits) for r in ("EXACT", "PREFIX", "SUBSTRING")},
                     "truncated": page["truncated"],
                     "first_hit": hits[0]["title"] if hits else None}
    return out


def check(url):
    before = statements(url)
    data, ms = post(url, NESTED)
    conn = data["informationSystems"]
    if len(conn["edges"]) != 20:
        raise SystemExit(f"expected 20 edges, got {len(conn['edges'])}")
    return {"totalCount": conn["totalCount"], "edges": len(conn["edges"]), "cold_ms": round(ms, 3),
            "cold_sql": statements(url) - before}


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "pages":
        result = pages(url, int(sys.argv[3]))
    elif mode == "search":
        result = search(url)
    elif mode == "search-hard":
        result = search(url, HARD_SEARCHES)
    elif mode == "check":
        result = check(url)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result, ensure_ascii=False))
