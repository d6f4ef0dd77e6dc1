"""Permission before the body: a role the matrix denies is refused (403/404) whatever it sends.

The matrix (tests/security/matrix.py) sends a valid body where a view used to read the body before
asking who is acting, so that the permission check was reached at all. Here every write of the
table is sent again as each denied role with an EMPTY body, and (for the API) with a body that is
not even an object: the answer must still be the matrix's denial, never a 400 that tells the
caller which fields to fix (and that the object and the action are within reach)."""

import json
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .matrix import DENY, E403, E404, TABLE
from .world import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

WRITES = ("POST", "PUT", "PATCH", "DELETE")
DENIALS = (E403, E404, DENY)

# Creating through a list names the target in the body: a role that may create for ANOTHER target
# passes the early check and rightly gets 400 for an empty body. Those cells are left to the matrix.
MAY_CREATE_ELSEWHERE = {("challenges:challenge-list", "POST"): {"other_agency_staff"}}

# Bodies that can never be valid: nothing at all, and (API) a JSON value that is not an object.
BODIES = {"empty": {}, "not-an-object": [1, 2]}


def _cells():
    for entry in TABLE:
        if entry.method not in WRITES:
            continue
        skipped = MAY_CREATE_ELSEWHERE.get((entry.name, entry.method), set())
        for role in ROLES:
            if role == "anonymous" or role in skipped or entry.expect[role] not in DENIALS:
                continue
            for body in BODIES if entry.is_api and not entry.multipart else ["empty"]:
                yield pytest.param(entry, role, body, id=f"{entry.name}-{entry.method}-{role}-{body}")


CELLS = list(_cells())


@pytest.fixture(scope="module")
def client():
    return Client(raise_request_exception=False)


def _send(client, world, entry, role: str, body: str):
    client.cookies = SimpleCookie()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = reverse(entry.name, kwargs=entry.kwargs(world))
    send = getattr(client, entry.method.lower())
    if entry.is_api and not entry.multipart:
        return send(url, json.dumps(BODIES[body]), content_type="application/json")
    return send(url, {})


def test_the_walk_covers_the_reported_routes():
    """The routes whose views read the body first (issue 8): each has at least one denied cell here."""
    reported = {
        "awards:contract-extension",
        "awards:contract-terminate",
        "awards:contract-sign",
        "awards:contract-detail",
        "awards:milestone-acceptance",
        "awards:milestone-deliverables",
        "awards:disbursement-mark-paid",
        "awards:objection-resolve",
        "challenges:challenge-list",
        "challenges:challenge-amendments",
        "challenges:challenge-questions",
        "challenges:challenge-cancel",
        "challenges:challenge-return",
        "challenges:question-answer",
        "challenges:subscriptions",
        "challenges:challenge-attachments",
        "challenges:challenge-detail",
        "submissions:bid-list",
        "submissions:bid-detail",
        "submissions:partner-invite",
        "submissions:attachment-upload",
        "reviews:round-defence",
        "reviews:item-formal-check",
        "reviews:assignment-recuse",
        "reviews:review-reopen",
        "accounts:organisation-reject",
        "frontend:assignment_recuse",
        "frontend:assignment_reopen",
    }
    covered = {cell.values[0].name for cell in CELLS}
    assert reported - covered == set()


@pytest.mark.parametrize(("entry", "role", "body"), CELLS)
def test_a_denied_role_is_refused_before_its_body_is_read(client, world, entry, role, body):
    response = _send(client, world, entry, role, body)
    expected = entry.expect[role]
    allowed = {E403: {403}, E404: {404}, DENY: {403, 404}}[expected]
    assert response.status_code in allowed, (
        f"{entry.method} {entry.name} as {role} with a {body} body: got {response.status_code} "
        f"{response.content[:200]!r}, expected {expected}"
    )


def test_an_empty_patch_to_a_bid_is_refused_to_the_partner_and_the_operator(client, world):
    """An empty PATCH changes nothing, and used to skip the permission check on that account (200)."""
    entry = next(e for e in TABLE if (e.name, e.method) == ("submissions:bid-detail", "PATCH"))
    for role, status in [("partner", 403), ("operator", 403), ("editor", 404), ("rival", 404)]:
        assert _send(client, world, entry, role, "empty").status_code == status, role
    assert _send(client, world, entry, "applicant", "empty").status_code == 200  # its own bid: nothing to do
