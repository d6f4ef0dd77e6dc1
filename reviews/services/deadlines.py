"""What the every-minute clock advances in reviews. Each handler is idempotent: a conditional
update claims each row, so a second or late run does nothing more."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.selectors import operators
from challenges.models import Challenge
from core.errors import DomainError
from core.notifications import notify

from ..models import Assignment, ReviewRound
from .reviewing import assignment_expire

A = Assignment.Status
REMIND_BEFORE = timedelta(hours=48)


def start_due_rounds(now) -> int:
    """Bidding closed: plan the rounds and start the formal checks → assignment → invitations chord."""
    from ..tasks import start_review
    from .rounds import expert_round

    started = 0
    for challenge in Challenge.objects.filter(status=Challenge.Status.BIDDING_CLOSED)[:100]:
        round = expert_round(challenge)
        claimed = ReviewRound.objects.filter(pk=round.pk, status=ReviewRound.Status.PLANNED).update(
            status=ReviewRound.Status.CHECKING, progress={"step": "queued", "at": now.isoformat()}
        )
        if claimed:
            transaction.on_commit(lambda pk=challenge.pk: start_review.delay(str(pk)))
            started += 1
    return started


def expire_invitations(now) -> int:
    due = Assignment.objects.filter(status=A.INVITED, answer_by__lte=now, item__round__status=ReviewRound.Status.IN_PROGRESS)
    expired = 0
    for assignment in list(due[:500]):
        try:
            assignment_expire(assignment)
        except DomainError:
            continue  # answered in the meantime: nothing left to expire
        expired += 1
    return expired


def send_reminders(now) -> int:
    sent = 0
    rounds = ReviewRound.objects.filter(status=ReviewRound.Status.IN_PROGRESS, soft_deadline__isnull=False)
    for round in rounds.select_related("challenge")[:200]:
        open_ = Assignment.objects.filter(item__round=round, status__in=[A.INVITED, A.ACCEPTED])
        if round.soft_deadline - REMIND_BEFORE <= now < round.soft_deadline:
            sent += _remind(open_.filter(reminded_before_at__isnull=True), "reminded_before_at", now, round, late=False)
        if now >= round.soft_deadline:
            sent += _remind(open_.filter(reminded_after_at__isnull=True), "reminded_after_at", now, round, late=True)
        if round.hard_deadline and now >= round.hard_deadline:
            sent += _escalate(open_.filter(escalated_at__isnull=True), now, round)
    return sent


def _claim(queryset, field: str, now) -> list[Assignment]:
    ids = list(queryset.values_list("pk", flat=True)[:500])
    claimed = []
    for pk in ids:
        if Assignment.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}):
            claimed.append(pk)
    return list(Assignment.objects.filter(pk__in=claimed).select_related("expert__user", "item"))


def _remind(queryset, field: str, now, round: ReviewRound, *, late: bool) -> int:
    rows = _claim(queryset, field, now)
    for a in rows:
        notify(
            recipients=[a.expert.user],
            verb="review.reminder_late" if late else "review.reminder",
            key=f"review.{field}:{a.pk}",
            title=gettext_lazy("Review overdue: %(item)s") if late else gettext_lazy("Review due soon: %(item)s"),
            body=gettext_lazy("The review deadline is %(deadline)s."),
            context={
                "item": a.item.blind_label,
                "deadline": timezone.localtime(round.soft_deadline).strftime("%Y-%m-%d %H:%M"),
            },
            url=reverse("frontend:assignment_detail", args=[a.pk]),
        )
    return len(rows)


def _escalate(queryset, now, round: ReviewRound) -> int:
    rows = _claim(queryset, "escalated_at", now)
    if rows:
        notify(
            recipients=operators(),
            verb="review.escalation",
            key=f"review.escalation:{round.pk}:{now:%Y%m%d%H%M}",
            title=gettext_lazy("%(n)s reviews missed the hard deadline in %(round)s"),
            body=gettext_lazy("Replace the reviewers or close the round with the quorum."),
            context={"n": len(rows), "round": str(round)},
            url=reverse("frontend:round_detail", args=[round.pk]),
        )
    return len(rows)


def close_due_rounds(now) -> int:
    """At the hard deadline a round with its quorum aggregates without the stragglers."""
    from .aggregation import round_aggregate

    closed = 0
    for round in ReviewRound.objects.filter(status=ReviewRound.Status.IN_PROGRESS, hard_deadline__lte=now)[:50]:
        closed += bool(round_aggregate(round, now))
    return closed
