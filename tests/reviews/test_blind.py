"""Double-blind review through the API: a reviewer reads every response, file and notification
without ever meeting the applicant's name, its partners', its key people's or their ids.

The bid below writes those names into every free-text place a bidder can (title, approach, team,
achievements, milestones, budget, evidence, file name), and its organisations get distinctive ids
so the raw JSON can be searched for them too."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership
from challenges.models import Challenge
from challenges.services import close_due_bidding
from core.opaque import decode
from reviews.models import Assignment
from submissions import services as bids
from submissions.models import Bid
from tests.factories import OrganisationFactory, make_bid, make_challenge, member

from .conftest import make_expert
from .test_api import PDF, configure, scores_for, start, url

pytestmark = pytest.mark.django_db

LEAD, PARTNER, RIVAL = "Bidder Ltd", "Partner University", "Rival Ltd"
PEOPLE = ["Dr. Chen Wei", "Prof. Li Na"]
LEAD_PK, PARTNER_PK, RIVAL_PK = 910001, 910002, 910003
FILE_NAME = f"{LEAD} business plan.pdf"
# Keys that would carry identity (or a way back to it) if they ever reached a blind reviewer.
IDENTITY_KEYS = {
    "lead",
    "partners",
    "team",
    "organisation",
    "organisation_id",
    "organisation_ids",
    "subject_id",
    "subject",
    "label",
    "bid",
    "keywords",
    "expert",
}


@pytest.fixture
def bidder_org(db):
    return OrganisationFactory(pk=LEAD_PK, name=LEAD)


@pytest.fixture
def rival_org(db):
    return OrganisationFactory(pk=RIVAL_PK, name=RIVAL)


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(pk=PARTNER_PK, name=PARTNER)


def identifying_bid(challenge, lead, actor, partner_org):
    bid = make_bid(challenge=challenge, lead=lead, actor=actor, title=f"{LEAD} silicon carbide line")
    partner = bids.partner_invite(bid=bid, actor=actor, organisation=partner_org, work_split=f"{PARTNER} grows boules")
    bids.partner_respond(partner=partner, actor=member(partner_org, Membership.Role.ADMIN), accept=True)
    bids.bid_update(
        bid=bid,
        actor=actor,
        data={
            "technical_approach": f"{LEAD} and {PARTNER} grow 8-inch boules; {PEOPLE[0]} leads the furnace work.",
            "team_description": f"{PEOPLE[0]} ({LEAD}) and {PEOPLE[1]} of {PARTNER}.",
            "prior_achievements": f"{LEAD.upper()} shipped 6-inch wafers in 2023.",
        },
    )
    bids.team_set(
        bid=bid,
        actor=actor,
        people=[
            {"name": PEOPLE[0], "role": "Project leader", "is_leader": True},
            {"name": PEOPLE[1], "role": "Chief scientist", "organisation_id": partner_org.pk},
        ],
    )
    money = {"government_amount": Decimal("500000"), "own_amount": Decimal("500000")}
    bids.budget_set(
        bid=bid,
        actor=actor,
        lines=[
            {"category": "equipment", "description": f"Furnace for {LEAD}", **money},
            {"category": "testing", "description": f"Tests by {PEOPLE[1]}", "organisation_id": partner_org.pk, **money},
        ],
    )
    bids.milestones_set(
        bid=bid,
        actor=actor,
        milestones=[
            {"title": f"{LEAD} pilot line", "deliverables": f"Wafers checked by {PARTNER}", "due_month": 12,
             "tranche_percent": Decimal("60")},
            {"title": "Final acceptance", "deliverables": "Report", "due_month": 24, "tranche_percent": Decimal("40")},
        ],
    )  # fmt: skip
    bids.commitments_set(
        bid=bid,
        actor=actor,
        commitments=[
            {"indicator": i.pk, "value": i.target_value, "evidence": f"Measured at {PARTNER}"} for i in challenge.indicators.all()
        ],
    )
    bids.attachment_add(bid=bid, actor=actor, upload=SimpleUploadedFile(FILE_NAME, PDF))
    bids.pledge_sign(bid=bid, actor=actor)
    bids.bid_submit(bid=bid, actor=actor)
    bid.refresh_from_db()
    return bid


@pytest.fixture
def challenge(agency, editor, approver, bidder_org, bidder, rival_org, rival, partner_org):
    """Two submitted bids, the first full of identifying names; bidding has just closed."""
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    challenge.bid = identifying_bid(challenge, bidder_org, bidder, partner_org)
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    return challenge


@pytest.fixture
def closed_challenge(challenge):
    return challenge


def names(bidder, rival) -> list[str]:
    return [LEAD, PARTNER, RIVAL, *PEOPLE, bidder.full_name, rival.full_name, bidder.email]


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value)) if value else set()
    return set()


def assert_anonymous(response, challenge, bidder, rival) -> None:
    """Nothing in the body or headers names the applicant, a partner, a person or their ids."""
    if response.streaming:
        body = b"".join(response.streaming_content).decode("latin-1")
    else:
        body = response.content.decode()
    text = body + json.dumps(dict(response.headers), ensure_ascii=False)
    for name in names(bidder, rival):
        assert name.lower() not in text.lower(), (name, response.request["PATH_INFO"])
    bid_ids = [str(pk) for pk in Bid.objects.filter(challenge=challenge).values_list("pk", flat=True)]
    for token in (str(LEAD_PK), str(PARTNER_PK), str(RIVAL_PK), *bid_ids):
        assert token not in text, (token, response.request["PATH_INFO"])
    if not response.streaming and response["Content-Type"].startswith("application/json"):
        found = keys_of(response.json()) & IDENTITY_KEYS
        assert not found, (found, response.request["PATH_INFO"])


def on_lead_item(round) -> Assignment:
    item = next(i for i in round.items.all() if LEAD_PK in i.organisation_ids)
    return Assignment.objects.filter(item=item).select_related("expert__user").first()


def test_a_blind_reviewer_meets_no_identity_in_any_response(
    api, challenge, experts, bidder, rival, django_capture_on_commit_callbacks
):
    round = start(challenge, django_capture_on_commit_callbacks)
    assert round.blind
    assignment = on_lead_item(round)
    api.as_user(assignment.expert.user)
    check = lambda response: assert_anonymous(response, challenge, bidder, rival)  # noqa: E731
    responses = [
        api.get(url("assignment-list")),
        api.get(url("assignment-detail", assignment.pk)),
        api.post(url("assignment-accept", assignment.pk)),
    ]
    detail = api.get(url("assignment-detail", assignment.pk))
    responses.append(detail)
    content = detail.json()["content"]
    assert content["technical_approach"].count("[applicant]") == 3
    assert content["partner_count"] == 1 and content["team_size"] == 2
    assert [a["name"] for a in detail.json()["attachments"]] == ["Attachment 1.pdf"]
    assert detail.json()["title"].startswith("Bid ")

    download = api.get(detail.json()["attachments"][0]["url"])
    assert download.status_code == 200
    assert 'filename="Attachment 1.pdf"' in download["Content-Disposition"]
    responses.append(download)
    responses += [
        api.put(url("review-draft", assignment.pk), {"comment": "Promising"}, format="json"),
        api.post(url("review-submit", assignment.pk), {"scores": scores_for(round)}, format="json"),
        api.get(url("review-list")),
        api.get(url("assignment-detail", assignment.pk)),
        api.get("/api/v1/notifications/"),
    ]
    assert api.get("/api/v1/notifications/").json()["count"] >= 1
    for response in responses:
        assert response.status_code == 200, (response.request["PATH_INFO"], response.content)
        check(response)


def test_a_blind_reviewer_of_both_items_meets_neither_applicant(
    api, challenge, operator, bidder, rival, django_capture_on_commit_callbacks
):
    both = make_expert(operator, name="Generalist", affiliation=OrganisationFactory())
    for n in range(2):  # three experts in all: each must take both items
        make_expert(operator, name=f"Colleague {n}", affiliation=OrganisationFactory())
    round = start(challenge, django_capture_on_commit_callbacks)
    mine = list(Assignment.objects.filter(expert=both))
    assert len(mine) == round.items.count() == 2
    api.as_user(both.user)
    for assignment in mine:
        api.post(url("assignment-accept", assignment.pk))
        assert_anonymous(api.get(url("assignment-detail", assignment.pk)), challenge, bidder, rival)
    assert_anonymous(api.get(url("assignment-list")), challenge, bidder, rival)


def test_in_an_open_round_the_reviewer_sees_the_names(api, challenge, experts, operator, django_capture_on_commit_callbacks):
    configure(challenge, operator, blind=False)
    round = start(challenge, django_capture_on_commit_callbacks)
    assignment = on_lead_item(round)
    api.as_user(assignment.expert.user)
    api.post(url("assignment-accept", assignment.pk))
    detail = api.get(url("assignment-detail", assignment.pk))
    text = detail.content.decode()
    for name in (LEAD, PARTNER, *PEOPLE):
        assert name in text
    assert detail.json()["content"]["lead"]["name"] == LEAD
    assert LEAD in detail.json()["title"]
    assert [a["name"] for a in detail.json()["attachments"]] == [FILE_NAME]
    download = api.get(detail.json()["attachments"][0]["url"])
    b"".join(download.streaming_content)
    assert "business%20plan.pdf" in download["Content-Disposition"] or FILE_NAME in download["Content-Disposition"]


def test_a_reviewer_gets_404_on_every_assignment_not_their_own(api, challenge, experts, django_capture_on_commit_callbacks):
    round = start(challenge, django_capture_on_commit_callbacks)
    mine = on_lead_item(round)
    others = Assignment.objects.filter(item__round=round).exclude(expert=mine.expert)
    api.as_user(mine.expert.user)
    for other in others:
        for response in (
            api.get(url("assignment-detail", other.pk)),
            api.get(url("assignment-attachment", other.pk, 1)),
            api.post(url("assignment-accept", other.pk)),
            api.put(url("review-draft", other.pk), {"comment": "x"}, format="json"),
        ):
            assert response.status_code == 404
    assert {decode(a["id"]) for a in api.get(url("assignment-list")).json()["results"]} <= set(
        Assignment.objects.filter(expert=mine.expert).values_list("pk", flat=True)
    )


def test_a_conflicted_expert_never_reaches_the_item(
    api, challenge, experts, operator, bidder_org, bidder, rival, django_capture_on_commit_callbacks
):
    insider = make_expert(operator, name="Insider", affiliation=bidder_org)
    round = start(challenge, django_capture_on_commit_callbacks)
    lead_item = on_lead_item(round).item
    api.as_user(insider.user)
    for assignment in Assignment.objects.filter(item=lead_item):
        assert api.get(url("assignment-detail", assignment.pk)).status_code == 404
        assert api.get(url("assignment-attachment", assignment.pk, 1)).status_code == 404
    listed = api.get(url("assignment-list"))
    assert lead_item.blind_label not in listed.content.decode()


def test_a_recused_expert_loses_the_content_and_never_sees_the_others(
    api, challenge, experts, bidder, rival, django_capture_on_commit_callbacks
):
    round = start(challenge, django_capture_on_commit_callbacks)
    mine = on_lead_item(round)
    api.as_user(mine.expert.user)
    api.post(url("assignment-accept", mine.pk))
    with django_capture_on_commit_callbacks(execute=True):
        api.post(url("assignment-recuse", mine.pk), {"reason": "I know the team"})
    detail = api.get(url("assignment-detail", mine.pk))
    assert detail.json()["status"] == "recused" and detail.json()["content"] is None
    assert api.get(url("assignment-attachment", mine.pk, 1)).status_code == 403
    assert_anonymous(detail, challenge, bidder, rival)
    for other in Assignment.objects.filter(item=mine.item).exclude(pk=mine.pk):
        assert api.get(url("assignment-detail", other.pk)).status_code == 404


def test_proposals_stay_invisible_to_experts_until_invited(api, challenge, experts, operator, django_capture_on_commit_callbacks):
    configure(challenge, operator, auto_invite=False)
    round = start(challenge, django_capture_on_commit_callbacks)
    proposed = on_lead_item(round)
    assert proposed.status == Assignment.Status.PROPOSED
    api.as_user(proposed.expert.user)
    assert api.get(url("assignment-list")).json()["count"] == 0
    assert api.get(url("assignment-detail", proposed.pk)).status_code == 404
