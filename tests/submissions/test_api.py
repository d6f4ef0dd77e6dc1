"""The bids API end to end: drafting, submitting, the deadline, consortia, files, and who sees what."""

import inspect
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Organisation
from challenges.models import Challenge
from challenges.services import close_due_bidding
from core.opaque import decode, encode
from submissions import eligibility, services
from submissions.models import Bid, BidAttachment, BidRevision, Partner
from tests.factories import OrganisationFactory, make_bid, make_challenge, member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(bid, action: str = "") -> str:
    return f"/api/v1/bids/{bid.pk}/{action}"


def close_bidding(challenge) -> None:
    """Let the deadline pass and the clock close bidding, as the periodic task would."""
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now() - timedelta(seconds=1))
    close_due_bidding(timezone.now())


def complete_sections(challenge) -> dict:
    funding = challenge.government_funding
    return {
        "technical_approach": "Physical vapour transport growth with a new seed holder.",
        "team_description": "Twelve engineers, two professors.",
        "requested_funding": str(funding),
        "own_funding": str((funding * challenge.cofunding_ratio).quantize(Decimal("0.01"))),
        "commitments": [
            {"indicator": i.pk, "value": str(i.target_value), "evidence": "Third-party test report"}
            for i in challenge.indicators.all()
        ],
        "team": [{"name": "Dr. Chen", "role": "Project leader", "is_leader": True}],
        "budget_lines": [{"category": "equipment", "government_amount": "1000000", "own_amount": "1000000"}],
        "milestones": [
            {"title": "Mid-term check", "due_month": 12, "tranche_percent": "60"},
            {"title": "Final acceptance", "due_month": 24, "tranche_percent": "40"},
        ],
        "integrity_pledge": True,
    }


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def partner_org(**org_fields) -> SimpleNamespace:
    organisation = OrganisationFactory(**org_fields)
    return SimpleNamespace(
        org=organisation,
        admin=member(organisation, Membership.Role.ADMIN),
        member=member(organisation, Membership.Role.MEMBER),
    )


