"""Summarises a schemathesis NDJSON report of the hub's fuzz run; writes the failing examples beside it.

Usage: python3 summary.py REPORT.ndjson [FAILURES.txt]
Prints: requests recorded, HTTP statuses, the `extensions.code`s answered, and each failing request with its answer.
"""

import base64
import collections
import json
import sys


def _decode(blob):
    if not isinstance(blob, dict):
        return ""
    if "$base64" in blob:
        return base64.b64decode(blob["$base64"]).decode("utf-8", "replace")
    return blob.get("string", "")


def _codes(text):
    try:
        payload = json.loads(text)
    except ValueError:
        return ["<not JSON>"]
    errors = payload.get("errors") if isinstance(payload, dict) else None
    codes = []
    for error in errors or []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        codes.append((extensions or {}).get("code", "<no code>") if isinstance(extensions, dict) else "<no code>")
    return codes


def main(report, failures_path):
    statuses = collections.Counter()
    codes = collections.Counter()
    generated = 0
    failures = {}
    with open(report, encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            scenario = event.get("ScenarioFinished")
            if not scenario:
                continue
            recorder = scenario.get("recorder") or {}
            generated += len(recorder.get("cases") or {})
            for case_id, interaction in (recorder.get("interactions") or {}).items():
                response = interaction.get("response") or {}
                statuses[response.get("status_code")] += 1
                body = _decode(response.get("content"))
                codes.update(_codes(body))
                failed = [c for c in recorder.get("checks", {}).get(case_id, []) if c.get("status") == "failure"]
                if failed:
                    query = _decode((interaction.get("request") or {}).get("body"))
                    names = ", ".join(sorted({c.get("name", "?") for c in failed}))
                    failures[case_id] = f"== {case_id} ({names})\nrequest:  {query}\nresponse: {body}\n"
    requests = sum(statuses.values())
    print(f"fuzz summary: {requests} requests recorded ({generated} cases), {len(failures)} failing")
    print("  HTTP statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=str)))
    print("  error codes:   " + (", ".join(f"{c}: {n}" for c, n in codes.most_common()) or "none"))
    if failures_path:
        with open(failures_path, "w", encoding="utf-8") as out:
            out.write("\n".join(failures.values()))
    for text in list(failures.values())[:5]:
        print(text[:1500])
    if failures and failures_path:
        print(f"all failing examples: {failures_path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
