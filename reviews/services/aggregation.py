"""From scores to a ranking: the per-challenge aggregation, disagreement flags and the tie rule."""

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from challenges.selectors import issuer_staff
from core import audit
from core.notifications import notify
from submissions.review_status import bid_advance

from ..models import Assignment, Review, ReviewItem, ReviewRound
from .rounds import revision_of

# The stated tie rule, shown with every ranking: a higher aggregate first; then a higher
# median; then a higher lowest score (fewer doubters); then the earlier submission.
TIE_RULE = gettext_lazy("Ties: higher median first, then higher lowest score, then the bid submitted earlier.")
TWO_PLACES = Decimal("0.01")


def aggregate(values: list[Decimal], method: str) -> Decimal:
    """mean, median, or trimmed mean: drop exactly one highest and one lowest when n ≥ 5."""
    if not values:
        raise ValueError("no scores to aggregate")
    ordered = sorted(values)
    if method == ReviewRound.Aggregation.MEDIAN:
        result = statistics.median(ordered)
    elif method == ReviewRound.Aggregation.TRIMMED and len(ordered) >= 5:
        trimmed = ordered[1:-1]
        result = sum(trimmed) / len(trimmed)
    else:
        result = sum(ordered) / len(ordered)
    return Decimal(result).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def spread(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    std = Decimal(statistics.pstdev([float(v) for v in values])).quantize(TWO_PLACES) if len(values) > 1 else Decimal("0")
    return (max(values) - min(values)).quantize(TWO_PLACES), std


def _counted(item: ReviewItem):
    # A review counts while its author still holds the place: one who recused after
    # submitting is out of the ranking (and a replacement takes the place).
    return Review.objects.filter(
        assignment__item=item, assignment__status=Assignment.Status.SUBMITTED, status=Review.Status.SUBMITTED
    )


def item_totals(item: ReviewItem) -> list[Decimal]:
    return [r.total for r in _counted(item).filter(total__isnull=False)]


def round_is_complete(round: ReviewRound, now=None) -> bool:
    """Every live assignment is in, or the hard deadline passed and each item has its quorum."""
    now = now or timezone.now()
    items = round.items.filter(check_status=ReviewItem.Check.PASSED)
    open_left = Assignment.objects.filter(item__in=items, status__in=Assignment.OPEN_STATES).exists()
    if not open_left:
        return items.exists()
    if round.hard_deadline and now >= round.hard_deadline:
        return all(_counted(item).count() >= round.quorum for item in items)
    return False


def round_aggregate(round: ReviewRound, now=None) -> bool:
    """Score, flag and rank every item, shortlist the best, notify the agency. Runs once per round."""
    from .assigning import extra_reviewer_add

    with transaction.atomic():
        locked = ReviewRound.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=round.pk)
        if locked.status != ReviewRound.Status.IN_PROGRESS or not round_is_complete(locked, now):
            return False
        items = list(locked.items.filter(check_status=ReviewItem.Check.PASSED))
        waiting = False
        for item in items:
            totals = item_totals(item)
            item.review_count = len(totals)
            item.score = aggregate(totals, locked.aggregation) if totals else None
            item.score_spread, item.score_std = spread(totals) if totals else (None, None)
            disagree = bool(totals) and (item.score_spread > locked.spread_threshold or item.score_std > locked.std_threshold)
            if disagree and locked.add_reviewer_on_disagreement and not item.flagged:
                item.flagged = True
                item.save()
                waiting |= extra_reviewer_add(item) is not None
                continue
            item.flagged = item.flagged or disagree
        if waiting:
            ReviewItem.objects.bulk_update(items, ["review_count", "score", "score_spread", "score_std", "flagged"])
            audit.record(action="round.extra_reviewers", obj=locked)
            return False
        _rank(items)
        ReviewItem.objects.bulk_update(items, ["review_count", "score", "score_spread", "score_std", "flagged", "rank"])
        Assignment.objects.filter(item__round=locked, status__in=Assignment.OPEN_STATES).update(
            status=Assignment.Status.CANCELLED
        )
        locked.status, locked.completed_at = ReviewRound.Status.COMPLETED, timezone.now()
        locked.save(update_fields=["status", "completed_at"])
        if locked.kind == ReviewRound.Kind.EXPERT_REVIEW:
            _move_bids(items, locked.shortlist_size)
        audit.record(
            action="round.aggregate",
            obj=locked,
            after={"ranking": [{"item": i.pk, "score": i.score, "rank": i.rank} for i in items]},
        )
        notify(
            recipients=issuer_staff(locked.challenge),
            verb="review.completed",
            key=f"review.completed:{locked.pk}",
            title=gettext_lazy("Review results are ready: %(title)s"),
            body=gettext_lazy("%(n)s bids were scored and ranked. Open the ranking to decide."),
            context={"title": locked.challenge.title, "n": len(items)},
            url=reverse("frontend:round_results", args=[locked.pk]),
        )
    return True


def _rank(items: list[ReviewItem]) -> None:
    def key(item):
        totals = sorted(item_totals(item))
        median = statistics.median(totals) if totals else Decimal("-1")
        lowest = totals[0] if totals else Decimal("-1")
        submitted = _submitted_at(item)
        return (-(item.score if item.score is not None else Decimal("-1")), -median, -lowest, submitted)

    for rank, item in enumerate(sorted(items, key=key), start=1):
        item.rank = rank


def _submitted_at(item: ReviewItem):
    """When the reviewed thing was handed in: the bid revision's time, else the item's."""
    if item.subject_type.model == "bidrevision":
        return revision_of(item).submitted_at
    return item.created_at


def _move_bids(items: list[ReviewItem], shortlist_size: int) -> None:
    for item in items:
        bid = revision_of(item).bid
        if bid.status == bid.Status.UNDER_REVIEW:
            bid_advance(bid=bid, name="shortlist" if item.rank <= shortlist_size else "not_select")
