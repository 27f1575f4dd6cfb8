#!/usr/bin/env python3
"""Before bench/peer.sh measures anything: the hub and PostGraphile must give the same answer.

  check.py HUB_URL [HUB_URL...] -- PEER_URL

Sends each hub the query of bench/nested.lua and PostGraphile the query of bench/peer/postgraphile.lua (read from the
wrk scripts, so the check and the load use the very same bodies), fails unless every answer has no errors, 20 edges
and a positive totalCount, and the `data` objects are equal. Prints one JSON object (rows, totalCount, body bytes)."""
import json, pathlib, re, sys, urllib.request

HERE = pathlib.Path(__file__).resolve().parent


def body_of(lua):
    m = re.search(r"^wrk\.body = '(.*)'$", lua.read_text(), re.M)
    if not m:
        raise SystemExit(f"no wrk.body in {lua}")
    return m.group(1).encode()


def post(url, body):
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        raw = resp.read()
    doc = json.loads(raw)
    if doc.get("errors"):
        raise SystemExit(f"{url}: GraphQL errors: {doc['errors']}")
    conn = doc["data"]["informationSystems"]
    if len(conn["edges"]) != 20 or conn["totalCount"] <= 0:
        raise SystemExit(f"{url}: expected 20 edges and a positive totalCount, got {len(conn['edges'])} / {conn['totalCount']}")
    return doc["data"], len(raw)


def main():
    args = sys.argv[1:]
    if "--" not in args or args.index("--") == 0 or args[-1] == "--":
        raise SystemExit(__doc__)
    hubs, peer = args[: args.index("--")], args[args.index("--") + 1]
    hub_body, peer_body = body_of(HERE.parent / "nested.lua"), body_of(HERE / "postgraphile.lua")
    peer_data, peer_bytes = post(peer, peer_body)
    report = {"peer": {"url": peer, "bytes": peer_bytes}, "hubs": []}
    for hub in hubs:
        hub_data, hub_bytes = post(hub, hub_body)
        if hub_data != peer_data:
            print(json.dumps({"hub": hub_data, "peer": peer_data}, ensure_ascii=False, indent=1), file=sys.stderr)
            raise SystemExit(f"{hub} and {peer} answer differently (both answers above)")
        report["hubs"].append({"url": hub, "bytes": hub_bytes})
    conn = peer_data["informationSystems"]
    report.update(rows=len(conn["edges"]), totalCount=conn["totalCount"],
                  first=conn["edges"][0]["node"]["name"], last=conn["edges"][-1]["node"]["name"])
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
