"""The review pages: the pool, a round's set-up and progress, an expert's reviews and the ranking.

Who may open what (404 for what one may not know of, 403 for what one may not do), what a blind
reviewer never sees, the review form's errors and lock, the CSV import, and constant query counts.
"""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from challenges.models import Challenge
from challenges.services import close_due_bidding
from core.tasks import advance_due_work
from reviews import services
from reviews.models import Assignment, ExpertProfile, Review, ReviewItem, ReviewRound
from reviews.services.rounds import rounds_plan
from submissions import services as bid_services
from submissions.models import BidRevision
from tests.factories import OrganisationFactory, UserFactory, make_bid, make_challenge, member, technical_field

from .conftest import expert_round_of, make_expert

pytestmark = pytest.mark.django_db
A = Assignment.Status
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Everything that identifies the bidder: a blind reviewer's pages must contain none of it.
IDENTITY = ["Bidder Ltd", "Partner University", "Dr. Chen Wei", "Prof. Li Na", "Rival Ltd"]


def url(name, *args):
    return reverse(f"frontend:{name}", args=args)


# The cast and the round ----------------------------------------------------------------------------


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(name="Partner University", kind="university")


@pytest.fixture
def challenge(agency, editor, approver, bidder_org, bidder, rival_org, rival, partner_org):
    """Two submitted bids; the bidder's names its partner and key people everywhere it can."""
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    bid = make_bid(challenge=challenge, lead=bidder_org, actor=bidder)
    partner = bid_services.partner_invite(bid=bid, actor=bidder, organisation=partner_org, budget_share=Decimal("20"))
    partner_admin = member(partner_org, Membership.Role.ADMIN, full_name="Partner Admin")
    bid_services.partner_respond(partner=partner, actor=partner_admin, accept=True)
    bid_services.bid_update(
        bid=bid,
        actor=bidder,
        data={"technical_approach": "Bidder Ltd grows crystals; Partner University tests them with Dr. Chen Wei."},
    )
    bid_services.team_set(
        bid=bid,
        actor=bidder,
        people=[
            {"name": "Dr. Chen Wei", "role": "Project leader", "is_leader": True},
            {"name": "Prof. Li Na", "role": "Testing"},
        ],
    )
    upload = SimpleUploadedFile("Bidder Ltd technical plan.pdf", PDF, content_type="application/pdf")
    bid_services.attachment_add(bid=bid, actor=bidder, upload=upload, description="Plan")
    bid_services.bid_submit(bid=bid, actor=bidder)
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    return challenge


def start(challenge, capture, **settings) -> ReviewRound:
    """Close bidding and run the checks, the assignment and (unless switched off) the invitations."""
    ReviewRound.objects.filter(pk=next(r.pk for r in rounds_plan(challenge) if r.position == 2)).update(**settings)
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    with capture(execute=True):
        advance_due_work.apply()
    round = expert_round_of(challenge)
    round.refresh_from_db()
    return round


@pytest.fixture
def round(challenge, experts, django_capture_on_commit_callbacks):
    """A blind round in progress: every expert invited."""
    return start(challenge, django_capture_on_commit_callbacks)


@pytest.fixture
def proposed(challenge, experts, django_capture_on_commit_callbacks):
    """A round whose assignment waits for the operator's review before invitations go out."""
    return start(challenge, django_capture_on_commit_callbacks, auto_invite=False)


def bidder_assignment(round) -> Assignment:
    item = next(i for i in round.items.all() if "Bidder Ltd" in i.label)
    return item.assignments.select_related("expert__user").order_by("pk").first()


@pytest.fixture
def assignment(round):
    return bidder_assignment(round)


@pytest.fixture
def accepted(assignment):
    return services.assignment_accept(assignment=assignment, actor=assignment.expert.user)


def criteria(round):
    return list(round.rubric.criteria.all())


