"""Who may reach which bid endpoint: 404 for a bid the caller may not know of, 403 for a known bid
but a forbidden action, 401 for anonymous callers. Nothing changes on a refused request."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership
from core.opaque import encode
from submissions import services
from submissions.models import Bid, BidAttachment, BidRevision, Partner
from tests.factories import OrganisationFactory, make_bid, member

from .test_api import PDF, close_bidding

pytestmark = pytest.mark.django_db


def pdf():
    return {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")}


@pytest.fixture
def target(challenge, bidder_org, bidder):
    """A submitted bid with a confirmed partner, a pending invitation and a submitted file."""
    bid = make_bid(challenge=challenge, lead=bidder_org, actor=bidder)
    attachment = services.attachment_add(bid=bid, actor=bidder, upload=SimpleUploadedFile("a.pdf", PDF))
    partner_org = OrganisationFactory(name="Partner University")
    partner = SimpleNamespace(
        admin=member(partner_org, Membership.Role.ADMIN), member=member(partner_org, Membership.Role.MEMBER)
    )
    confirmed = services.partner_invite(bid=bid, actor=bidder, organisation=partner_org)
    services.partner_respond(partner=confirmed, actor=partner.admin, accept=True)
    services.bid_submit(bid=bid, actor=bidder)
    invited_org = OrganisationFactory(name="Invited Lab")
    invited = services.partner_invite(bid=bid, actor=bidder, organisation=invited_org)
    return SimpleNamespace(
        bid=bid,
        attachment=attachment,
        confirmed=confirmed,
        invited=invited,
        invited_admin=member(invited_org, Membership.Role.ADMIN),
        partner=partner,
        challenge=challenge,
    )


# (method, path, body); paths are filled from the target.
ENDPOINTS = {
    "detail": ("get", "/api/v1/bids/{bid}/", None),
    "update": ("patch", "/api/v1/bids/{bid}/", lambda t: {"title": "Hijacked", "milestones": []}),
    "submit": ("post", "/api/v1/bids/{bid}/submit", None),
    "withdraw": ("post", "/api/v1/bids/{bid}/withdraw", None),
    "invite": ("post", "/api/v1/bids/{bid}/partners", lambda t: {"organisation": encode(OrganisationFactory().pk)}),
    "remove-partner": ("delete", "/api/v1/bids/{bid}/partners/{confirmed}", None),
    "confirm": ("post", "/api/v1/bids/{bid}/partners/{invited}/confirm", None),
    "decline": ("post", "/api/v1/bids/{bid}/partners/{invited}/decline", None),
    "upload": ("post", "/api/v1/bids/{bid}/attachments", lambda t: pdf()),
    "remove-file": ("delete", "/api/v1/bids/{bid}/attachments/{attachment}", None),
    "revisions": ("get", "/api/v1/bids/{bid}/revisions", None),
    "revision": ("get", "/api/v1/bids/{bid}/revisions/1", None),
    "download": ("get", "/api/v1/attachments/{attachment}/download", None),
}


def call(api, target, name: str):
    method, path, body = ENDPOINTS[name]
    path = path.format(
        bid=target.bid.pk,
        confirmed=encode(target.confirmed.pk),
        invited=encode(target.invited.pk),
        attachment=encode(target.attachment.pk),
    )
    data = body(target) if body else None
    fmt = "multipart" if name == "upload" else "json"
    response = getattr(api, method)(path, data, format=fmt) if data is not None else getattr(api, method)(path)
    if response.streaming:  # read a download to the end, which closes its file
        b"".join(response.streaming_content)
    return response


def state(target) -> tuple:
    bid = Bid.objects.get(pk=target.bid.pk)
    return (
        bid.title,
        bid.status,
        bid.milestones.count(),
        sorted(Partner.objects.filter(bid=bid).values_list("organisation_id", "status")),
        sorted(BidAttachment.objects.filter(bid=bid).values_list("pk", "removed_at")),
        list(BidRevision.objects.filter(bid=bid).values_list("number", "sha256")),
    )


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_rival_bidder_gets_404_everywhere_and_changes_nothing(name, api, target, rival):
    before = state(target)
    response = call(api.as_user(rival), target, name)
    assert response.status_code == 404, response.content
    assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}
    assert state(target) == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_reviewer_without_an_organisation_gets_404(name, api, target, reviewer):
    assert call(api.as_user(reviewer), target, name).status_code == 404


@pytest.mark.parametrize("name", ENDPOINTS)
def test_agency_staff_get_404_while_bidding_is_open(name, api, target, editor, approver):
    before = state(target)
    for user in (editor, approver):
        assert call(api.as_user(user), target, name).status_code == 404
    assert state(target) == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_callers_get_401(name, api, target):
    assert call(api.as_user(None), target, name).status_code == 401


def test_anonymous_callers_cannot_list_or_create(api, challenge):
    assert api.get("/api/v1/bids/").status_code == 401
    assert api.post("/api/v1/bids/", {"challenge": str(challenge.pk), "title": "X"}).status_code == 401


def test_a_rival_does_not_find_the_bid_in_any_list(api, target, rival):
    api.as_user(rival)
    assert api.get("/api/v1/bids/").json()["count"] == 0
    assert api.get(f"/api/v1/bids/?challenge={target.challenge.pk}").json()["count"] == 0


def test_an_unknown_bid_is_404_even_for_an_operator(api, operator):
    assert api.as_user(operator).get("/api/v1/bids/00000000-0000-0000-0000-000000000000/").status_code == 404


# Known bid, forbidden action: 403 -----------------------------------------------------------------------


FORBIDDEN = [
    ("bidder_member", "withdraw"),
    ("bidder_member", "invite"),
    ("bidder_member", "remove-partner"),
    ("bidder_member", "confirm"),
    ("bidder", "confirm"),
    ("bidder", "decline"),
    ("partner_admin", "update"),
    ("partner_admin", "submit"),
    ("partner_admin", "withdraw"),
    ("partner_admin", "upload"),
    ("partner_admin", "remove-file"),
    ("partner_admin", "invite"),
    ("partner_member", "update"),
    ("partner_member", "confirm"),
    ("operator", "update"),
    ("operator", "submit"),
    ("operator", "withdraw"),
]


@pytest.mark.parametrize(("who", "name"), FORBIDDEN)
def test_a_known_bid_but_a_forbidden_action_is_403(who, name, api, target, request):
    users = {"partner_admin": target.partner.admin, "partner_member": target.partner.member}
    user = users.get(who) or request.getfixturevalue(who)
    before = state(target)
    response = call(api.as_user(user), target, name)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    assert state(target) == before


@pytest.mark.parametrize("name", ["update", "submit", "withdraw", "invite", "upload", "remove-file"])
def test_agency_staff_may_read_after_close_but_never_change_the_bid(name, api, target, editor):
    close_bidding(target.challenge)
    before = state(target)
    assert call(api.as_user(editor), target, "detail").status_code == 200
    assert call(api, target, name).status_code == 403
    assert state(target) == before


@pytest.mark.parametrize("name", ["detail", "revisions", "revision", "download"])
def test_partners_may_read_what_they_are_part_of(name, api, target):
    for user in (target.partner.admin, target.partner.member, target.invited_admin):
        assert call(api.as_user(user), target, name).status_code == 200


def test_only_the_invited_organisations_admin_answers_its_invitation(api, target):
    # The confirmed partner's admin knows the bid but is not the one invited.
    assert call(api.as_user(target.partner.admin), target, "confirm").status_code == 403
    assert call(api.as_user(target.invited_admin), target, "confirm").status_code == 200
