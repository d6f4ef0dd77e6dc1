"""close → formal checks (a chord) → assignment → invitations → reviews → aggregation,
with every task on a real worker process over the real broker."""

import pytest
from django.utils import timezone

from challenges.models import Challenge
from core.audit import verify_chain
from core.models import Notification
from core.tasks import advance_due_work
from reviews import services
from reviews.models import Assignment, ReviewItem, ReviewRound
from submissions.models import Bid
from tests.factories import OrganisationFactory, make_bid, make_challenge
from tests.reviews.conftest import make_expert

from .conftest import wait_for

pytestmark = pytest.mark.integration


def test_a_real_worker_runs_the_review_from_close_to_ranking(
    worker, agency, editor, approver, bidder_org, bidder, rival_org, rival, operator
):
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    make_bid(challenge=challenge, lead=bidder_org, actor=bidder, submit=True)
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    insider = make_expert(operator, name="Insider", affiliation=bidder_org)
    for n in range(7):
        make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}"))
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())

    # One tick of the clock on the worker closes bidding and starts the review chord.
    advance_due_work.delay().get(timeout=60)
    round = challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)

    def invited():
        return Assignment.objects.filter(item__round=round, status=Assignment.Status.INVITED).count() == 6

    assert wait_for(invited, 60), (ReviewRound.objects.get(pk=round.pk).progress, worker.log.read_text()[-3000:])
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.UNDER_REVIEW
    assert set(ReviewItem.objects.filter(round=round).values_list("check_status", flat=True)) == {"passed"}
    for assignment in Assignment.objects.filter(expert=insider):
        assert bidder_org.pk not in assignment.item.organisation_ids
    for item in round.items.all():
        assert item.assignments.values("expert").distinct().count() == 3

    criteria = list(round.rubric.criteria.all())
    for n, assignment in enumerate(Assignment.objects.filter(item__round=round).select_related("expert__user")):
        user = assignment.expert.user
        services.assignment_accept(assignment=assignment, actor=user)
        value = 9 if assignment.item.organisation_ids[0] == bidder_org.pk else 6
        scores = {c.pk: {"value": value, "comment": f"Review {n}"} for c in criteria}
        services.review_save(assignment=assignment, actor=user, scores=scores, submit=True)

    assert wait_for(lambda: ReviewRound.objects.get(pk=round.pk).status == ReviewRound.Status.COMPLETED, 60), (
        worker.log.read_text()[-3000:]
    )
    first = ReviewItem.objects.get(round=round, rank=1)
    assert bidder_org.pk in first.organisation_ids
    assert first.score == 90
    assert set(Bid.objects.filter(challenge=challenge).values_list("status", flat=True)) == {Bid.Status.SHORTLISTED}
    assert Notification.objects.filter(verb="review.completed", recipient=approver).exists()
    assert Notification.objects.filter(verb="review.invited").count() == 6
    assert verify_chain() is None
