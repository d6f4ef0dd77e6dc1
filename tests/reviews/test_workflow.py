"""The review workflow through its services and tasks (tasks run inline here; the real worker
runs them in tests/integration)."""

import pytest
from django.utils import timezone

from challenges.models import Challenge
from core.models import Notification
from core.tasks import advance_due_work
from reviews import services
from reviews.models import Assignment, Exclusion, Review, ReviewItem, ReviewRound
from submissions.models import Bid
from tests.factories import OrganisationFactory

from .conftest import expert_round_of, make_expert

pytestmark = pytest.mark.django_db
A = Assignment.Status


def start(closed_challenge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        advance_due_work.apply()
    return expert_round_of(closed_challenge)


def test_closing_runs_checks_assignment_and_invitations(closed_challenge, experts, django_capture_on_commit_callbacks):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    round.refresh_from_db()
    closed_challenge.refresh_from_db()
    assert closed_challenge.status == Challenge.Status.UNDER_REVIEW
    assert round.status == ReviewRound.Status.IN_PROGRESS
    items = list(round.items.all())
    assert len(items) == 2 and all(i.check_status == ReviewItem.Check.PASSED for i in items)
    for item in items:
        experts_on_item = list(item.assignments.values_list("expert_id", flat=True))
        assert len(experts_on_item) == len(set(experts_on_item)) == round.experts_per_item
    assert set(Assignment.objects.values_list("status", flat=True)) == {A.INVITED}
    assert set(Bid.objects.values_list("status", flat=True)) == {Bid.Status.UNDER_REVIEW}
    invited = Notification.objects.filter(verb="review.invited")
    assert invited.count() == 2 * round.experts_per_item
    # The invitation names neither applicant.
    assert not invited.filter(title__icontains="Bidder").exists() and not invited.filter(body__icontains="Rival").exists()


def test_conflicted_experts_are_excluded_with_their_reason(
    closed_challenge, experts, operator, bidder_org, django_capture_on_commit_callbacks
):
    insider = make_expert(operator, name="Insider", affiliation=bidder_org)
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    bidder_item = next(i for i in round.items.all() if bidder_org.pk in i.organisation_ids)
    assert not Assignment.objects.filter(item=bidder_item, expert=insider).exists()
    exclusion = Exclusion.objects.get(item=bidder_item, expert=insider)
    assert exclusion.reason == Exclusion.Reason.SAME_ORGANISATION


def test_two_experts_of_one_organisation_never_share_an_item(closed_challenge, operator, django_capture_on_commit_callbacks):
    lab = OrganisationFactory(name="Shared Lab")
    for n in range(4):
        make_expert(operator, name=f"Colleague {n}", affiliation=lab)
    for n in range(3):
        make_expert(operator, name=f"Solo {n}", affiliation=OrganisationFactory())
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    for item in round.items.all():
        orgs = list(item.assignments.values_list("expert__affiliation_id", flat=True))
        assert len(orgs) == len(set(orgs))


def test_too_few_experts_is_reported_before_solving(closed_challenge, operator, django_capture_on_commit_callbacks):
    make_expert(operator, name="Lonely", affiliation=OrganisationFactory())
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    round.refresh_from_db()
    assert round.progress["step"] == "infeasible"
    assert len(round.progress["shortages"]) >= 1
    assert not Assignment.objects.exists()
    assert Notification.objects.filter(verb="review.infeasible", recipient=operator).exists()


def test_a_decline_is_replaced_automatically(closed_challenge, experts, django_capture_on_commit_callbacks):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    first = Assignment.objects.filter(item__round=round).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_decline(assignment=first, actor=first.expert.user, reason="Travelling")
    replacement = Assignment.objects.get(replaces=first)
    assert replacement.expert != first.expert
    assert replacement.status == A.INVITED
    live = Assignment.objects.filter(item=first.item, status__in=Assignment.LIVE_STATES)
    assert live.count() == round.experts_per_item


def test_an_expired_invitation_is_replaced_by_the_clock(closed_challenge, experts, django_capture_on_commit_callbacks):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    first = Assignment.objects.filter(item__round=round).first()
    Assignment.objects.filter(pk=first.pk).update(answer_by=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        advance_due_work.apply()
    first.refresh_from_db()
    assert first.status == A.EXPIRED
    assert Assignment.objects.filter(replaces=first, status=A.INVITED).exists()


def score_all(round, value=8, django_capture_on_commit_callbacks=None):
    criteria = list(round.rubric.criteria.all())
    for assignment in Assignment.objects.filter(item__round=round, status=A.INVITED):
        services.assignment_accept(assignment=assignment, actor=assignment.expert.user)
        scores = {c.pk: {"value": value, "comment": "Solid"} for c in criteria}
        with django_capture_on_commit_callbacks(execute=True):
            services.review_save(assignment=assignment, actor=assignment.expert.user, scores=scores, submit=True)


def test_when_every_review_is_in_the_round_aggregates_and_ranks(
    closed_challenge, experts, approver, django_capture_on_commit_callbacks
):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    score_all(round, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.COMPLETED
    ranks = sorted(round.items.values_list("rank", flat=True))
    assert ranks == [1, 2]
    assert all(i.score == 80 for i in round.items.all())
    assert set(Bid.objects.values_list("status", flat=True)) == {Bid.Status.SHORTLISTED}
    assert Notification.objects.filter(verb="review.completed", recipient=approver).exists()


def test_a_submitted_review_is_locked_until_an_operator_reopens_it(
    closed_challenge, experts, operator, django_capture_on_commit_callbacks
):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    ReviewRound.objects.filter(pk=round.pk).update(quorum=3)
    assignment = Assignment.objects.filter(item__round=round).first()
    user = assignment.expert.user
    services.assignment_accept(assignment=assignment, actor=user)
    scores = {c.pk: {"value": 5, "comment": "ok"} for c in round.rubric.criteria.all()}
    services.review_save(assignment=assignment, actor=user, scores=scores, submit=True)
    from core.errors import DomainError

    with pytest.raises(DomainError):
        services.review_save(assignment=assignment, actor=user, scores=scores, submit=True)
    services.review_reopen(assignment=assignment, actor=operator, reason="Score typed in the wrong row")
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT
    services.review_save(assignment=assignment, actor=user, scores=scores, submit=True)


def test_scores_outside_the_range_or_missing_comments_are_refused(closed_challenge, experts, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    round = start(closed_challenge, django_capture_on_commit_callbacks)
    assignment = Assignment.objects.filter(item__round=round).first()
    user = assignment.expert.user
    services.assignment_accept(assignment=assignment, actor=user)
    criteria = list(round.rubric.criteria.all())
    with pytest.raises(ValidationError) as caught:
        services.review_save(assignment=assignment, actor=user, scores={criteria[0].pk: {"value": 11}}, submit=True)
    assert f"criterion_{criteria[0].pk}" in caught.value.message_dict
    # A draft may be partial.
    services.review_save(assignment=assignment, actor=user, scores={criteria[0].pk: {"value": 7}})


def test_a_reviewer_cannot_answer_someone_elses_invitation(closed_challenge, experts, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    round = start(closed_challenge, django_capture_on_commit_callbacks)
    mine = Assignment.objects.filter(item__round=round).first()
    other = Assignment.objects.filter(item__round=round).exclude(expert=mine.expert).first()
    with pytest.raises(PermissionDenied):
        services.assignment_accept(assignment=other, actor=mine.expert.user)