def review_data(round, action="draft", value="7", comment="Sound", **overrides) -> dict:
    data = {"action": action, "comment": "Overall sound."}
    for c in criteria(round):
        data[f"criterion_{c.pk}"] = value
        data[f"comment_{c.pk}"] = comment
    data.update(overrides)
    return data


# Who may open which page ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, round, assignment):
    for page in [
        url("my_reviews"),
        url("assignment_detail", assignment.pk),
        url("assignment_attachment", assignment.pk, 1),
        url("expert_list"),
        url("expert_import"),
        url("round_list"),
        url("round_detail", round.pk),
        url("round_results", round.pk),
    ]:
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith("/login/"), page


def test_every_operator_page_renders(client, operator, proposed):
    expert = ExpertProfile.objects.first()
    client.force_login(operator)
    item = proposed.items.first()
    for page in [
        url("expert_list"),
        url("expert_create"),
        url("expert_import"),
        url("expert_detail", expert.pk),
        url("expert_edit", expert.pk),
        url("round_list"),
        url("round_detail", proposed.pk),
        url("round_progress", proposed.pk),
        url("round_results", proposed.pk),
        url("assignment_detail", item.assignments.first().pk),
    ]:
        assert client.get(page).status_code == 200, page
    page = client.get(url("round_detail", proposed.pk)).content.decode()
    assert "Formal check" in page and "Recompute" in page and "Send 6 invitations" in page
    assert item.label in page  # operators see who applied
    assert item.assignments.first().expert.user.full_name in page


def test_the_expert_sees_their_reviews_and_the_assignment(client, round, assignment):
    client.force_login(assignment.expert.user)
    listing = client.get(url("my_reviews"))
    assert listing.status_code == 200
    assert assignment.item.blind_label in listing.content.decode()
    page = client.get(url("assignment_detail", assignment.pk)).content.decode()
    assert "Accept" in page and "Decline" in page
    assert round.challenge.title in page
    assert "Technical approach" not in page  # the material opens only once accepted


def test_agency_staff_see_progress_without_reviewer_names(client, approver, editor, round):
    for user in (approver, editor):
        client.force_login(user)
        page = client.get(url("round_detail", round.pk))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Progress" in html
        assert not any(e.user.full_name in html for e in ExpertProfile.objects.select_related("user"))
        assert 'id="check-heading"' not in html and 'id="settings"' not in html and "Lock" not in html
        results = client.get(url("round_results", round.pk))
        assert results.status_code == 200 and "The ranking appears when" in results.content.decode()


def test_agency_staff_of_another_agency_get_404_on_round_and_results(client, other_agency, round):
    client.force_login(member(other_agency, Membership.Role.APPROVER))
    for page in [url("round_detail", round.pk), url("round_results", round.pk), url("round_progress", round.pk)]:
        assert client.get(page).status_code == 404, page
    assert client.post(url("round_settings", round.pk), {}).status_code == 404


def test_an_expert_gets_404_on_rounds_they_review(client, round, assignment):
    client.force_login(assignment.expert.user)
    assert client.get(url("round_detail", round.pk)).status_code == 404
    assert client.get(url("round_results", round.pk)).status_code == 404


def test_an_unassigned_expert_gets_404_on_anothers_assignment(client, round, accepted, operator):
    outsider = make_expert(operator, name="Outsider", affiliation=OrganisationFactory())
    other_assignee = Assignment.objects.filter(item=accepted.item).exclude(pk=accepted.pk).first().expert.user
    for user in (outsider.user, other_assignee):
        client.force_login(user)
        assert client.get(url("assignment_detail", accepted.pk)).status_code == 404
        assert client.post(url("assignment_review", accepted.pk), review_data(round)).status_code == 404
        assert client.get(url("assignment_attachment", accepted.pk, 1)).status_code == 404
        assert client.post(url("assignment_accept", accepted.pk)).status_code == 404
        assert client.post(url("assignment_recuse", accepted.pk), {"recuse-reason": "x"}).status_code == 404
    assert not Review.objects.get(assignment=accepted).scores.exists()


