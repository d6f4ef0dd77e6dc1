"""Celery tasks of the review workflow: thin, idempotent, given ids.

close → one formal check per bid (a group) → chord callback: assign → invite.
"""

from datetime import timedelta

from celery import chord, shared_task
from django.db import transaction

from challenges.models import Challenge
from core.errors import DomainError
from core.task_base import DB_ERRORS, PlatformTask

from .models import Assignment, ReviewItem, ReviewRound

# A round still "checking" this long after its last step lost its messages.
STALL_AFTER = timedelta(minutes=10)


@shared_task(base=PlatformTask)
def start_review(challenge_id: str) -> int:
    """Create the round's items from the bids submitted by the deadline, then fan out the checks.

    Safe to run again: items are created once, decided checks are skipped."""
    from challenges.services import challenge_start_review

    from .services.rounds import expert_round, items_create

    challenge = Challenge.objects.get(pk=challenge_id)
    with transaction.atomic():
        round = expert_round(challenge)
        items = items_create(round)
        if challenge.status == Challenge.Status.BIDDING_CLOSED:
            challenge_start_review(challenge=challenge)
        ReviewRound.objects.filter(pk=round.pk).update(progress={**round.progress, "step": "checking", "items": len(items)})
    pending = [i.pk for i in ReviewItem.objects.filter(round=round, check_status=ReviewItem.Check.PENDING).order_by("pk")]
    if pending:
        chord(formal_check.s(pk) for pk in pending)(after_checks.si(round.pk))
    else:
        after_checks.delay(round.pk)
    return len(items)


@shared_task(base=PlatformTask, autoretry_for=(ConnectionError, *DB_ERRORS))
def formal_check(item_id: int) -> str:
    from .services.rounds import formal_check_item

    return formal_check_item(item_id)


@shared_task(base=PlatformTask)
def after_checks(round_id: int) -> dict:
    """The chord's callback: eligible bids go to review; compute the assignment; invite.

    Safe to run again after a worker died at any point: the claim and the solution commit
    together, so a half-done run leaves the round in "checking" and the rerun starts over;
    a round left "proposed" with auto-invite on only lacks its invitations.
    """
    from submissions.review_status import bid_advance

    from .services.assigning import invitations_send, round_assign
    from .services.rounds import formal_check_item, revision_of

    # A check lost with a killed worker (or a chord that fired early) is done here: every
    # item is decided before any is assigned. A decided item is left alone.
    for pk in ReviewItem.objects.filter(round_id=round_id, check_status=ReviewItem.Check.PENDING).values_list("pk", flat=True):
        formal_check_item(pk)
    summary: dict = {}
    with transaction.atomic():
        round = ReviewRound.objects.select_for_update(of=("self",)).get(pk=round_id)
        if round.status == ReviewRound.Status.CHECKING:
            ReviewRound.objects.filter(pk=round_id).update(status=ReviewRound.Status.ASSIGNING)
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
                notify_operators_infeasible(ReviewRound.objects.get(pk=round_id), str(exc))
                return {"infeasible": str(exc)}
        elif round.status != ReviewRound.Status.PROPOSED:
            return {"skipped": round.status}
    round = ReviewRound.objects.get(pk=round_id)
    waiting = Assignment.objects.filter(item__round=round, status=Assignment.Status.PROPOSED).exists()
    if round.auto_invite and round.status == ReviewRound.Status.PROPOSED and waiting:
        summary["invited"] = invitations_send(round=round)
    return summary or {"skipped": round.status}


@shared_task(base=PlatformTask)
def resume_stalled_rounds() -> int:
    """Restart rounds stuck in "checking" (their messages lost with a broker restart or a
    killed worker): every step is safe to run again, so the rerun only finishes the work."""
    from django.utils import timezone

    cutoff = (timezone.now() - STALL_AFTER).isoformat()
    resumed = 0
    for round in ReviewRound.objects.filter(status=ReviewRound.Status.CHECKING).select_related("challenge")[:100]:
        if (round.progress or {}).get("at", "") > cutoff:
            continue  # recently queued or progressing: give it time
        ReviewRound.objects.filter(pk=round.pk).update(progress={**round.progress, "at": timezone.now().isoformat()})
        if round.kind == ReviewRound.Kind.EXPERT_REVIEW:
            start_review.delay(str(round.challenge_id))
        else:
            after_checks.delay(round.pk)
        resumed += 1
    return resumed


@shared_task(base=PlatformTask)
def replace_assignment(assignment_id: int) -> int | None:
    from .services.assigning import assignment_replace

    row = assignment_replace(assignment_id)
    return row.pk if row else None


@shared_task(base=PlatformTask)
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