def invite(api, bid, lead_admin, organisation, **data) -> dict:
    response = api.as_user(lead_admin).post(
        url(bid, "partners"), {"organisation": encode(organisation.pk), **data}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


# Drafting and submitting -------------------------------------------------------------------------


def test_a_bid_is_created_filled_and_submitted_through_the_api(api, challenge, bidder, bidder_org):
    created = api.as_user(bidder).post("/api/v1/bids/", {"challenge": str(challenge.pk), "title": "SiC by PVT"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["lead"] == {"id": encode(bidder_org.pk), "name": bidder_org.name}
    assert body["status"] == "draft" and body["revision"] is None
    assert {"indicators_missing", "no_milestones", "no_pledge"} <= {p["code"] for p in body["checklist"]}

    filled = api.patch(f"/api/v1/bids/{body['id']}/", complete_sections(challenge), format="json")
    assert filled.status_code == 200, filled.json()
    detail = filled.json()
    assert detail["checklist"] == []
    assert detail["integrity_pledged_at"] is not None
    assert [m["title"] for m in detail["milestones"]] == ["Mid-term check", "Final acceptance"]
    assert detail["commitments"][0]["indicator_name"] == "Micropipe density"
    assert detail["budget_lines"][0]["organisation"] == encode(bidder_org.pk)

    submitted = api.post(f"/api/v1/bids/{body['id']}/submit")
    assert submitted.status_code == 200, submitted.json()
    revision = submitted.json()
    assert revision["number"] == 1 and len(revision["sha256"]) == 64 and revision["submitted_at"]

    detail = api.get(f"/api/v1/bids/{body['id']}/").json()
    assert detail["status"] == "submitted"
    assert detail["revision"] == 1 and detail["current_revision"]["sha256"] == revision["sha256"]
    assert api.get(f"/api/v1/bids/{body['id']}/revisions").json() == [revision]
    content = api.get(f"/api/v1/bids/{body['id']}/revisions/1").json()["content"]
    assert content["title"] == "SiC by PVT" and len(content["milestones"]) == 2


def test_resubmitting_makes_a_new_revision_and_old_ones_stay_readable(api, bid, bidder):
    api.as_user(bidder).post(url(bid, "submit"))
    api.patch(url(bid), {"technical_approach": "A better approach"}, format="json")
    second = api.post(url(bid, "submit")).json()
    assert second["number"] == 2
    assert api.get(url(bid, "revisions/1")).json()["content"]["technical_approach"].startswith("Physical")
    assert api.get(url(bid, "revisions/2")).json()["content"]["technical_approach"] == "A better approach"
    assert api.get(url(bid, "revisions/3")).status_code == 404


def test_create_refuses_an_unknown_challenge_and_someone_elses_organisation(api, challenge, bidder, rival_org):
    api.as_user(bidder)
    unknown = api.post("/api/v1/bids/", {"challenge": "00000000-0000-0000-0000-000000000000", "title": "X"})
    assert unknown.status_code == 400 and "challenge" in unknown.json()["fields"]
    foreign = api.post(
        "/api/v1/bids/", {"challenge": str(challenge.pk), "lead": encode(rival_org.pk), "title": "X"}, format="json"
    )
    assert foreign.status_code == 403
    assert not Bid.objects.exists()


def test_a_draft_challenge_cannot_be_bid_on_or_even_named(api, agency, editor, bidder):
    draft = make_challenge(issuer=agency, editor=editor, status="draft")
    response = api.as_user(bidder).post("/api/v1/bids/", {"challenge": str(draft.pk), "title": "Early"})
    assert response.status_code == 400
    assert response.json()["fields"]["challenge"] == ["No such challenge."]


def test_agency_staff_cannot_create_bids(api, challenge, editor):
    response = api.as_user(editor).post("/api/v1/bids/", {"challenge": str(challenge.pk), "title": "Own bid"})
    assert response.status_code == 403


def test_a_member_may_create_for_their_organisation(api, challenge, bidder_member, bidder_org):
    response = api.as_user(bidder_member).post(
        "/api/v1/bids/", {"challenge": str(challenge.pk), "lead": encode(bidder_org.pk), "title": "Member's draft"}
    )
    assert response.status_code == 201
    assert Bid.objects.get().created_by == bidder_member


def test_a_patch_applies_whole_or_not_at_all_and_names_every_bad_part(api, bid, bidder):
    before = api.as_user(bidder).get(url(bid)).json()
    response = api.patch(
        url(bid),
        {
            "title": "Changed",
            "commitments": [{"indicator": 999999, "value": "1"}],
            "milestones": [{"title": "Negative", "due_month": 12, "tranche_percent": "-5"}],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"commitments", "milestones"} <= set(body["fields"])
    after = api.get(url(bid)).json()
    assert after["title"] == before["title"] and after["milestones"] == before["milestones"]


def test_a_malformed_section_is_refused_with_its_row_and_field(api, bid, bidder):
    response = api.as_user(bidder).patch(
        url(bid), {"milestones": [{"title": "M", "due_month": "soon", "tranche_percent": "60"}]}, format="json"
    )
    assert response.status_code == 400
    assert "milestones.0.due_month" in response.json()["fields"]


def test_the_pledge_cannot_be_unsigned(api, bid, bidder):
    response = api.as_user(bidder).patch(url(bid), {"integrity_pledge": False}, format="json")
    assert response.status_code == 400 and "integrity_pledge" in response.json()["fields"]


def test_a_budget_line_for_a_stranger_is_refused(api, bid, bidder, rival_org):
    response = api.as_user(bidder).patch(
        url(bid), {"budget_lines": [{"organisation": encode(rival_org.pk), "category": "travel"}]}, format="json"
    )
    assert response.status_code == 400 and "budget_lines" in response.json()["fields"]


# Eligibility: each failing rule named by its code ------------------------------------------------------


def _update_challenge(s, **fields):
    Challenge.objects.filter(pk=s.challenge.pk).update(**fields)


def _update_lead(s, **fields):
    Organisation.objects.filter(pk=s.bid.lead_id).update(**fields)


def _patch(s, **data):
    response = s.api.as_user(s.bidder).patch(url(s.bid), data, format="json")
    assert response.status_code == 200, response.json()


def _confirmed_partner(s, **org_fields):
    partner = partner_org(**org_fields)
    invited = invite(s.api, s.bid, s.bidder, partner.org)
    response = s.api.as_user(partner.admin).post(url(s.bid, f"partners/{invited['id']}/confirm"))
    assert response.status_code == 200, response.json()
    return partner


def _no_consortia(s):
    _confirmed_partner(s)
    _update_challenge(s, consortium_allowed=False)


def _too_many_partners(s):
    _confirmed_partner(s)
    _confirmed_partner(s)
    _update_challenge(s, max_partners=1)


def _second_bid(s):
    make_bid(challenge=s.challenge, lead=s.bid.lead, actor=s.bidder, submit=True, title="The first one")


ELIGIBILITY_CASES = {
    "deadline": lambda s: _update_challenge(s, bidding_closes_at=timezone.now() - timedelta(seconds=1)),
    "not_open": lambda s: _update_challenge(s, bidding_opens_at=timezone.now() + timedelta(days=1)),
    "lead_unverified": lambda s: _update_lead(s, status=Organisation.Status.PENDING),
    "lead_banned": lambda s: _update_lead(s, banned_until=timezone.localdate() + timedelta(days=365)),
    "kind_not_allowed": lambda s: _update_challenge(s, allowed_kinds=["university"]),
    "size_not_allowed": lambda s: _update_challenge(s, allowed_sizes=["large"]),
    "not_sme": lambda s: (_update_challenge(s, smes_only=True), _update_lead(s, size=Organisation.Size.LARGE)),
    "issuer_conflict": lambda s: _update_lead(s, parent=s.challenge.issuer),
    "consortium_not_allowed": _no_consortia,
    "too_many_partners": _too_many_partners,
    "partner_unconfirmed": lambda s: invite(s.api, s.bid, s.bidder, OrganisationFactory()),
    "partner_unverified": lambda s: _confirmed_partner(s, pending=True),
    "indicators_missing": lambda s: _patch(s, commitments=[]),
    "no_funding_requested": lambda s: _patch(s, requested_funding="0"),
    "funding_too_high": lambda s: _patch(
        s,
        requested_funding=str(s.challenge.government_funding + 1),
        own_funding=str(s.challenge.government_funding * 2),
    ),
    "cofunding_short": lambda s: _patch(s, own_funding="0"),
    "no_milestones": lambda s: _patch(s, milestones=[]),
    "tranches_not_100": lambda s: _patch(s, milestones=[{"title": "Only", "due_month": 12, "tranche_percent": "50"}]),
    "milestone_too_late": lambda s: _patch(
        s, milestones=[{"title": "Late", "due_month": s.challenge.execution_months + 1, "tranche_percent": "100"}]
    ),
    "no_pledge": lambda s: Bid.objects.filter(pk=s.bid.pk).update(integrity_pledged_at=None),
    "bid_limit": _second_bid,
}


@pytest.mark.parametrize("code", ELIGIBILITY_CASES)
def test_each_failing_eligibility_rule_is_reported_by_its_code(code, api, bid, bidder, challenge):
    ELIGIBILITY_CASES[code](SimpleNamespace(api=api, bid=bid, bidder=bidder, challenge=challenge))
    response = api.as_user(bidder).post(url(bid, "submit"))
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    assert set(fields) == {code}
    assert len(fields[code]) == 1 and fields[code][0]
    assert not BidRevision.objects.filter(bid=bid).exists()


def test_every_eligibility_rule_has_a_case_here():
    source = inspect.getsource(eligibility)
    assert set(re.findall(r'fail\(\s*"(\w+)"', source)) == set(ELIGIBILITY_CASES)


def test_every_failing_rule_is_reported_at_once(api, challenge, bidder):
    created = api.as_user(bidder).post("/api/v1/bids/", {"challenge": str(challenge.pk), "title": "Empty"}).json()
    response = api.post(f"/api/v1/bids/{created['id']}/submit")
    assert response.status_code == 400
    assert {"indicators_missing", "no_funding_requested", "no_milestones", "no_pledge"} <= set(response.json()["fields"])


# The deadline, to the second -----------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Stop the platform's clock at a given moment."""

    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return at


def test_a_submit_one_second_before_the_deadline_is_accepted(api, bid, bidder, challenge, clock):
    clock(challenge.bidding_closes_at - timedelta(seconds=1))
    response = api.as_user(bidder).post(url(bid, "submit"))
    assert response.status_code == 200, response.json()
    assert response.json()["number"] == 1


def test_a_submit_one_second_after_the_deadline_is_refused(api, bid, bidder, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now() - timedelta(seconds=1))
    response = api.as_user(bidder).post(url(bid, "submit"))
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"deadline"}
    assert not BidRevision.objects.exists()


def test_the_revision_at_the_deadline_is_frozen(api, submitted_bid, bidder, challenge):
    api.as_user(bidder)
    detail_before = api.get(url(submitted_bid)).json()
    revision_before = api.get(url(submitted_bid, "revisions/1")).json()
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now() - timedelta(seconds=1))

    response = api.patch(url(submitted_bid), {"title": "Changed", "milestones": []}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "deadline_passed"
    upload = api.post(url(submitted_bid, "attachments"), {"file": pdf()}, format="multipart")
    assert upload.status_code == 409
    assert api.post(url(submitted_bid, "withdraw")).status_code == 409

    def bid_part(detail: dict) -> dict:  # the challenge's deadline and the checklist did change
        return {k: v for k, v in detail.items() if k not in {"challenge", "checklist"}}

    assert bid_part(api.get(url(submitted_bid)).json()) == bid_part(detail_before)
    assert api.get(url(submitted_bid, "revisions/1")).json() == revision_before
    assert api.get(url(submitted_bid, "revisions")).json() == [
        {k: revision_before[k] for k in ("number", "submitted_at", "sha256")}
    ]


def test_withdrawing_is_for_the_lead_admin_and_only_for_a_submitted_bid(api, submitted_bid, bidder, bidder_member):
    assert api.as_user(bidder_member).post(url(submitted_bid, "withdraw")).status_code == 403
    response = api.as_user(bidder).post(url(submitted_bid, "withdraw"))
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = api.post(url(submitted_bid, "withdraw"))
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


# Consortium ---------------------------------------------------------------------------------------


def test_a_partner_admin_confirms_and_the_lead_cannot_confirm_for_them(api, bid, bidder):
    partner = partner_org()
    invited = invite(api, bid, bidder, partner.org, work_split="Wafer polishing", budget_share="20")
    assert invited["status"] == "invited" and invited["budget_share"] == "20.00"

    confirm = url(bid, f"partners/{invited['id']}/confirm")
    assert api.as_user(bidder).post(confirm).status_code == 403
    assert api.as_user(bidder).post(url(bid, f"partners/{invited['id']}/decline")).status_code == 403
    assert api.as_user(partner.member).post(confirm).status_code == 403
    response = api.as_user(partner.admin).post(confirm)
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert api.post(confirm).status_code == 409
    assert Partner.objects.get(pk=decode(invited["id"])).responded_by == partner.admin


def test_a_partner_admin_can_decline(api, bid, bidder):
    partner = partner_org()
    invited = invite(api, bid, bidder, partner.org)
    response = api.as_user(partner.admin).post(url(bid, f"partners/{invited['id']}/decline"))
    assert response.status_code == 200 and response.json()["status"] == "declined"


def test_an_organisation_that_declined_no_longer_sees_the_bid(api, bid, bidder):
    partner = partner_org()
    invited = invite(api, bid, bidder, partner.org)
    api.as_user(partner.admin).post(url(bid, f"partners/{invited['id']}/decline"))
    assert api.get(url(bid)).status_code == 404
    assert api.as_user(partner.member).get("/api/v1/bids/").json()["count"] == 0
    assert api.as_user(bidder).get(url(bid)).json()["partners"][0]["status"] == "declined"


def test_only_the_lead_admin_invites_and_removes_partners(api, bid, bidder, bidder_member):
    partner = partner_org()
    response = api.as_user(bidder_member).post(url(bid, "partners"), {"organisation": encode(partner.org.pk)})
    assert response.status_code == 403
    invited = invite(api, bid, bidder, partner.org)
    assert api.as_user(bidder_member).delete(url(bid, f"partners/{invited['id']}")).status_code == 403
    assert api.as_user(bidder).delete(url(bid, f"partners/{invited['id']}")).status_code == 204
    assert not Partner.objects.exists()


def test_inviting_an_unknown_or_the_same_organisation_twice(api, bid, bidder):
    api.as_user(bidder)
    unknown = api.post(url(bid, "partners"), {"organisation": encode(999999)})
    assert unknown.status_code == 400 and "organisation" in unknown.json()["fields"]
    partner = partner_org()
    invite(api, bid, bidder, partner.org)
    assert api.post(url(bid, "partners"), {"organisation": encode(partner.org.pk)}).status_code == 409


def test_a_partner_sees_the_bid_but_only_its_own_budget_lines(api, bid, bidder, bidder_org):
    first, second = partner_org(), partner_org()
    for partner in (first, second):
        invite(api, bid, bidder, partner.org)
    lines = [
        {"category": "equipment", "government_amount": "100"},
        {"organisation": encode(first.org.pk), "category": "testing", "government_amount": "20"},
        {"organisation": encode(second.org.pk), "category": "travel", "government_amount": "30"},
    ]
    assert api.as_user(bidder).patch(url(bid), {"budget_lines": lines}, format="json").status_code == 200
    assert len(api.get(url(bid)).json()["budget_lines"]) == 3

    seen = api.as_user(first.member).get(url(bid))
    assert seen.status_code == 200
    body = seen.json()
    assert body["title"] == bid.title and len(body["partners"]) == 2
    assert [(line["organisation"], line["category"]) for line in body["budget_lines"]] == [(encode(first.org.pk), "testing")]
    assert body["checklist"] is None
    assert api.patch(url(bid), {"title": "Partner edit"}, format="json").status_code == 403
    assert api.post(url(bid, "submit")).status_code == 403

    listed = api.get("/api/v1/bids/").json()["results"]
    assert [b["id"] for b in listed] == [str(bid.pk)]

    for partner in (first, second):
        api.as_user(partner.admin).post(url(bid, f"partners/{encode(Partner.objects.get(organisation=partner.org).pk)}/confirm"))
    assert api.as_user(bidder).post(url(bid, "submit")).status_code == 200
    content = api.as_user(first.member).get(url(bid, "revisions/1")).json()["content"]
    assert [line["organisation_id"] for line in content["budget_lines"]] == [first.org.pk]
    full = api.as_user(bidder).get(url(bid, "revisions/1")).json()["content"]
    assert {line["organisation_id"] for line in full["budget_lines"]} == {bidder_org.pk, first.org.pk, second.org.pk}


# Files -------------------------------------------------------------------------------------------------


def test_a_real_pdf_is_accepted_and_downloadable_by_the_lead_only(api, bid, bidder, rival):
    response = api.as_user(bidder).post(
        url(bid, "attachments"), {"file": pdf("方案.pdf"), "description": "Technical plan"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert attachment["content_type"] == "application/pdf" and attachment["size"] == len(PDF)
    assert attachment["name"] == "方案.pdf"
    assert api.get(url(bid)).json()["attachments"] == [attachment]

    download = api.get(attachment["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"

    assert api.as_user(rival).get(attachment["download_url"]).status_code == 404


@pytest.mark.parametrize(
    ("upload", "limit", "message"),
    [
        pytest.param(
            lambda: SimpleUploadedFile("plan.pdf", b"just some text\n" * 10, "text/plain"),
            10_000,
            "This type of file is not accepted",
            id="text-named-pdf",
        ),
        pytest.param(pdf, 40, "at most", id="too-large"),
    ],
)
def test_a_refused_upload_names_the_file_field_and_changes_nothing(upload, limit, message, api, bid, bidder, settings):
    settings.UPLOAD_MAX_BYTES = limit
    before = api.as_user(bidder).get(url(bid)).json()
    response = api.post(url(bid, "attachments"), {"file": upload(), "description": "Plan"}, format="multipart")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert list(fields) == ["file"] and message in fields["file"][0]
    assert not BidAttachment.objects.exists()
    assert api.get(url(bid)).json() == before


def test_a_removed_file_stays_downloadable_only_while_a_revision_cites_it(api, bid, bidder):
    api.as_user(bidder)
    cited = api.post(url(bid, "attachments"), {"file": pdf("cited.pdf")}, format="multipart").json()
    api.post(url(bid, "submit"))
    draft_only = api.post(url(bid, "attachments"), {"file": pdf("draft.pdf")}, format="multipart").json()
    for attachment in (cited, draft_only):
        assert api.delete(url(bid, f"attachments/{attachment['id']}")).status_code == 204
    assert api.get(url(bid)).json()["attachments"] == []
    kept = api.get(cited["download_url"])
    assert kept.status_code == 200 and b"".join(kept.streaming_content) == PDF
    assert api.get(draft_only["download_url"]).status_code == 404
    assert api.delete(url(bid, f"attachments/{cited['id']}")).status_code == 404


# Agency staff: nothing before bidding closes ----------------------------------------------------------


def test_agency_staff_see_a_submitted_bid_only_after_bidding_closes(api, submitted_bid, editor, challenge):
    api.as_user(editor)
    assert api.get(url(submitted_bid)).status_code == 404
    assert api.get(url(submitted_bid, "revisions/1")).status_code == 404
    assert api.get(f"/api/v1/bids/?challenge={challenge.pk}").json()["count"] == 0

    close_bidding(challenge)
    detail = api.get(url(submitted_bid))
    assert detail.status_code == 200
    assert detail.json()["checklist"] is None and len(detail.json()["budget_lines"]) == 1
    assert api.get(url(submitted_bid, "revisions/1")).status_code == 200
    listed = api.get(f"/api/v1/bids/?challenge={challenge.pk}").json()
    assert [b["id"] for b in listed["results"]] == [str(submitted_bid.pk)]
    assert api.patch(url(submitted_bid), {"title": "Agency edit"}, format="json").status_code == 403


def test_agency_staff_never_see_drafts_or_withdrawn_bids(api, challenge, bid, bidder, editor, rival, rival_org):
    withdrawn = make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True)
    services.bid_withdraw(bid=withdrawn, actor=rival)
    close_bidding(challenge)
    api.as_user(editor)
    assert api.get(url(bid)).status_code == 404
    assert api.get(url(withdrawn)).status_code == 404
    assert api.get("/api/v1/bids/").json()["count"] == 0


def test_the_list_filters_by_challenge_and_status(api, challenge, bid, bidder, bidder_org, agency, editor, approver):
    other = make_challenge(issuer=agency, editor=editor, approver=approver, status="published", title="Other")
    submitted = make_bid(challenge=other, lead=bidder_org, actor=bidder, submit=True)
    api.as_user(bidder)
    assert api.get("/api/v1/bids/").json()["count"] == 2
    by_challenge = api.get(f"/api/v1/bids/?challenge={challenge.pk}").json()["results"]
    assert [b["id"] for b in by_challenge] == [str(bid.pk)]
    by_status = api.get("/api/v1/bids/?status=submitted").json()["results"]
    assert [(b["id"], b["revision"]) for b in by_status] == [(str(submitted.pk), 1)]
    assert api.get("/api/v1/bids/?status=nonsense").status_code == 400
    assert api.get("/api/v1/bids/?challenge=not-a-uuid").status_code == 400


def test_operators_see_every_bid(api, bid, operator):
    assert api.as_user(operator).get("/api/v1/bids/").json()["count"] == 1
    assert api.get(url(bid)).status_code == 200


# A constant number of queries ------------------------------------------------------------------------


def _count_queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200
    return len(queries)


def test_an_organisations_bid_list_takes_constant_queries(
    api, agency, editor, approver, bidder, bidder_org, django_assert_max_num_queries
):
    challenges = [
        make_challenge(issuer=agency, editor=editor, approver=approver, status="published", title=f"Challenge {n}")
        for n in range(3)
    ]
    make_bid(challenge=challenges[0], lead=bidder_org, actor=bidder, submit=True)
    path = "/api/v1/bids/?page_size=50"
    one = _count_queries(api.as_user(bidder), path)

    for n in range(24):
        services.bid_create(challenge=challenges[n % 3], actor=bidder, lead=bidder_org, title=f"Draft {n}")
    for n in range(5):  # bids it partners in
        lead = partner_org()
        other = make_bid(challenge=challenges[n % 3], lead=lead.org, actor=lead.admin, complete=False)
        services.partner_invite(bid=other, actor=lead.admin, organisation=bidder_org)
    with django_assert_max_num_queries(one):
        response = api.get(path)
    assert response.json()["count"] == 30 and len(response.json()["results"]) == 30


def test_the_agencys_list_of_a_challenges_bids_takes_constant_queries(
    api, agency, editor, approver, django_assert_max_num_queries
):
    small, large = (
        make_challenge(issuer=agency, editor=editor, approver=approver, status="published", title=title)
        for title in ("Small", "Large")
    )
    for challenge, count in ((small, 1), (large, 30)):
        for _ in range(count):
            lead = partner_org()
            make_bid(challenge=challenge, lead=lead.org, actor=lead.admin, submit=True)
        close_bidding(challenge)
    one = _count_queries(api.as_user(editor), f"/api/v1/bids/?challenge={small.pk}&page_size=50")
    with django_assert_max_num_queries(one):
        response = api.get(f"/api/v1/bids/?challenge={large.pk}&page_size=50")
    assert response.json()["count"] == 30
    assert {b["status"] for b in response.json()["results"]} <= Bid.ACTIVE_STATES


def test_the_bid_detail_takes_constant_queries(api, bid, bidder, django_assert_max_num_queries):
    one = _count_queries(api.as_user(bidder), url(bid))
    for _ in range(3):
        invite(api, bid, bidder, partner_org().org)
    lines = [{"category": "materials", "government_amount": "1"} for _ in range(10)]
    api.as_user(bidder).patch(url(bid), {"budget_lines": lines}, format="json")
    for n in range(3):
        api.post(url(bid, "attachments"), {"file": pdf(f"{n}.pdf")}, format="multipart")
    with django_assert_max_num_queries(one):
        api.get(url(bid))


def test_amounts_are_decimal_strings(api, bid, bidder):
    body = api.as_user(bidder).get(url(bid)).json()
    assert Decimal(body["requested_funding"]) == bid.challenge.government_funding
