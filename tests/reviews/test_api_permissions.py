"""Who may reach which reviews endpoint. 401 for anonymous callers; 404 for an object the caller may
not know of (a round of another agency's challenge, someone else's assignment or profile); 403 for
a known object but a forbidden action; 409 when the state forbids it. A refused call changes nothing.

The target is a round in progress; `mine` is an invited assignment on the applicant's bid."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership
from challenges.models import Challenge
from challenges.services import close_due_bidding
from core.opaque import encode
from reviews.models import Assignment, DeclaredConflict, ExpertProfile, Review, ReviewRound
from submissions import services as bids
from tests.factories import OrganisationFactory, make_bid, make_challenge, member

from .conftest import make_expert
from .test_api import PDF, start, url

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "applicant", "rival", "other_agency", "unassigned", "agency", "assignee", "operator"]


def row(*codes: int) -> dict[str, int]:
    """Expected status codes in the order of ACTORS."""
    assert len(codes) == len(ACTORS)
    return dict(zip(ACTORS, codes, strict=True))


def csv_file(t):
    text = "email,full_name\nfresh.import@example.cn,Fresh Import\n"
    return {"file": SimpleUploadedFile("experts.csv", text.encode(), content_type="text/csv")}


#             name: (method, url name, url args from the target, body from the target, expected codes)
ENDPOINTS = {
    "experts-list": ("get", "expert-list", (), None, row(401, 403, 403, 403, 403, 403, 403, 200)),
    "experts-create": (
        "post",
        "expert-list",
        (),
        lambda t: {"email": "fresh@example.cn", "full_name": "Fresh Expert"},
        row(401, 403, 403, 403, 403, 403, 403, 201),
    ),
    "experts-import": ("post", "expert-import", (), csv_file, row(401, 403, 403, 403, 403, 403, 403, 200)),
    "expert-detail": ("get", "expert-detail", ("expert",), None, row(401, 404, 404, 404, 404, 404, 200, 200)),
    "expert-update": (
        "patch",
        "expert-detail",
        ("expert",),
        lambda t: {"bio": "Changed"},
        row(401, 404, 404, 404, 404, 404, 200, 200),
    ),
    "conflicts": ("get", "expert-conflicts", ("expert",), None, row(401, 404, 404, 404, 404, 404, 200, 200)),
    "conflict-declare": (
        "post",
        "expert-conflicts",
        ("expert",),
        lambda t: {"person_name": "A co-author", "reason": "Joint paper"},
        row(401, 404, 404, 404, 404, 404, 201, 201),
    ),
    "rounds": ("get", "round-list", (), None, row(401, 200, 200, 200, 200, 200, 200, 200)),
    "round": ("get", "round-detail", ("round",), None, row(401, 404, 404, 404, 404, 200, 404, 200)),
    "round-configure": (
        "patch",
        "round-detail",
        ("round",),
        lambda t: {"name": "Renamed"},
        row(401, 404, 404, 404, 404, 403, 404, 409),
    ),
    "assign": ("post", "round-assign", ("round",), None, row(401, 404, 404, 404, 404, 403, 404, 409)),
    "pairs": ("get", "round-assignments", ("round",), None, row(401, 404, 404, 404, 404, 403, 404, 200)),
    "pair-add": (
        "post",
        "round-assignments",
        ("round",),
        lambda t: {"item": encode(t.item.pk), "expert": encode(t.spare.pk)},
        row(401, 404, 404, 404, 404, 403, 404, 201),
    ),
    "invite": ("post", "round-invite", ("round",), None, row(401, 404, 404, 404, 404, 403, 404, 200)),
    "exclusions": ("get", "round-exclusions", ("round",), None, row(401, 404, 404, 404, 404, 403, 404, 200)),
    "progress": ("get", "round-progress", ("round",), None, row(401, 404, 404, 404, 404, 200, 404, 200)),
    "results": ("get", "round-results", ("round",), None, row(401, 404, 404, 404, 404, 409, 404, 409)),
    "formal-check": (
        "post",
        "item-formal-check",
        ("item",),
        lambda t: {"passed": True, "reason": "Complete"},
        row(401, 404, 404, 404, 404, 403, 404, 200),
    ),
    "lock": ("post", "assignment-lock", ("mine",), None, row(401, 404, 404, 404, 404, 404, 403, 409)),
    "unlock": ("delete", "assignment-lock", ("mine",), None, row(401, 404, 404, 404, 404, 404, 403, 409)),
    "assignments": ("get", "assignment-list", (), None, row(401, 200, 200, 200, 200, 200, 200, 200)),
    "assignment": ("get", "assignment-detail", ("mine",), None, row(401, 404, 404, 404, 404, 404, 200, 200)),
    "accept": ("post", "assignment-accept", ("mine",), None, row(401, 404, 404, 404, 404, 404, 200, 403)),
    "decline": (
        "post",
        "assignment-decline",
        ("mine",),
        lambda t: {"reason": "Busy"},
        row(401, 404, 404, 404, 404, 404, 200, 403),
    ),
    "recuse": (
        "post",
        "assignment-recuse",
        ("mine",),
        lambda t: {"reason": "Conflict"},
        row(401, 404, 404, 404, 404, 404, 200, 403),
    ),
    # An invited expert has not accepted yet: the files open only once they do.
    "download": ("get", "assignment-attachment", ("mine", 1), None, row(401, 404, 404, 404, 404, 404, 403, 200)),
    "reviews": ("get", "review-list", (), None, row(401, 200, 200, 200, 200, 200, 200, 200)),
    "review-draft": (
        "put",
        "review-draft",
        ("mine",),
        lambda t: {"comment": "Draft"},
        row(401, 404, 404, 404, 404, 404, 403, 403),
    ),
    "review-submit": ("post", "review-submit", ("mine",), None, row(401, 404, 404, 404, 404, 404, 403, 403)),
    "review-reopen": (
        "post",
        "review-reopen",
        ("mine",),
        lambda t: {"reason": "Typo"},
        row(401, 404, 404, 404, 404, 404, 403, 409),
    ),
}


@pytest.fixture
def closed_challenge(agency, editor, approver, bidder_org, bidder, rival_org, rival):
    """As in conftest, but the applicant's bid carries a file."""
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    bid = make_bid(challenge=challenge, lead=bidder_org, actor=bidder)
    bids.attachment_add(bid=bid, actor=bidder, upload=SimpleUploadedFile("plan.pdf", PDF))
    bids.bid_submit(bid=bid, actor=bidder)
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    return challenge


