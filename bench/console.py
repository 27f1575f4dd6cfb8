#!/usr/bin/env python3
"""Times the console's pages against a running hub: `console.py BASE_URL [ROUNDS]`.

Two kinds of page: the public catalog (no session), and the signed-in pages of each role, timed as the mock
OpenID Connect provider's demo user who holds that role. The hub must be a zero set-up one (`lgsp-hub serve` with no
provider configured), which signs in through its built-in mock provider; this script signs in as a browser does
(hub → provider's sign-in page → the demo user's button → hub's callback) and keeps each user's session cookie.

For each page: one warm-up request, then ROUNDS timed GETs (wall clock per request from this client on loopback,
which is the server's render time plus a fraction of a millisecond), its size as sent uncompressed and gzip-compressed.
Every response must be 200, or the script stops at once (a page timed as the wrong user or a sign-in page would
measure nothing useful). Prints one JSON object per page and a Markdown table; exits 1 when a page is over 100 KB or
its median over 50 ms, 2 when a page or a sign-in step answers otherwise than expected.
"""
import gzip
import html
import html.parser
import http.cookiejar
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

MAX_BYTES = 100 * 1024
MAX_MEDIAN_MS = 50

PUBLIC_PAGES = [
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

# Each role's pages, as the demo user who holds the role (`mock-upstreams/src/oidc/users.rs`). Both approval roles
# are timed: the security unit's inbox (appraise) and the People's Committee's (approve) are different lists.
# `/console/approvals/live` is left out: it is an event stream that never ends, not a page.
SIGNED_IN_PAGES = [
    ("demo-operator", "/console/agency"),
    ("demo-operator", "/console/agency/new"),
    ("demo-security", "/console/approvals"),
    ("demo-security", "/console/approvals/list"),
    ("demo-approver", "/console/approvals"),
    ("demo-approver", "/console/approvals/list"),
    ("demo-integrator", "/console/integrator"),
    ("demo-integrator", "/console/integrator/status"),
    ("demo-integrator", "/console/integrator/try?service=population"),
    ("demo-auditor", "/console/audit"),
    ("demo-auditor", "/console/audit/chain"),
    ("demo-admin", "/console/admin"),
    ("demo-admin", "/console/admin/projects"),
    ("demo-admin", "/console/admin/links"),
]

# Pages whose query the hub counts as heavy (cost over `heavy_query_cost`, 5000), with that cost as the hub logs it
# when it sheds one. Heavy queries draw on a budget that all clients share (`heavy_cost_per_second`, 50000 by
# default); back to back, a timing loop empties it within a second and the hub sheds the rest with 503, as it should.
# So these pages are requested no faster than two thirds of the default budget allows; the pause is not timed.
HEAVY_COST_PER_SECOND = 50000
HEAVY_PAGES = {
    "/console/audit/chain": 5001,  # accessLogVerification
    "/console/admin/links": 11201,  # nationalDatabases(first: 25) with every province's link
}


def pause_before(page):
    """Seconds to wait before each request of `page`, so that a heavy page stays inside the hub's heavy budget."""
    return HEAVY_PAGES.get(page, 0) / (HEAVY_COST_PER_SECOND * 2 / 3)


SYSTEM_LINK = re.compile(r'href="/console/agency/systems/([^"/?#]+)"')


class Unexpected(Exception):
    """A response other than the one a browser would get at this step: the run's figures would be meaningless."""


class KeepEveryStatus(urllib.request.HTTPErrorProcessor):
    """Hands every response back as it is, so that redirects are looked at step by step (as the hub's own tests do)
    and a 403 or 404 is reported with its page instead of raised halfway through a timing loop."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def browser(jar=None):
    """An opener that keeps cookies in `jar` (one jar per user, like one browser each), follows no redirect and asks
    for HTML, since the console answers a request that does not accept HTML with 401 instead of the sign-in page."""
    handlers = [KeepEveryStatus()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    opener = urllib.request.build_opener(*handlers)
    opener.addheaders = [("Accept", "text/html"), ("User-Agent", "lgsp-hub bench/console.py")]
    return opener


def fetch(opener, url, form=None):
    """One request: (seconds taken, status, Location or None, body). The time covers sending, the server's work and
    reading the whole body, which is what a page costs."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    started = time.perf_counter()
    with opener.open(url, data=data) as resp:
        body = resp.read()
        took = time.perf_counter() - started
        return took, resp.status, resp.headers.get("Location"), body


def expect(status, wanted, step, url, body):
    """Stops the run when a step answers otherwise than a browser's sign-in or page view would."""
    if status != wanted:
        excerpt = body[:400].decode("utf-8", "replace")
        hint = " (a heavy query shed by the hub's budget? see HEAVY_PAGES and hub.log)" if status == 503 else ""
        raise Unexpected(f"{step}: {url} answered {status}, expected {wanted}{hint}: {excerpt}")


class SignInForm(html.parser.HTMLParser):
    """The mock provider's sign-in page: its form's action, its hidden fields (the hub's request carried through) and
    the subjects its buttons submit as `user`. The standard parser unescapes attribute values, as a browser does."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = []
        self.users = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("name"):
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("name") == "user":
            self.users.append(a.get("value", ""))


def choose_user(opener, authorize_url, subject):
    """Opens the provider's sign-in page and presses `subject`'s button: returns the provider's redirect (the hub's
    callback with `code` and `state`)."""
    _, status, _, body = fetch(opener, authorize_url)
    expect(status, 200, "provider's sign-in page", authorize_url, body)
    form = SignInForm()
    form.feed(body.decode("utf-8"))
    if subject not in form.users:
        raise Unexpected(f"{subject} is not on the provider's sign-in page (it lists {form.users})")
    action = urllib.parse.urljoin(authorize_url, form.action)
    fields = [(k, v) for k, v in form.fields if k != "user"] + [("user", subject)]
    _, status, location, body = fetch(opener, action, form=fields)
    expect(status, 303, f"choosing {subject}", action, body)
    return urllib.parse.urljoin(action, location)


def sign_in(base, subject):
    """Signs in as the demo user `subject` the way a browser does and returns an opener that carries the session
    cookie; checks each hop, so that a broken sign-in fails here rather than as a page timed while signed out."""
    jar = http.cookiejar.CookieJar()
    opener = browser(jar)
    start = f"{base}/console/sign-in?next=/console"
    _, status, location, body = fetch(opener, start)
    expect(status, 303, "sign-in start", start, body)
    callback = choose_user(opener, urllib.parse.urljoin(start, location), subject)
    _, status, location, body = fetch(opener, callback)
    expect(status, 303, f"hub's callback for {subject}", callback, body)
    if not any(c.name == "lgsp_console" and c.value for c in jar):
        raise Unexpected(f"no session cookie after signing in as {subject}")
    return opener


def first_system_page(opener, base):
    """The operator's first system's page (its code read from the agency's list, as a user would click it), or None
    when the agency has no system."""
    _, status, _, body = fetch(opener, base + "/console/agency")
    expect(status, 200, "the operator's agency page", base + "/console/agency", body)
    found = SYSTEM_LINK.search(body.decode("utf-8"))
    if not found:
        return None
    return "/console/agency/systems/" + urllib.parse.quote(html.unescape(found.group(1)))


def measure(opener, base, page, rounds, user):
    """One warm-up request (caches, the session's first touch), then `rounds` timed GETs of `page`, each of which
    must answer 200, spaced as `pause_before` says; the row of statistics for the table."""
    url = base + page
    pause = pause_before(page)
    _, status, _, body = fetch(opener, url)
    expect(status, 200, f"{page} as {user}", url, body)
    times = []
    for _ in range(rounds):
        time.sleep(pause)
        took, status, _, body = fetch(opener, url)
        expect(status, 200, f"{page} as {user}", url, body)
        times.append(took * 1000)
    times.sort()
    return {
        "page": page,
        "user": user,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body)),
    }


def plan(base):
    """Every (user, opener, page) to time: public pages anonymously, then each role's pages as its demo user, each
    user signed in once (a session per user, as each would have in a browser)."""
    anonymous = browser()
    work = [("anonymous", anonymous, p) for p in PUBLIC_PAGES]
    sessions = {}
    for user, page in SIGNED_IN_PAGES:
        if user not in sessions:
            sessions[user] = sign_in(base, user)
        work.append((user, sessions[user], page))
    system = first_system_page(sessions["demo-operator"], base)
    if system:
        work.append(("demo-operator", sessions["demo-operator"], system))
    else:
        print("note: the operator's agency lists no system; no system page timed", file=sys.stderr)
    return work


def over_budget(row):
    """The benchmark's rule: a page over 100 KB, or a median over 50 ms, fails it."""
    return row["bytes"] > MAX_BYTES or row["median_ms"] > MAX_MEDIAN_MS


def print_table(rows):
    """The Markdown table for bench/RESULTS.md, and the two figures the README quotes."""
    print("\n| page | signed in as | median | p95 | size | gzip |\n| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        flag = " **over budget**" if over_budget(r) else ""
        print(f"| `{r['page']}` | {r['user']} | {r['median_ms']} ms | {r['p95_ms']} ms | {r['bytes']} B "
              f"| {r['gzip_bytes']} B |{flag}")
    largest = max(rows, key=lambda r: r["bytes"])
    slowest = max(rows, key=lambda r: r["median_ms"])
    print(f"\nLargest page: `{largest['page']}` ({largest['user']}), {largest['bytes']} B, "
          f"{largest['gzip_bytes']} B gzipped.")
    print(f"Slowest median: `{slowest['page']}` ({slowest['user']}), {slowest['median_ms']} ms "
          f"(p95 {slowest['p95_ms']} ms).")


def main():
    """Times every page, then prints the table; a step that goes wrong stops the run before any figure is printed as if
    it were good."""
    base = sys.argv[1].rstrip("/")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rows = []
    try:
        for user, opener, page in plan(base):
            row = measure(opener, base, page, rounds, user)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            rows.append(row)
    except Unexpected as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(2)
    print_table(rows)
    sys.exit(1 if any(over_budget(r) for r in rows) else 0)


if __name__ == "__main__":
    main()
