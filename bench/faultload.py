#!/usr/bin/env python3
"""The load of bench/faults.sh: threads sending one kind of GraphQL request to a URL, every answer recorded as one
JSON line (start and end in seconds since the run began, HTTP status, the first error code, whether data came back,
the request id). Standard library only; loopback only; bounded by --seconds or --count.

  faultload.py KIND URL --token T --out FILE [--threads N] [--seconds S | --count N] [--ids a,b,..] [--stop-file F]

KIND: register (a new information system each time; needs systems:write), lookup (a citizen, cycling through --ids;
needs upstream:population:read), mixed (a citizen and an enterprise in one query: --ids citizens, --enterprise code),
catalog (a page of agencies).

  faultload.py summary FILE [--at T1,T2,...]   counts per phase (between the given times), as JSON
"""
import argparse
import json
import os
import threading
import time
import urllib.error
import urllib.request

PURPOSE = '{ basis: PUBLIC_SERVICE, reference: "000.00.53.H48-261128-0001" }'
REGISTER = ("mutation($input: RegisterInformationSystemInput!) { registerInformationSystem(input: $input) "
            "{ code name } }")
LOOKUP = "query($p: String!) { citizen(personalId: $p, purpose: %s) { fullName } }" % PURPOSE
MIXED = ("query($p: String!, $e: String!) { citizen(personalId: $p, purpose: %s) { fullName } "
         "enterprise(code: $e) { name } }" % PURPOSE)
CATALOG = "{ agencies(first: 5) { totalCount edges { node { code } } } }"


def request(kind, n, args):
    """The n-th request of this kind: (query, variables, whether the answer carries data)."""
    ids = args.ids.split(",") if args.ids else [""]
    if kind == "register":
        name = f"Hệ thống thử sự cố {os.getpid()}-{n}"
        variables = {"input": {"name": name, "securityLevel": 2, "processesPersonalData": False}}
        return REGISTER, variables, lambda d: bool((d.get("registerInformationSystem") or {}).get("code"))
    if kind == "lookup":
        return LOOKUP, {"p": ids[n % len(ids)]}, lambda d: bool((d.get("citizen") or {}).get("fullName"))
    if kind == "mixed":
        return (MIXED, {"p": ids[n % len(ids)], "e": args.enterprise},
                lambda d: bool((d.get("enterprise") or {}).get("name")))
    return CATALOG, {}, lambda d: (d.get("agencies") or {}).get("totalCount") is not None


def one(kind, n, args, started):
    query, variables, has_data = request(kind, n, args)
    rid = f"fault-{os.getpid()}-{n}"
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {"Content-Type": "application/json", "X-Request-Id": rid}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    t0 = time.monotonic() - started
    status, code, ok, extra = 0, None, False, {}
    try:
        with urllib.request.urlopen(urllib.request.Request(args.url, body, headers), timeout=60) as resp:
            status = resp.status
            answer = json.load(resp)
    except urllib.error.HTTPError as e:
        status = e.code
        try:
            answer = json.load(e)
        except Exception:  # noqa: BLE001 - a body that is not JSON is recorded as such
            answer = {}
    except Exception as e:  # noqa: BLE001 - no answer at all (refused, reset): recorded, not fatal
        answer, code = {}, f"no answer: {type(e).__name__}"
    errors = answer.get("errors") or []
    if errors and code is None:
        code = (errors[0].get("extensions") or {}).get("code", "<no code>")
        extra["upstream"] = (errors[0].get("extensions") or {}).get("upstream")
    data = answer.get("data") or {}
    ok = has_data(data)
    if kind == "mixed":
        extra["citizen"] = bool((data.get("citizen") or {}).get("fullName"))
    if kind == "register" and ok:
        extra["name"] = variables["input"]["name"]
    return {"t0": round(t0, 4), "t1": round(time.monotonic() - started, 4), "status": status, "code": code,
            "ok": ok, "rid": rid, **extra}


def run(args):
    started = time.monotonic()
    lock, counter = threading.Lock(), [0]
    out = open(args.out, "w")

    def next_n():
        with lock:
            n = counter[0]
            if args.count and n >= args.count:
                return None
            counter[0] += 1
            return n

    def worker():
        while True:
            if args.seconds and time.monotonic() - started > args.seconds:
                return
            if args.stop_file and os.path.exists(args.stop_file):
                return
            n = next_n()
            if n is None:
                return
            line = json.dumps(one(args.kind, n, args, started))
            with lock:
                out.write(line + "\n")
                out.flush()
            if line and '"status": 0' in line:
                time.sleep(0.01)  # no answer: do not spin

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()


def summary(args):
    rows = [json.loads(line) for line in open(args.file) if line.strip()]
    cuts = [float(x) for x in args.at.split(",")] if args.at else []
    bounds = [0.0] + cuts + [float("inf")]
    phases = []
    for lo, hi in zip(bounds, bounds[1:]):
        part = [r for r in rows if lo <= r["t0"] < hi]
        codes = {}
        for r in part:
            if not r["ok"]:
                codes[r["code"] or f"HTTP {r['status']}"] = codes.get(r["code"] or f"HTTP {r['status']}", 0) + 1
        lat = sorted(r["t1"] - r["t0"] for r in part if r["ok"])
        phases.append({"from_s": lo, "to_s": None if hi == float("inf") else hi, "requests": len(part),
                       "ok": sum(r["ok"] for r in part), "failed": codes,
                       "p50_ms": round(lat[len(lat) // 2] * 1000, 1) if lat else None,
                       "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 1) if lat else None})
    print(json.dumps({"requests": len(rows), "ok": sum(r["ok"] for r in rows), "phases": phases}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind")
    p.add_argument("url_or_file")
    p.add_argument("--token")
    p.add_argument("--out")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--seconds", type=float)
    p.add_argument("--count", type=int)
    p.add_argument("--ids")
    p.add_argument("--enterprise")
    p.add_argument("--stop-file")
    p.add_argument("--at")
    args = p.parse_args()
    if args.kind == "summary":
        args.file = args.url_or_file
        summary(args)
    else:
        args.url = args.url_or_file
        run(args)


if __name__ == "__main__":
    main()
