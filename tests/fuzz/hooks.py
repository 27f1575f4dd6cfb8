"""Schemathesis hooks for the hub's fuzz run (loaded through SCHEMATHESIS_HOOKS by tests/fuzz/schemathesis.sh).

Schemathesis's own `not_a_server_error` and `positive_data_acceptance` checks treat any GraphQL error raised while
resolving a field as a failure. The hub answers bad input with coded domain errors (NOT_FOUND, BAD_USER_INPUT,
FORBIDDEN, CONFLICT, UPSTREAM_*, ...), which are correct answers to random input, so the script turns those two checks
off and this one takes their place: it fails only on what the hub must never answer.
"""

import json

import schemathesis

# The code the hub gives a failure of its own (src/error.rs, `code::INTERNAL`).
INTERNAL = "INTERNAL_SERVER_ERROR"


def _errors(response):
    try:
        payload = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise AssertionError(f"HTTP {response.status_code}: the body is not JSON")
    if not isinstance(payload, dict):
        raise AssertionError(f"HTTP {response.status_code}: the body is not a JSON object")
    errors = payload.get("errors") or []
    if not isinstance(errors, list):
        raise AssertionError("`errors` is not a list")
    return errors


@schemathesis.check
def hub_no_internal_error(ctx, response, case):
    """No HTTP 5xx, no INTERNAL_SERVER_ERROR, and every GraphQL error carries `extensions.code`."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.content[:300]!r}")
    for error in _errors(response):
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
        if code is None:
            raise AssertionError(f"GraphQL error without extensions.code: {message!r}")
        if code == INTERNAL:
            raise AssertionError(f"INTERNAL_SERVER_ERROR at {error.get('path')}: {message!r}")
    return None
