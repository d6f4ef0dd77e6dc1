"""Read queries for reviews. A reviewer sees only their own assignments; agencies see progress
and rankings of their challenges, never reviewer names."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.rules import roles_by_org
from core.errors import DomainError

from . import items as item_registry
from .models import Assignment, Exclusion, ExpertProfile, Review, ReviewItem, ReviewRound

A = Assignment.Status


def my_assignments(user) -> QuerySet[Assignment]:
    """Everything this expert was invited to. A proposal is the operator's draft until the
    invitation goes out, and a cancelled place was never the expert's to finish."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return Assignment.objects.filter(expert__user=user).exclude(status__in=[A.PROPOSED, A.CANCELLED])


def assignment_for(user, pk) -> Assignment:
    """404 unless the assignment is the user's own (or the user is an operator)."""
    base = Assignment.objects.all() if getattr(user, "is_operator", False) else my_assignments(user)
    return get_object_or_404(
        base.select_related("item__round__challenge", "item__round__rubric", "expert__user", "review"), pk=pk
    )


def item_title(item: ReviewItem) -> str:
    """What a reviewer calls the item: never the applicant's name in a blind round."""
    return item.blind_label if item.round.blind else item.label


def item_subject(item: ReviewItem):
    model = ContentType.objects.get_for_id(item.subject_type_id).model_class()
    return model._default_manager.get(pk=item.subject_id)


def item_adapter(item: ReviewItem):
    return item_registry.adapter_for(ContentType.objects.get_for_id(item.subject_type_id).model_class()._meta.label_lower)


def item_content(item: ReviewItem) -> dict:
    """What a reviewer may read of the item, blind or open as its round says."""
    return item_adapter(item).content(item_subject(item), blind=item.round.blind)


def item_attachment(item: ReviewItem, number: int):
    """The n-th (from 1) attachment of the reviewed subject and the name to give it, or 404."""
    subject = item_subject(item)
    adapter = item_adapter(item)
    files = adapter.attachments(subject)
    described = adapter.content(subject, blind=item.round.blind).get("attachments", [])
    if not 1 <= number <= len(files):
        raise Http404
    wanted = files[number - 1]
    name = next((a["name"] for a in described if a.get("id") == wanted.pk), None)
    if name is None:
        raise Http404
    return wanted, name


def other_reviews(assignment: Assignment) -> list[Review]:
    """The other submitted reviews of the same item, without who wrote them."""
    return list(
        Review.objects.filter(
            assignment__item_id=assignment.item_id,
            assignment__status=A.SUBMITTED,
            status=Review.Status.SUBMITTED,
        )
        .exclude(assignment_id=assignment.pk)
        .prefetch_related("scores")
        .order_by("total", "pk")
    )


def my_reviews(user) -> QuerySet[Review]:
    """The reviews of assignments the expert still holds (accepted or submitted)."""
    return (
        Review.objects.filter(assignment__in=my_assignments(user).filter(status__in=[A.ACCEPTED, A.SUBMITTED]))
        .select_related("assignment__item__round")
        .prefetch_related("scores")
        .order_by("-updated_at", "pk")
    )


def review_of(assignment_id: int) -> Review:
    return Review.objects.select_related("assignment__item__round").prefetch_related("scores").get(assignment_id=assignment_id)


def saved_review(assignment: Assignment) -> tuple[dict[int, dict], str]:
    """The draft as saved: {criterion id: {value, comment}} and the overall comment."""
    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    if review is None:
        return {}, ""
    return {s.criterion_id: {"value": s.value, "comment": s.comment} for s in review.scores.all()}, review.comment


def visible_rounds(user) -> QuerySet[ReviewRound]:
    if not getattr(user, "is_authenticated", False):
        return ReviewRound.objects.none()
    if user.is_operator:
        return ReviewRound.objects.all()
    agencies = [org for org, role in roles_by_org(user).items() if role in Membership.AGENCY_ROLES]
    return ReviewRound.objects.filter(challenge__issuer_id__in=agencies)


def round_for(user, pk) -> ReviewRound:
    return get_object_or_404(visible_rounds(user).select_related("challenge", "rubric"), pk=pk)


def round_detail(user, pk) -> ReviewRound:
    """A visible round with its rubric's criteria and its items, or 404."""
    return get_object_or_404(
        visible_rounds(user).select_related("challenge", "rubric").prefetch_related("rubric__criteria", "items"), pk=pk
    )