def test_an_editor_cannot_take_operator_actions(client, editor, proposed):
    item = proposed.items.first()
    pair = item.assignments.first()
    client.force_login(editor)
    for page in [url("expert_list"), url("expert_create"), url("expert_import")]:
        assert client.get(page).status_code == 403, page
    for page, data in [
        (url("round_settings", proposed.pk), {"name": "Mine now", "experts_per_item": 1}),
        (url("round_reassign", proposed.pk), {}),
        (url("round_invite", proposed.pk), {}),
        (url("round_assign", proposed.pk), {}),
        (url("item_check", item.pk), {f"check{item.pk}-passed": "0", f"check{item.pk}-reason": "No"}),
        (url("item_add_expert", item.pk), {f"add{item.pk}-expert": "someone@example.cn"}),
        (url("assignment_lock", pair.pk), {"locked": "1"}),
        (url("assignment_remove", pair.pk), {}),
    ]:
        assert client.post(page, data).status_code == 403, page
    proposed.refresh_from_db()
    assert proposed.name != "Mine now" and proposed.status == ReviewRound.Status.PROPOSED
    assert Assignment.objects.filter(pk=pair.pk, locked=False).exists()


def test_an_expert_opens_only_their_own_profile(client, operator, experts):
    mine, other = experts[0], experts[1]
    client.force_login(mine.user)
    assert client.get(url("expert_detail", mine.pk)).status_code == 200
    assert client.get(url("expert_detail", other.pk)).status_code == 404
    assert client.get(url("expert_edit", mine.pk)).status_code == 403


# Blind review -----------------------------------------------------------------------------------


def test_a_blind_reviewer_never_sees_the_applicant_partners_or_key_people(client, round, assignment):
    user = assignment.expert.user
    client.force_login(user)
    pages = [client.get(url("my_reviews")), client.get(url("assignment_detail", assignment.pk))]
    services.assignment_accept(assignment=assignment, actor=user)
    detail = client.get(url("assignment_detail", assignment.pk))
    assert "Technical approach" in detail.content.decode() and "[applicant]" in detail.content.decode()
    client.post(url("assignment_review", assignment.pk), review_data(round, "submit"))
    pages += [detail, client.get(url("assignment_detail", assignment.pk)), client.get(url("my_reviews"))]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert not [name for name in IDENTITY if name.lower() in html.lower()], page.request["PATH_INFO"]
    download = client.get(url("assignment_attachment", assignment.pk, 1))
    assert download.status_code == 200
    assert "Attachment 1.pdf" in download["Content-Disposition"]
    assert "Bidder" not in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF


def test_attachments_open_only_after_accepting(client, round, assignment):
    client.force_login(assignment.expert.user)
    assert client.get(url("assignment_attachment", assignment.pk, 1)).status_code == 403
    services.assignment_accept(assignment=assignment, actor=assignment.expert.user)
    assert client.get(url("assignment_attachment", assignment.pk, 2)).status_code == 404


def test_in_an_open_round_the_reviewer_sees_who_applied(client, challenge, experts, django_capture_on_commit_callbacks):
    round = start(challenge, django_capture_on_commit_callbacks, blind=False)
    assignment = bidder_assignment(round)
    services.assignment_accept(assignment=assignment, actor=assignment.expert.user)
    client.force_login(assignment.expert.user)
    html = client.get(url("assignment_detail", assignment.pk)).content.decode()
    assert "Bidder Ltd" in html and "Partner University" in html and "Prof. Li Na" in html
    download = client.get(url("assignment_attachment", assignment.pk, 1))
    assert "Bidder Ltd technical plan.pdf" in download["Content-Disposition"]


# Answering an invitation ----------------------------------------------------------------------


