"""Read queries for reviews. A reviewer sees only their own assignments; agencies see progress
and rankings of their challenges, never reviewer names."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from accounts.rules import roles_by_org

from .models import Assignment, ExpertProfile, Review, ReviewItem, ReviewRound


def my_assignments(user) -> QuerySet[Assignment]:
    """Everything assigned to this expert, except what they were excluded from."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return Assignment.objects.filter(expert__user=user).exclude(status=Assignment.Status.CANCELLED)


def assignment_for(user, pk) -> Assignment:
    """404 unless the assignment is the user's own (or the user is an operator)."""
    base = Assignment.objects.all() if getattr(user, "is_operator", False) else my_assignments(user)
    return get_object_or_404(
        base.select_related("item__round__challenge", "item__round__rubric", "expert__user", "review"), pk=pk
    )


def visible_rounds(user) -> QuerySet[ReviewRound]:
    if not getattr(user, "is_authenticated", False):
        return ReviewRound.objects.none()
    if user.is_operator:
        return ReviewRound.objects.all()
    agencies = [org for org, role in roles_by_org(user).items() if role in Membership.AGENCY_ROLES]
    return ReviewRound.objects.filter(challenge__issuer_id__in=agencies)


def round_for(user, pk) -> ReviewRound:
    return get_object_or_404(visible_rounds(user).select_related("challenge", "rubric"), pk=pk)


def round_progress(round: ReviewRound) -> dict:
    """Counts by assignment status and the number of overdue reviews, in one query."""
    counts = dict(
        Assignment.objects.filter(item__round=round)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {"by_status": counts, "items": round.items.count(), "progress": round.progress}


def ranking(round: ReviewRound) -> QuerySet[ReviewItem]:
    """Items by rank with their submitted review totals (reviewers anonymous)."""
    submitted = Review.objects.filter(status=Review.Status.SUBMITTED).order_by("total")
    return (
        round.items.filter(check_status=ReviewItem.Check.PASSED)
        .prefetch_related(Prefetch("assignments__review", queryset=submitted))
        .order_by("rank", "pk")
    )


def experts(query: str = "") -> QuerySet[ExpertProfile]:
    qs = ExpertProfile.objects.select_related("user", "affiliation").prefetch_related("fields")
    if query:
        qs = qs.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
    return qs.order_by("user__full_name")
