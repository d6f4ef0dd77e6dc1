"""The bid pages: who sees what, sections that save on their own, submission and the lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from challenges import services as challenge_services
from challenges.models import Challenge
from submissions import services
from submissions.models import Bid, BidAttachment, BidRevision, Partner
from tests.factories import OrganisationFactory, make_bid, make_challenge, member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(name, *args):
    return reverse(f"frontend:{name}", args=args)


def rows(prefix: str, items: list[dict], initial: int = 0) -> dict:
    """A formset's POST data: the management form and each row's fields."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data.update({f"{prefix}-{n}-{key}": value for key, value in item.items()})
    return data


def pdf(name="report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def close_bidding(challenge) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    challenge_services.close_due_bidding(timezone.now())


@pytest.fixture
def attachment(bid, bidder):
    return services.attachment_add(bid=bid, actor=bidder, upload=pdf(), description="Test report")


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(name="Partner University", kind="university")


@pytest.fixture
def partner_admin(partner_org):
    return member(partner_org, Membership.Role.ADMIN, full_name="Partner Admin")


@pytest.fixture
def partner(bid, bidder, partner_org):
    return services.partner_invite(bid=bid, actor=bidder, organisation=partner_org, budget_share=Decimal("30"))


# Who may open which page -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bidder", "bidder_member"])
def test_every_bid_page_renders_for_the_lead_members(client, request, challenge, bid, attachment, who):
    client.force_login(request.getfixturevalue(who))
    for page in [
        url("bid_create", challenge.pk),
        url("bid_edit", bid.pk),
        url("bid_detail", bid.pk),
        url("my_bids"),
        url("bid_attachment_download", attachment.pk),
    ]:
        assert client.get(page).status_code == 200, page


def test_the_editor_shows_every_section_and_the_checklist(client, bidder, bid):
    client.force_login(bidder)
    page = client.get(url("bid_edit", bid.pk)).content.decode()
    for section in ["approach", "indicators", "team", "budget", "milestones", "partners", "files", "pledge"]:
        assert f'id="section-{section}"' in page
        if section != "pledge":  # signed already: nothing left to post
            assert f'hx-post="{url("bid_section", bid.pk, section)}"' in page
    assert 'id="bid-checklist"' in page
    assert "Nothing blocks submission" in page
    assert 'hx-trigger="change delay:800ms, submit"' in page


def every_bid_action(bid, partner, attachment) -> list[tuple[str, str]]:
    sections = ["approach", "indicators", "team", "budget", "milestones", "partners", "files", "pledge"]
    return [
        ("get", url("bid_edit", bid.pk)),
        ("get", url("bid_detail", bid.pk)),
        ("get", url("bid_attachment_download", attachment.pk)),
        *[("post", url("bid_section", bid.pk, section)) for section in sections],
        ("post", url("bid_partner_remove", bid.pk, partner.pk)),
        ("post", url("bid_attachment_remove", bid.pk, attachment.pk)),
        ("post", url("bid_submit", bid.pk)),
        ("post", url("bid_withdraw", bid.pk)),
        ("post", url("bid_partner_respond", partner.pk)),
    ]


def test_a_rival_gets_404_on_every_bid_page_and_action(client, rival, bid, partner, attachment):
    client.force_login(rival)
    for method, address in every_bid_action(bid, partner, attachment):
        assert getattr(client, method)(address).status_code == 404, address
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.DRAFT
    assert BidAttachment.objects.get(pk=attachment.pk).removed_at is None


def test_agency_staff_get_404_while_bidding_is_open(client, editor, challenge, bid, partner, attachment):
    client.force_login(editor)
    for method, address in every_bid_action(bid, partner, attachment):
        assert getattr(client, method)(address).status_code == 404, address
    assert client.get(url("challenge_bids", challenge.pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, challenge, bid, partner, attachment):
    pages = [
        *every_bid_action(bid, partner, attachment),
        ("get", url("bid_create", challenge.pk)),
        ("get", url("my_bids")),
        ("get", url("challenge_bids", challenge.pk)),
    ]
    for method, address in pages:
        response = getattr(client, method)(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith("/login/"), address


def test_a_partner_reads_the_bid_without_other_organisations_budget_lines(
    client, bid, bidder, partner, partner_org, partner_admin
):
    services.partner_respond(partner=partner, actor=partner_admin, accept=True)
    services.budget_set(
        bid=bid,
        actor=bidder,
        lines=[
            {"category": "equipment", "description": "Lead furnace", "government_amount": Decimal("900000")},
            {"organisation_id": partner_org.pk, "category": "testing", "description": "Partner wafer tests"},
        ],
    )
    client.force_login(partner_admin)
    page = client.get(url("bid_detail", bid.pk)).content.decode()
    assert bid.title in page
    assert "Partner wafer tests" in page
    assert "Lead furnace" not in page
    assert "only your own organisation" in page
    # The editor is the lead's: a partner is sent to the reading view.
    assert client.get(url("bid_edit", bid.pk))["Location"] == url("bid_detail", bid.pk)


def test_the_lead_reads_every_budget_line(client, bid, bidder, partner, partner_org, partner_admin):
    services.partner_respond(partner=partner, actor=partner_admin, accept=True)
    services.budget_set(
        bid=bid,
        actor=bidder,
        lines=[
            {"category": "equipment", "description": "Lead furnace"},
            {"organisation_id": partner_org.pk, "category": "testing", "description": "Partner wafer tests"},
        ],
    )
    client.force_login(bidder)
    page = client.get(url("bid_detail", bid.pk)).content.decode()
    assert "Lead furnace" in page and "Partner wafer tests" in page


# Sections ---------------------------------------------------------------------------------------


def milestone_rows(*items) -> dict:
    return rows("milestones", [{"title": t, "due_month": m, "tranche_percent": p, "deliverables": ""} for t, m, p in items])


def test_an_invalid_section_shows_field_errors_keeps_what_was_typed_and_leaves_the_rest(client, bidder, bid):
    client.force_login(bidder)
    response = client.post(
        url("bid_section", bid.pk, "milestones"),
        milestone_rows(("Prototype wafers", "6", "abc"), ("Final acceptance", "24", "40")),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a number." in page
    assert 'value="Prototype wafers"' in page and 'value="abc"' in page
    assert 'aria-invalid="true"' in page
    # The other sections show what is saved, and nothing was saved here.
    assert "Physical vapour transport growth" in page
    assert [m.title for m in bid.milestones.all()] == ["Mid-term check", "Final acceptance"]


def test_negative_money_is_refused_next_to_the_field(client, bidder, bid):
    client.force_login(bidder)
    data = {"budget-requested_funding": "-5", "budget-own_funding": "100"}
    data.update(
        rows(
            "lines",
            [{"organisation": bid.lead_id, "category": "equipment", "government_amount": "-1", "own_amount": "0"}],
        )
    )
    response = client.post(url("bid_section", bid.pk, "budget"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Ensure this value is greater than or equal to 0.") == 2
    assert 'value="-5"' in page
    bid.refresh_from_db()
    assert bid.requested_funding == Decimal("20000000.00")
    assert bid.budget_lines.count() == 1


def test_a_section_saves_and_redirects_without_javascript(client, bidder, bid):
    client.force_login(bidder)
    response = client.post(
        url("bid_section", bid.pk, "approach"),
        {
            "approach-title": "Sharper title",
            "approach-technical_approach": "Hot-wall CVD",
            "approach-team_description": "",
            "approach-prior_achievements": "Two patents",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("bid_edit", bid.pk) + "#section-approach"
    bid.refresh_from_db()
    assert (bid.title, bid.technical_approach, bid.prior_achievements) == (
        "Sharper title",
        "Hot-wall CVD",
        "Two patents",
    )


def test_an_htmx_save_answers_with_the_section_and_the_checklist(client, bidder, bid):
    client.force_login(bidder)
    response = client.post(
        url("bid_section", bid.pk, "milestones"),
        milestone_rows(("Prototype", "6", "30"), ("Pilot line", "18", "30")),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="section-milestones"' in page and "Saved at" in page
    assert 'id="bid-checklist"' in page and 'hx-swap-oob="true"' in page
    assert "Tranches must add up to 100%" in page
    assert [(m.title, m.tranche_percent) for m in bid.milestones.all()] == [("Prototype", 30), ("Pilot line", 30)]


def test_an_invalid_htmx_save_answers_with_the_errors(client, bidder, bid):
    client.force_login(bidder)
    response = client.post(url("bid_section", bid.pk, "milestones"), milestone_rows(("", "6", "50")), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not saved" in page and "This field is required." in page
    assert bid.milestones.count() == 2


def test_indicator_commitments_team_pledge_and_deleting_a_row(client, bidder, challenge, bidder_org):
    draft = make_bid(challenge=challenge, lead=bidder_org, actor=bidder, complete=False)
    indicator = challenge.indicators.get()
    client.force_login(bidder)
    commit = rows("commitments", [{"value": "0.08", "evidence": "Lab report"}], initial=1)
    assert client.post(url("bid_section", draft.pk, "indicators"), commit).status_code == 302
    assert [(c.indicator_id, c.value) for c in draft.commitments.all()] == [(indicator.pk, Decimal("0.08"))]

    team = rows(
        "team",
        [
            {"name": "Dr. Li", "role": "Leader", "organisation": str(bidder_org.pk), "is_leader": "on"},
            {"name": "Dr. Wu", "role": "Engineer"},
        ],
    )
    assert client.post(url("bid_section", draft.pk, "team"), team).status_code == 302
    team = rows(
        "team",
        [
            {"name": "Dr. Li", "role": "Leader", "is_leader": "on"},
            {"name": "Dr. Wu", "role": "Engineer", "DELETE": "on"},
        ],
        2,
    )
    assert client.post(url("bid_section", draft.pk, "team"), team).status_code == 302
    assert [(p.name, p.is_leader) for p in draft.team.all()] == [("Dr. Li", True)]

    assert client.post(url("bid_section", draft.pk, "pledge"), {}).status_code == 400
    assert client.post(url("bid_section", draft.pk, "pledge"), {"pledge-agree": "on"}).status_code == 302
    draft.refresh_from_db()
    assert draft.integrity_pledged_by == bidder


def test_a_wrong_type_upload_shows_its_message_and_keeps_the_other_fields(client, bidder, bid):
    client.force_login(bidder)
    fake = SimpleUploadedFile("notes.pdf", b"just some text, not a pdf", content_type="application/pdf")
    response = client.post(url("bid_section", bid.pk, "files"), {"file-file": fake, "file-description": "Lab notes"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_file-file_error"' in page and "This type of file is not accepted" in page
    assert 'value="Lab notes"' in page
    assert "Physical vapour transport growth" in page
    assert not BidAttachment.objects.filter(bid=bid).exists()


def test_a_file_uploads_with_htmx_downloads_and_is_removed(client, bidder, bid):
    client.force_login(bidder)
    response = client.post(
        url("bid_section", bid.pk, "files"),
        {"file-file": pdf(), "file-description": "Test report"},
        HTTP_HX_REQUEST="true",
    )
    assert "report.pdf" in response.content.decode()
    attachment = BidAttachment.objects.get(bid=bid)
    download = client.get(url("bid_attachment_download", attachment.pk))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert client.post(url("bid_attachment_remove", bid.pk, attachment.pk)).status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None


# Partners ---------------------------------------------------------------------------------------


def test_the_lead_invites_by_credit_code_and_the_partner_confirms_from_my_bids(client, bidder, bid, partner_org, partner_admin):
    client.force_login(bidder)
    response = client.post(
        url("bid_section", bid.pk, "partners"),
        {
            "partner-credit_code": partner_org.credit_code.lower(),
            "partner-budget_share": "25",
            "partner-work_split": "Wafer tests",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(bid=bid)
    assert (partner.organisation, partner.status, partner.budget_share) == (partner_org, "invited", 25)
    assert "Partners have not confirmed yet" in client.get(url("bid_edit", bid.pk)).content.decode()

    client.force_login(partner_admin)
    assert bid.title in client.get(url("my_bids")).content.decode()
    assert url("bid_partner_respond", partner.pk) in client.get(url("bid_detail", bid.pk)).content.decode()
    response = client.post(url("bid_partner_respond", partner.pk), {"answer": "confirm"})
    assert response["Location"] == url("my_bids")
    partner.refresh_from_db()
    assert partner.status == Partner.Status.CONFIRMED


def test_an_unknown_credit_code_is_an_error_on_the_field(client, bidder, bid):
    client.force_login(bidder)
    response = client.post(
        url("bid_section", bid.pk, "partners"),
        {"partner-credit_code": "91330100MA0000000X", "partner-budget_share": "10"},
    )
    assert response.status_code == 400
    assert "No organisation with this code" in response.content.decode()


def test_the_lead_removes_a_partner_and_a_member_may_not(client, bidder, bidder_member, bid, partner):
    client.force_login(bidder_member)
    assert client.post(url("bid_partner_remove", bid.pk, partner.pk)).status_code == 403
    client.force_login(bidder)
    assert client.post(url("bid_partner_remove", bid.pk, partner.pk), HTTP_HX_REQUEST="true").status_code == 200
    assert not Partner.objects.filter(pk=partner.pk).exists()


def test_the_lead_cannot_answer_for_the_partner(client, bidder, partner):
    client.force_login(bidder)
    assert client.post(url("bid_partner_respond", partner.pk), {"answer": "confirm"}).status_code == 403


# Starting, submitting, withdrawing ----------------------------------------------------------------


def test_starting_a_bid_leads_to_the_editor(client, bidder, bidder_org, challenge):
    client.force_login(bidder)
    response = client.post(url("bid_create", challenge.pk), {"lead": bidder_org.pk, "title": "Our SiC approach"})
    bid = Bid.objects.get(title="Our SiC approach")
    assert response["Location"] == url("bid_edit", bid.pk)
    assert (bid.lead, bid.challenge, bid.status) == (bidder_org, challenge, Bid.Status.DRAFT)


def test_agency_staff_cannot_pick_their_agency_as_lead(client, editor, agency, challenge):
    client.force_login(editor)
    response = client.post(url("bid_create", challenge.pk), {"lead": agency.pk, "title": "Sneaky"})
    assert response.status_code == 403  # no applicant organisation: refused before the form is read
    assert not Bid.objects.exists()


def test_submitting_an_incomplete_bid_shows_each_failing_rule(client, bidder, bidder_org, challenge):
    draft = make_bid(challenge=challenge, lead=bidder_org, actor=bidder, complete=False)
    problems = services.bid_checklist(draft)
    assert len(problems) >= 3
    client.force_login(bidder)
    response = client.post(url("bid_submit", draft.pk))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The bid was not submitted" in page
    for problem in problems:
        assert str(problem.message) in page, problem.code
    assert not BidRevision.objects.exists()


def test_submitting_a_complete_bid_creates_revision_1(client, bidder, bid):
    client.force_login(bidder)
    response = client.post(url("bid_submit", bid.pk))
    assert response["Location"] == url("bid_detail", bid.pk)
    revision = BidRevision.objects.get(bid=bid)
    assert revision.number == 1
    bid.refresh_from_db()
    assert (bid.status, bid.current_revision) == (Bid.Status.SUBMITTED, revision)
    page = client.get(url("bid_detail", bid.pk)).content.decode()
    assert "Revision 1" in page


def test_only_the_lead_admin_withdraws(client, bidder, bidder_member, submitted_bid):
    client.force_login(bidder_member)
    assert client.post(url("bid_withdraw", submitted_bid.pk)).status_code == 403
    client.force_login(bidder)
    assert client.post(url("bid_withdraw", submitted_bid.pk))["Location"] == url("bid_edit", submitted_bid.pk)
    submitted_bid.refresh_from_db()
    assert submitted_bid.status == Bid.Status.WITHDRAWN


def test_after_the_deadline_the_editor_is_read_only(client, bidder, bid, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now() - timedelta(seconds=1))
    client.force_login(bidder)
    page = client.get(url("bid_edit", bid.pk)).content.decode()
    assert "Read-only." in page and "Bidding closed at" in page
    assert "hx-post" not in page and "Submit the bid" not in page
    response = client.post(url("bid_section", bid.pk, "approach"), {"approach-title": "Too late"})
    assert response.status_code == 400
    assert "deadline has passed" in response.content.decode()
    bid.refresh_from_db()
    assert bid.title != "Too late"


# The agency's view ------------------------------------------------------------------------------


def test_after_close_the_agency_lists_and_reads_the_submitted_revision(client, editor, bidder, submitted_bid, challenge):
    attachment = BidAttachment.objects.create(
        bid=submitted_bid, name="late.pdf", content_type="application/pdf", size=1, sha256="0", uploaded_by=bidder
    )
    services.bid_update(bid=submitted_bid, actor=bidder, data={"title": "Unsubmitted new title"})
    close_bidding(challenge)
    client.force_login(editor)
    listing = client.get(url("challenge_bids", challenge.pk)).content.decode()
    assert "Our approach to the challenge" in listing and "Bidder Ltd" in listing
    page = client.get(url("bid_detail", submitted_bid.pk)).content.decode()
    assert "Our approach to the challenge" in page and "Unsubmitted new title" not in page
    assert "Revision 1" in page
    # A file the revision does not cite stays with the bidder.
    assert client.get(url("bid_attachment_download", attachment.pk)).status_code == 404


def test_another_agency_and_rivals_get_404_on_the_bids_received(client, other_agency, rival, challenge, submitted_bid):
    close_bidding(challenge)
    for user in [member(other_agency, Membership.Role.APPROVER), rival]:
        client.force_login(user)
        assert client.get(url("challenge_bids", challenge.pk)).status_code == 404


# Constant queries -------------------------------------------------------------------------------


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_my_bids_uses_a_constant_number_of_queries(
    client, django_assert_max_num_queries, agency, editor, approver, bidder, bidder_org
):
    challenges = [make_challenge(issuer=agency, editor=editor, approver=approver, status="published") for _ in range(2)]
    make_bid(challenge=challenges[0], lead=bidder_org, actor=bidder, complete=False)
    client.force_login(bidder)
    one = count_queries(client, url("my_bids"))
    for n in range(29):
        make_bid(challenge=challenges[n % 2], lead=bidder_org, actor=bidder, complete=False, title=f"Bid {n}")
    with django_assert_max_num_queries(one):
        response = client.get(url("my_bids"))
    assert response.content.decode().count('class="countdown"') == 30


def test_bids_received_uses_a_constant_number_of_queries(client, django_assert_max_num_queries, agency, editor, approver):
    def submitted_bid(challenge):
        org = OrganisationFactory()
        return make_bid(challenge=challenge, lead=org, actor=member(org, Membership.Role.ADMIN), submit=True)

    small, large = (make_challenge(issuer=agency, editor=editor, approver=approver, status="published") for _ in range(2))
    submitted_bid(small)
    for _ in range(30):
        submitted_bid(large)
    close_bidding(small)
    close_bidding(large)
    client.force_login(editor)
    one = count_queries(client, url("challenge_bids", small.pk))
    with django_assert_max_num_queries(one):
        response = client.get(url("challenge_bids", large.pk))
    assert response.content.decode().count('href="/bids/') == 30
