"""Access helpers of the review pages: 404 for what the user may not know of, 403 for what
the user may not do."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from reviews import selectors
from reviews.models import Assignment, ExpertProfile, ReviewItem, ReviewRound


def require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def expert_for(request, pk) -> ExpertProfile:
    """Operators open any expert; an expert only their own profile; anyone else gets a 404."""
    experts = ExpertProfile.objects.select_related("user", "affiliation")
    if not request.user.has_perm("reviews.manage_pool"):
        experts = experts.filter(user=request.user)
    return get_object_or_404(experts, pk=pk)


def round_for(request, pk, perm: str | None = None) -> ReviewRound:
    round = selectors.round_for(request.user, pk)
    if perm:
        require(request.user, perm, round)
    return round


def item_for(request, pk) -> ReviewItem:
    """An item of a round the user can see (else 404) that the user manages (else 403)."""
    visible = ReviewItem.objects.filter(round__in=selectors.visible_rounds(request.user))
    item = get_object_or_404(visible.select_related("round__challenge"), pk=pk)
    require(request.user, "reviews.manage_round", item.round)
    return item


def managed_assignment(request, pk) -> Assignment:
    """An assignment the user may know of (its round is visible, or it is the user's own: else 404)
    that the user manages (else 403), like the API answers the assigned expert."""
    rounds = selectors.visible_rounds(request.user)
    own = selectors.my_assignments(request.user).values("pk")
    visible = Assignment.objects.filter(Q(item__round__in=rounds) | Q(pk__in=own))
    assignment = get_object_or_404(visible.select_related("item__round"), pk=pk)
    require(request.user, "reviews.manage_round", assignment.item.round)
    return assignment


def to_round(round_id: int, anchor: str = ""):
    return redirect(f"{reverse('frontend:round_detail', args=[round_id])}{anchor}")