@pytest.fixture
def target(closed_challenge, experts, operator, other_agency, editor, bidder, rival, django_capture_on_commit_callbacks):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    item = next(i for i in round.items.all() if bidder.memberships.get().organisation_id in i.organisation_ids)
    mine = Assignment.objects.filter(item=item).select_related("expert__user").first()
    unassigned = make_expert(operator, name="Unassigned Expert", affiliation=OrganisationFactory())
    return SimpleNamespace(
        round=round,
        item=item,
        mine=mine,
        expert=mine.expert,
        spare=unassigned,
        users={
            "anonymous": None,
            "applicant": bidder,
            "rival": rival,
            "other_agency": member(other_agency, Membership.Role.APPROVER, full_name="Other Approver"),
            "unassigned": unassigned.user,
            "agency": editor,
            "assignee": mine.expert.user,
            "operator": operator,
        },
    )


def call(api, target, name: str):
    method, url_name, args, body, _expected = ENDPOINTS[name]
    values = [getattr(target, a).pk if isinstance(a, str) else a for a in args]
    data = body(target) if body else None
    fmt = "multipart" if name == "experts-import" else "json"
    response = getattr(api, method)(url(url_name, *values), data, format=fmt)
    if response.streaming:  # read a download to the end, which closes its file
        b"".join(response.streaming_content)
    return response


def state(target) -> tuple:
    round = ReviewRound.objects.get(pk=target.round.pk)
    item = round.items.get(pk=target.item.pk)
    return (
        round.name,
        round.status,
        item.check_status,
        item.check_reason,
        sorted(Assignment.objects.values_list("pk", "status", "locked")),
        ExpertProfile.objects.count(),
        ExpertProfile.objects.get(pk=target.expert.pk).bio,
        DeclaredConflict.objects.count(),
        sorted(Review.objects.values_list("pk", "status", "comment")),
    )


@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_caller_gets_the_expected_answer_and_refusals_change_nothing(name, api, target):
    expected = ENDPOINTS[name][4]
    wrong = {}
    for actor in ACTORS:  # the operator and the assignee, who may change things, come last
        before = state(target)
        response = call(api.as_user(target.users[actor]), target, name)
        if response.status_code != expected[actor]:
            wrong[actor] = (response.status_code, expected[actor], response.content[:200])
        if response.status_code >= 400:
            assert state(target) == before, (actor, "a refused call changed something")
            if not response.streaming:
                assert set(response.json()) == {"code", "detail", "fields"}
    assert not wrong, wrong


def test_a_round_of_another_agency_is_not_found_even_in_lists(api, target):
    other = target.users["other_agency"]
    api.as_user(other)
    assert api.get(url("round-list")).json()["count"] == 0
    assert api.get(url("round-list"), {"challenge": str(target.round.challenge_id)}).json()["count"] == 0


def test_applicants_and_rivals_see_no_rounds_assignments_or_reviews(api, target):
    for actor in ("applicant", "rival", "unassigned"):
        api.as_user(target.users[actor])
        assert api.get(url("round-list")).json()["count"] == 0
        assert api.get(url("assignment-list")).json()["count"] == 0
        assert api.get(url("review-list")).json()["count"] == 0


def test_an_unknown_round_or_assignment_is_404_even_for_an_operator(api, target):
    api.as_user(target.users["operator"])
    assert api.get(url("round-detail", 999999)).status_code == 404
    assert api.get(url("assignment-detail", 999999)).status_code == 404
    assert api.get(url("expert-detail", 999999)).status_code == 404
    assert api.post(url("item-formal-check", 999999), {"passed": True, "reason": "x"}).status_code == 404