def round_pairs(round: ReviewRound) -> QuerySet[Assignment]:
    """Every assignment of the round with its expert: the operator's preview (names included)."""
    return (
        Assignment.objects.filter(item__round=round)
        .select_related("item", "expert__user", "expert__affiliation")
        .order_by("item_id", "created_at", "pk")
    )


def round_exclusions(round: ReviewRound) -> QuerySet[Exclusion]:
    return (
        Exclusion.objects.filter(item__round=round)
        .select_related("item", "expert__user", "expert__affiliation")
        .order_by("item_id", "expert_id", "reason")
    )


def item_for(user, pk) -> ReviewItem:
    """An item of a round the user may see, or 404."""
    return get_object_or_404(ReviewItem.objects.filter(round__in=visible_rounds(user)).select_related("round"), pk=pk)


def round_progress(round: ReviewRound, now=None) -> dict:
    """Counts by assignment status and the number of overdue reviews (still open after the soft
    deadline), with the round's own progress report. No reviewer is named."""
    now = now or timezone.now()
    counts = dict(
        Assignment.objects.filter(item__round=round).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    late = round.soft_deadline is not None and now >= round.soft_deadline
    overdue = sum(counts.get(s, 0) for s in (A.INVITED, A.ACCEPTED)) if late else 0
    return {"by_status": counts, "items": round.items.count(), "overdue": overdue, "progress": round.progress}


def ranking(round: ReviewRound) -> QuerySet[ReviewItem]:
    """Items by rank with their submitted review totals (reviewers anonymous). A review whose
    author later recused is not counted."""
    submitted = Review.objects.filter(status=Review.Status.SUBMITTED, assignment__status=A.SUBMITTED).order_by("total")
    return (
        round.items.filter(check_status=ReviewItem.Check.PASSED)
        .prefetch_related(Prefetch("assignments__review", queryset=submitted))
        .order_by("rank", "pk")
    )


def review_totals(item: ReviewItem) -> list:
    """The submitted totals of an item from `ranking()`'s prefetch, lowest first."""
    reviews = (getattr(a, "review", None) for a in item.assignments.all())
    return sorted(r.total for r in reviews if r is not None and r.total is not None)


def completed_ranking(round: ReviewRound) -> QuerySet[ReviewItem]:
    if round.status != ReviewRound.Status.COMPLETED:
        raise DomainError(_("The ranking is available once the round is completed."), code="round_state")
    return ranking(round)


def experts(query: str = "") -> QuerySet[ExpertProfile]:
    """The pool with each expert's open load (proposed, invited or accepted assignments)."""
    qs = (
        ExpertProfile.objects.select_related("user", "affiliation")
        .prefetch_related("fields")
        .annotate(load=Count("assignments", filter=Q(assignments__status__in=Assignment.OPEN_STATES), distinct=True))
    )
    if query:
        qs = qs.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
    return qs.order_by("user__full_name", "pk")


def expert_for(user, pk) -> ExpertProfile:
    """Operators reach every profile; an expert only their own; anyone else gets 404."""
    qs = experts()
    if not user.has_perm("reviews.manage_pool"):
        qs = qs.filter(user_id=user.pk)
    return get_object_or_404(qs.prefetch_related("past_affiliations__organisation", "unavailable"), pk=pk)


# What applicants may read once the decision is out: scores and comments, never who wrote them.
FEEDBACK_STATES = {"in_publicity", "awarded", "in_execution", "completed", "unawarded"}


def feedback_for(bid) -> list[dict]:
    """The anonymised reviews of a bid's reviewed revision, after the decision; else []."""
    if bid.challenge.status not in FEEDBACK_STATES or not bid.current_revision_id:
        return []
    reviews = (
        Review.objects.filter(
            status=Review.Status.SUBMITTED,
            assignment__status=Assignment.Status.SUBMITTED,
            assignment__item__subject_type__model="bidrevision",
            assignment__item__subject_id=str(bid.current_revision_id),
            assignment__item__round__status=ReviewRound.Status.COMPLETED,
        )
        .select_related("assignment__item__round")
        .prefetch_related("scores__criterion")
        .order_by("assignment__item__round__position", "pk")
    )
    feedback, letters = [], {}
    for review in reviews:
        round = review.assignment.item.round
        n = letters[round.pk] = letters.get(round.pk, 0) + 1
        feedback.append(
            {
                "round": round.name,
                "reviewer": f"{chr(64 + n) if n <= 26 else n}",
                "total": review.total,
                "comment": review.comment,
                "scores": [
                    {"criterion": s.criterion.name, "value": s.value, "comment": s.comment}
                    for s in sorted(review.scores.all(), key=lambda s: s.criterion.position)
                ],
            }
        )
    return feedback
