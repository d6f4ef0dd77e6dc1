"""Celery tasks of the review workflow: thin, idempotent, given ids.

close → one formal check per bid (a group) → chord callback: assign → invite.
"""

from celery import chord, shared_task
from django.db import transaction

from challenges.models import Challenge
from core.errors import DomainError

from .models import ReviewItem, ReviewRound


@shared_task(acks_late=True)
def start_review(challenge_id: str) -> int:
    """Create the round's items from the bids submitted by the deadline, then fan out the checks."""
    from challenges.services import challenge_start_review

    from .services.rounds import expert_round, items_create

    challenge = Challenge.objects.get(pk=challenge_id)
    with transaction.atomic():
        round = expert_round(challenge)
        items = items_create(round)
        if challenge.status == Challenge.Status.BIDDING_CLOSED:
            challenge_start_review(challenge=challenge)
        ReviewRound.objects.filter(pk=round.pk).update(progress={**round.progress, "step": "checking", "items": len(items)})
    pending = [i.pk for i in items if i.check_status == ReviewItem.Check.PENDING]
    if pending:
        chord(formal_check.s(pk) for pk in pending)(after_checks.si(round.pk))
    else:
        after_checks.delay(round.pk)
    return len(items)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=10, max_retries=5)
def formal_check(item_id: int) -> str:
    from .services.rounds import formal_check_item

    return formal_check_item(item_id)


@shared_task(acks_late=True)
def after_checks(round_id: int) -> dict:
    """The chord's callback: eligible bids go to review; compute the assignment; invite."""
    from submissions.review_status import bid_advance

    from .services.assigning import invitations_send, round_assign
    from .services.rounds import revision_of

    with transaction.atomic():
        claimed = ReviewRound.objects.filter(pk=round_id, status=ReviewRound.Status.CHECKING).update(
            status=ReviewRound.Status.ASSIGNING
        )
        if not claimed:
            return {"skipped": "already assigned"}
        round = ReviewRound.objects.get(pk=round_id)
        for item in round.items.filter(check_status=ReviewItem.Check.PASSED, subject_type__model="bidrevision"):
            bid = revision_of(item).bid
            if bid.status == bid.Status.ELIGIBLE:
                bid_advance(bid=bid, name="start_review")
        ReviewRound.objects.filter(challenge=round.challenge, kind=ReviewRound.Kind.FORMAL_CHECK).update(
            status=ReviewRound.Status.COMPLETED
        )
    try:
        summary = round_assign(round)
    except DomainError as exc:
        # Not enough unconflicted experts: the round waits in "assigning" with the reasons in
        # its progress; operators are told, add experts, and run the assignment again.
        notify_operators_infeasible(round, str(exc))
        return {"infeasible": str(exc)}
    if round.auto_invite:
        summary["invited"] = invitations_send(round=round)
    return summary


@shared_task(acks_late=True)
def replace_assignment(assignment_id: int) -> int | None:
    from .services.assigning import assignment_replace

    row = assignment_replace(assignment_id)
    return row.pk if row else None


@shared_task(acks_late=True)
def aggregate_if_complete(round_id: int) -> bool:
    from .services.aggregation import round_aggregate

    return round_aggregate(ReviewRound.objects.get(pk=round_id))


def notify_operators_infeasible(round: ReviewRound, message: str) -> None:
    from django.utils.translation import gettext_lazy

    from accounts.selectors import operators
    from core.notifications import notify

    notify(
        recipients=operators(),
        verb="review.infeasible",
        key=f"review.infeasible:{round.pk}:{round.progress.get('at', '')}",
        title=gettext_lazy("Assignment impossible for %(round)s"),
        body="%(message)s",
        context={"round": str(round), "message": message},
    )
