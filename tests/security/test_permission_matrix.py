"""Walks tests/security/matrix.py: every route × every role against one world, built once per module.

Each cell is its own test (named route-METHOD-role) inside pytest-django's per-test transaction,
nested in the module's: a POST that gets through changes nothing for the next cell."""

import json
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .matrix import DENY, E403, E404, E405, FINDINGS, LOGIN, OK, SKIPPED_PREFIXES, TABLE
from .world import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

CELLS = [(entry, role) for entry in TABLE for role in ROLES]


def _cell(entry, role):
    finding = FINDINGS.get((entry.name, entry.method, role))
    marks = [pytest.mark.xfail(strict=True, reason=f"finding: {finding}")] if finding else []
    return pytest.param(entry, role, marks=marks, id=f"{entry.name}-{entry.method}-{role}")


def live_routes() -> dict[str, object]:
    """Route name -> view callback for every pattern of the live URLconf, outside the skipped prefixes."""
    found = {}

    def walk(resolver, prefix: str, namespace: str | None):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                walk(pattern, route, inner)
            elif isinstance(pattern, URLPattern):
                found[":".join(n for n in (namespace, pattern.name) if n)] = pattern.callback

    walk(get_resolver(), "", None)
    return found


def test_every_live_route_is_in_the_table_and_every_entry_is_live():
    live = live_routes()
    table = {entry.name for entry in TABLE}
    print(f"\npermission matrix: {len(table)} routes, {len(TABLE)} route-methods × {len(ROLES)} roles = {len(CELLS)} cells")
    assert sorted(set(live) - table) == [], "routes missing from tests/security/matrix.py"
    assert sorted(table - set(live)) == [], "table entries with no live route"


def test_every_api_operation_is_in_the_table():
    """For REST views the methods are known: each one must have its row."""
    methods = {(e.name, e.method.lower()) for e in TABLE}
    missing = []
    for name, callback in live_routes().items():
        view = getattr(callback, "cls", None)
        if view is None:
            continue
        missing += [
            f"{name} {m.upper()}"
            for m in ("get", "post", "put", "patch", "delete")
            if hasattr(view, m) and (name, m) not in methods
        ]
    assert missing == []


def test_no_entry_is_listed_twice():
    keys = [(e.name, e.method) for e in TABLE]
    assert len(keys) == len(set(keys))


@pytest.fixture(scope="module")
def client():
    """One client for the module: a new one would load the middleware again (WhiteNoise scans every
    static file then), which costs more than the request. Its cookies are reset before each request."""
    return Client(raise_request_exception=False)


def _request(client, world, entry, role: str):
    client.cookies = SimpleCookie()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = reverse(entry.name, kwargs=entry.kwargs(world))
    data = entry.data(world) if entry.data else {}
    send = getattr(client, entry.method.lower())
    if entry.is_api and entry.method != "GET" and not entry.multipart:
        return send(url, json.dumps(data), content_type="application/json")
    return send(url, data)


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))


def verdict(response, entry) -> str:
    """The expectation this response meets (or the bare status when it meets none)."""
    status = response.status_code
    if _to_login(response) or (entry.is_api and status == 401):
        return LOGIN
    if status == 405:
        return E405
    if status < 400 or status in (400, 409):
        return OK
    return {403: E403, 404: E404}.get(status, str(status))


def meets(got: str, expected: str, response, entry) -> bool:
    if expected == DENY:
        return got in (E403, E404)
    if expected == LOGIN and entry.is_api:
        return got == LOGIN or response.status_code == 403  # DRF answers 403 without an auth header challenge
    return got == expected


@pytest.mark.parametrize(("entry", "role"), [_cell(e, r) for e, r in CELLS])
def test_cell(client, world, entry, role):
    response = _request(client, world, entry, role)
    got = verdict(response, entry)
    expected = entry.expect[role]
    detail = response.get("Location", "") or (b"<file>" if response.streaming else response.content[:200])
    assert meets(got, expected, response, entry), (
        f"{entry.method} {entry.name} as {role}: got {response.status_code} {detail!r}, expected {expected}"
    )


@pytest.mark.parametrize("entry", TABLE, ids=[f"{e.name}-{e.method}" for e in TABLE])
def test_every_entry_names_every_role(entry):
    assert set(entry.expect) == set(ROLES)