def test_accept_then_recuse_with_a_reason(client, round, assignment):
    client.force_login(assignment.expert.user)
    response = client.post(url("assignment_accept", assignment.pk))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == A.ACCEPTED
    empty = client.post(url("assignment_recuse", assignment.pk), {"recuse-reason": " "})
    assert empty.status_code == 400 and "recuse-reason" in empty.content.decode()
    client.post(url("assignment_recuse", assignment.pk), {"recuse-reason": "I advised the applicant in 2023"})
    assignment.refresh_from_db()
    assert assignment.status == A.RECUSED


def test_decline_with_a_reason_from_my_reviews(client, round, assignment):
    client.force_login(assignment.expert.user)
    response = client.post(url("assignment_decline", assignment.pk), {"decline-reason": "Travelling"})
    assert response.status_code == 302 and response.url == url("my_reviews")
    assignment.refresh_from_db()
    assert assignment.status == A.DECLINED and assignment.decline_reason == "Travelling"
    assert "Travelling" in client.get(url("my_reviews")).content.decode()


# The review form --------------------------------------------------------------------------------


def test_an_out_of_range_score_is_shown_next_to_its_criterion_and_keeps_the_rest(client, round, accepted):
    first, second = criteria(round)[:2]
    client.force_login(accepted.expert.user)
    data = review_data(round, "submit", **{f"criterion_{first.pk}": "11", f"comment_{second.pk}": "Typed by me"})
    response = client.post(url("assignment_review", accepted.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_criterion_{first.pk}-error"' in html and "Give a whole number from 0 to 10." in html
    assert "Typed by me" in html and "Overall sound." in html
    form = response.context["review_form"]
    assert form[f"criterion_{second.pk}"].value() == "7"
    assert "is-invalid" in form.fields[f"criterion_{first.pk}"].widget.attrs["class"]
    assert not Review.objects.get(assignment=accepted).scores.exists()


def test_a_missing_required_comment_is_shown_next_to_its_criterion(client, round, accepted):
    required = next(c for c in criteria(round) if c.comment_required)
    client.force_login(accepted.expert.user)
    data = review_data(round, "submit", **{f"comment_{required.pk}": ""})
    response = client.post(url("assignment_review", accepted.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    error = f'<div class="invalid-feedback d-block" id="id_criterion_{required.pk}-error"><div>A comment is required'
    assert error in html
    assert f'aria-describedby="id_criterion_{required.pk}-error"' in html
    form = response.context["review_form"]
    assert "is-invalid" in form.fields[f"comment_{required.pk}"].widget.attrs["class"]
    assert "is-invalid" not in form.fields[f"criterion_{required.pk}"].widget.attrs["class"]
    accepted.refresh_from_db()
    assert accepted.status == A.ACCEPTED


def test_save_a_draft_then_submit(client, round, accepted):
    first = criteria(round)[0]
    client.force_login(accepted.expert.user)
    partial = {"action": "draft", f"criterion_{first.pk}": "6", f"comment_{first.pk}": "Half done", "comment": ""}
    response = client.post(url("assignment_review", accepted.pk), partial)
    assert response.status_code == 302
    review = Review.objects.get(assignment=accepted)
    assert review.status == Review.Status.DRAFT and review.scores.get().value == 6
    page = client.get(url("assignment_detail", accepted.pk))
    assert page.context["review_form"][f"criterion_{first.pk}"].value() == 6
    assert "Half done" in page.content.decode()
    response = client.post(url("assignment_review", accepted.pk), review_data(round, "submit", value="8"))
    assert response.status_code == 302
    review.refresh_from_db()
    accepted.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and review.total == Decimal("80.00")
    assert accepted.status == A.SUBMITTED


def test_a_submitted_review_is_read_only(client, round, accepted):
    client.force_login(accepted.expert.user)
    client.post(url("assignment_review", accepted.pk), review_data(round, "submit"))
    page = client.get(url("assignment_detail", accepted.pk))
    html = page.content.decode()
    assert "Submitted and locked." in html
    assert all(field.field.disabled for field in page.context["review_form"])
    assert "Save draft" not in html and 'value="submit"' not in html
    again = client.post(url("assignment_review", accepted.pk), review_data(round, "submit", value="2"))
    assert again.status_code == 400 and "This review is submitted and locked." in again.content.decode()
    assert not Review.objects.get(assignment=accepted).scores.filter(value=2).exists()


def test_an_operator_reopens_a_submitted_review(client, operator, round, accepted):
    client.force_login(accepted.expert.user)
    client.post(url("assignment_review", accepted.pk), review_data(round, "submit"))
    client.force_login(operator)
    assert "Reopen this review" in client.get(url("assignment_detail", accepted.pk)).content.decode()
    client.post(url("assignment_reopen", accepted.pk), {"reopen-reason": "Scores typed in the wrong rows"})
    accepted.refresh_from_db()
    assert accepted.status == A.ACCEPTED


def test_other_reviewers_scores_are_shown_anonymised_after_submitting(client, round, accepted):
    ReviewRound.objects.filter(pk=round.pk).update(show_scores_after_submit=True, quorum=3)
    others = list(Assignment.objects.filter(item=accepted.item).exclude(pk=accepted.pk))
    scores = {c.pk: {"value": 5, "comment": "ok"} for c in criteria(round)}
    for other in others[:1]:
        services.assignment_accept(assignment=other, actor=other.expert.user)
        services.review_save(assignment=other, actor=other.expert.user, scores=scores, submit=True)
    client.force_login(accepted.expert.user)
    assert "Reviewer A" not in client.get(url("assignment_detail", accepted.pk)).content.decode()
    client.post(url("assignment_review", accepted.pk), review_data(round, "submit"))
    html = client.get(url("assignment_detail", accepted.pk)).content.decode()
    assert "Reviewer A" in html and "50" in html
    assert others[0].expert.user.full_name not in html


# The operator's round page ----------------------------------------------------------------------


def test_the_operator_confirms_or_overturns_the_formal_check_with_a_reason(client, operator, proposed):
    item = proposed.items.first()
    client.force_login(operator)
    refused = client.post(url("item_check", item.pk), {f"check{item.pk}-passed": "0", f"check{item.pk}-reason": ""})
    assert refused.status_code == 400 and f'id="id_check{item.pk}-reason-error"' in refused.content.decode()
    data = {f"check{item.pk}-passed": "0", f"check{item.pk}-reason": "The pledge is unsigned"}
    response = client.post(url("item_check", item.pk), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.check_status == ReviewItem.Check.FAILED and item.check_reason == "The pledge is unsigned"
    assert "The pledge is unsigned" in client.get(url("round_detail", proposed.pk)).content.decode()


def test_the_operator_adjusts_the_proposal_and_sends_the_invitations(client, operator, proposed):
    item = proposed.items.first()
    pair = item.assignments.first()
    spare = ExpertProfile.objects.exclude(assignments__item=item).exclude(exclusions__item=item).first()
    client.force_login(operator)
    client.post(url("assignment_lock", pair.pk), {"locked": "1"})
    pair.refresh_from_db()
    assert pair.locked
    unknown = client.post(url("item_add_expert", item.pk), {f"add{item.pk}-expert": "nobody@example.cn"})
    assert unknown.status_code == 400 and "Nobody in the pool has this email." in unknown.content.decode()
    client.post(url("item_add_expert", item.pk), {f"add{item.pk}-expert": spare.user.email})
    assert Assignment.objects.filter(item=item, expert=spare, locked=True).exists()
    removable = item.assignments.filter(locked=False).first()
    client.post(url("assignment_remove", removable.pk))
    assert not Assignment.objects.filter(pk=removable.pk).exists()
    response = client.post(url("round_reassign", proposed.pk))
    assert response.status_code == 302
    assert Assignment.objects.filter(pk=pair.pk).exists()  # locked pairs survive recomputing
    client.post(url("round_invite", proposed.pk))
    proposed.refresh_from_db()
    assert proposed.status == ReviewRound.Status.IN_PROGRESS
    assert not Assignment.objects.filter(item__round=proposed, status=A.PROPOSED).exists()


def test_removing_an_invited_assignment_shows_the_reason_instead_of_an_error(client, operator, round):
    pair = Assignment.objects.filter(item__round=round).first()
    client.force_login(operator)
    back = url("round_detail", round.pk)
    response = client.post(url("assignment_remove", pair.pk), HTTP_REFERER=f"http://testserver{back}")
    assert response.status_code == 302
    assert "Only a proposed assignment can be removed" in client.get(back).content.decode()


def test_the_operator_configures_a_round_before_it_starts(client, operator, proposed):
    client.force_login(operator)
    data = {
        "name": "Expert review (second call)",
        "experts_per_item": "4",
        "invitation_hours": "24",
        "quorum": "2",
        "aggregation": "trimmed",
        "spread_threshold": "20",
        "std_threshold": "10",
        "shortlist_size": "2",
        "rubric": proposed.rubric_id,
        "soft_deadline": "2031-05-01T18:00",
        "hard_deadline": "2031-04-01T18:00",
        "blind": "on",
    }
    refused = client.post(url("round_settings", proposed.pk), data)
    assert refused.status_code == 400
    proposed.refresh_from_db()
    assert proposed.experts_per_item == 3
    data["hard_deadline"] = "2031-05-08T18:00"
    assert client.post(url("round_settings", proposed.pk), data).status_code == 302
    proposed.refresh_from_db()
    assert (proposed.experts_per_item, proposed.aggregation, proposed.auto_invite) == (4, "trimmed", False)


def test_too_few_experts_shows_why_and_the_operator_runs_the_assignment_again(
    client, operator, challenge, django_capture_on_commit_callbacks
):
    make_expert(operator, name="Lonely", affiliation=OrganisationFactory())
    round = start(challenge, django_capture_on_commit_callbacks, auto_invite=False)
    assert round.status == ReviewRound.Status.ASSIGNING
    client.force_login(operator)
    html = client.get(url("round_detail", round.pk)).content.decode()
    assert "Stopped: not enough unconflicted experts." in html and "Run the assignment again" in html
    for n in range(6):
        make_expert(operator, name=f"Late {n}", affiliation=OrganisationFactory())
    assert client.post(url("round_assign", round.pk)).status_code == 302
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.PROPOSED
    assert Assignment.objects.filter(item__round=round, status=A.PROPOSED).count() == 6


def test_progress_polls_while_the_round_is_assigning(client, operator, round):
    ReviewRound.objects.filter(pk=round.pk).update(status=ReviewRound.Status.ASSIGNING, progress={"step": "solving", "items": 2})
    client.force_login(operator)
    html = client.get(url("round_detail", round.pk)).content.decode()
    assert 'hx-trigger="every 5s"' in html and "Computing the assignment" in html and "80%" in html
    partial = client.get(url("round_progress", round.pk) + "?watch=1", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and 'hx-trigger="every 5s"' in partial.content.decode()
    ReviewRound.objects.filter(pk=round.pk).update(status=ReviewRound.Status.PROPOSED)
    done = client.get(url("round_progress", round.pk) + "?watch=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_in_progress_the_page_counts_reviews_and_overdue_ones(client, approver, round):
    ReviewRound.objects.filter(pk=round.pk).update(soft_deadline=timezone.now() - timezone.timedelta(hours=1))
    client.force_login(approver)
    html = client.get(url("round_detail", round.pk)).content.decode()
    assert "0 of 6 reviews submitted" in html and "6 overdue" in html
    assert "hx-trigger" not in html


# Results ----------------------------------------------------------------------------------------


def test_the_ranking_with_its_chart_data_after_completion(client, approver, round, django_capture_on_commit_callbacks):
    values = iter([9, 5, 8, 7, 6, 8])
    for a in Assignment.objects.filter(item__round=round).select_related("expert__user"):
        services.assignment_accept(assignment=a, actor=a.expert.user)
        value = next(values)
        scores = {c.pk: {"value": value, "comment": "Noted"} for c in criteria(round)}
        with django_capture_on_commit_callbacks(execute=True):
            services.review_save(assignment=a, actor=a.expert.user, scores=scores, submit=True)
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.COMPLETED
    client.force_login(approver)
    response = client.get(url("round_results", round.pk))
    html = response.content.decode()
    assert "Ties: higher median first" in html
    assert 'id="score-data"' in html and "chart.umd.min.js" in html
    chart = response.context["chart"]
    assert len(chart["labels"]) == 2 and sorted(len(t) for t in chart["totals"]) == [3, 3]
    assert chart["labels"][0].startswith("#1 ")
    assert "flagged for discussion" in html  # 90/50/80 spreads by 40 points
    assert "Bidder Ltd" in html  # the agency may see whose bid it is once the round is complete
    assert not any(e.user.full_name in html for e in ExpertProfile.objects.select_related("user"))


# The expert pool --------------------------------------------------------------------------------


def test_the_operator_adds_and_edits_an_expert(client, operator):
    person = UserFactory(full_name="Prof. Wang", email="wang@example.cn")
    lab = OrganisationFactory(name="Wang Lab")
    client.force_login(operator)
    fields = [technical_field().pk]
    data = {
        "email": "WANG@example.cn",
        "title": "Professor",
        "affiliation_code": lab.credit_code.lower(),
        "tier": "2",
        "max_concurrent": "5",
        "fields": fields,
        "keywords": "碳化硅; crystal growth ;; power devices",
        "is_active": "on",
    }
    response = client.post(url("expert_create"), data)
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(user=person)
    assert profile.keywords == sorted(["碳化硅", "crystal growth", "power devices"])
    assert profile.affiliation == lab and profile.tier == 2 and list(profile.fields.values_list("pk", flat=True)) == fields
    edit = client.get(url("expert_edit", profile.pk)).content.decode()
    assert 'type="checkbox" name="fields"' in edit and "crystal growth; power devices; 碳化硅" in edit
    duplicate = client.post(url("expert_create"), data)
    assert duplicate.status_code == 400 and "already in the pool" in duplicate.content.decode()
    client.post(url("expert_edit", profile.pk), {**data, "tier": "1", "is_active": ""})
    profile.refresh_from_db()
    assert profile.tier == 1 and not profile.is_active


def test_an_unknown_email_or_credit_code_is_refused_next_to_the_field(client, operator):
    client.force_login(operator)
    response = client.post(
        url("expert_create"), {"email": "ghost@example.cn", "affiliation_code": "X", "tier": "3", "max_concurrent": "8"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email-error"' in html and "No account has this email." in html
    assert 'id="id_affiliation_code-error"' in html


def test_the_pool_is_searchable_by_name_field_and_tier(client, operator, experts):
    client.force_login(operator)
    html = client.get(url("expert_list"), {"q": "Expert 3"}).content.decode()
    assert "Expert 3" in html and "Expert 4" not in html
    assert "Expert 4" not in client.get(url("expert_list"), {"tier": "1"}).content.decode()
    assert "Expert 4" in client.get(url("expert_list"), {"field": technical_field().pk}).content.decode()


def test_conflicts_are_declared_on_the_expert_page(client, operator, experts, rival_org):
    expert = experts[0]
    client.force_login(expert.user)
    empty = client.post(url("expert_conflict_add", expert.pk), {"reason": "Friends", "person_name": ""})
    assert empty.status_code == 400
    data = {"organisation_code": rival_org.credit_code, "reason": "Co-authored papers until 2024"}
    assert client.post(url("expert_conflict_add", expert.pk), data).status_code == 302
    client.force_login(operator)
    html = client.get(url("expert_detail", expert.pk)).content.decode()
    assert "Rival Ltd" in html and "Co-authored papers until 2024" in html


def test_a_csv_with_bad_rows_shows_each_line_and_imports_nothing(client, operator):
    client.force_login(operator)
    rows = [
        "email,full_name,tier,fields",
        "good@example.cn,Good Person,2,integrated-circuits",
        "not-an-email,Bad Email,3,",
        "third@example.cn,,9,no-such-field",
    ]
    upload = SimpleUploadedFile("experts.csv", "\n".join(rows).encode(), content_type="text/csv")
    response = client.post(url("expert_import"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 rows have problems; nothing was imported" in html
    assert '<td class="text-end">3</td><td>invalid email' in html
    assert '<td class="text-end">4</td><td>full_name is empty' in html and "no-such-field" in html
    assert not ExpertProfile.objects.exists()


def test_a_csv_dry_run_then_import(client, operator):
    client.force_login(operator)
    content = b"email,full_name,fields,keywords\nnew@example.cn,New Expert,integrated-circuits,SiC;GaN\n"
    dry = client.post(url("expert_import"), {"file": SimpleUploadedFile("e.csv", content), "dry_run": "on"})
    assert dry.status_code == 200 and "Every row is valid." in dry.content.decode()
    assert not ExpertProfile.objects.exists()
    done = client.post(url("expert_import"), {"file": SimpleUploadedFile("e.csv", content)})
    assert done.status_code == 302
    assert ExpertProfile.objects.get(user__email="new@example.cn").keywords == ["GaN", "SiC"]


# Constant query counts --------------------------------------------------------------------------


def queries(client, page) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200
    return len(captured)


def test_the_pool_page_costs_the_same_for_1_or_50_experts(client, operator, django_assert_max_num_queries):
    lab = OrganisationFactory()
    make_expert(operator, name="Expert 0", affiliation=lab)
    client.force_login(operator)
    one = queries(client, url("expert_list"))
    for n in range(1, 50):
        make_expert(operator, name=f"Expert {n}", affiliation=lab, fields=("integrated-circuits", "advanced-materials"))
    with django_assert_max_num_queries(one):
        response = client.get(url("expert_list"))
    assert response.content.decode().count("/reviews/experts/") >= 50


def _assignments(expert, challenge, n: int) -> None:
    round = ReviewRound.objects.create(challenge=challenge, position=10 + n, name=f"Round {n}")
    kind = ContentType.objects.get_for_model(BidRevision)
    states = [A.INVITED, A.ACCEPTED, A.SUBMITTED, A.DECLINED]
    for k in range(n):
        item = ReviewItem.objects.create(
            round=round, subject_type=kind, subject_id=str(10_000 + k), label=f"L{k}", blind_label=f"Bid {k:04d}"
        )
        status = states[k % len(states)]
        a = Assignment.objects.create(item=item, expert=expert, status=status, answer_by=timezone.now())
        if status in {A.ACCEPTED, A.SUBMITTED}:
            Review.objects.create(assignment=a, status="submitted" if status == A.SUBMITTED else "draft")


def test_my_reviews_costs_the_same_for_1_or_20_assignments(
    client, operator, agency, editor, approver, django_assert_max_num_queries
):
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    few, many = make_expert(operator, name="Few"), make_expert(operator, name="Many")
    _assignments(few, challenge, 1)
    _assignments(many, challenge, 20)
    client.force_login(few.user)
    one = queries(client, url("my_reviews"))
    client.force_login(many.user)
    with django_assert_max_num_queries(one):
        response = client.get(url("my_reviews"))
    assert response.content.decode().count("Bid 00") == 20
