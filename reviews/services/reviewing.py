"""What an expert does: answer an invitation, recuse, score; and the operator's reopen."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import DomainError, InvalidTransition
from core.workflow import Lifecycle, Transition

from ..models import Assignment, Exclusion, Review, ReviewRound, Score

A = Assignment.Status
LIFECYCLE = Lifecycle(
    (
        Transition("accept", (A.INVITED,), A.ACCEPTED, "reviews.answer_invitation", gettext_lazy("accept")),
        Transition("decline", (A.INVITED,), A.DECLINED, "reviews.answer_invitation", gettext_lazy("decline")),
        Transition("expire", (A.INVITED,), A.EXPIRED, None, gettext_lazy("expire")),
        Transition(
            "recuse",
            (A.PROPOSED, A.INVITED, A.ACCEPTED, A.SUBMITTED),
            A.RECUSED,
            "reviews.recuse",
            gettext_lazy("recuse from"),
        ),
        Transition("submit", (A.ACCEPTED,), A.SUBMITTED, "reviews.score", gettext_lazy("submit a review for")),
        Transition("reopen", (A.SUBMITTED,), A.ACCEPTED, "reviews.reopen_review", gettext_lazy("reopen")),
    )
)


def _move(assignment: Assignment, name: str, actor, **fields) -> Assignment:
    step = LIFECYCLE[name]
    with transaction.atomic():
        row = Assignment.objects.select_for_update(of=("self",)).select_related("item__round", "expert").get(pk=assignment.pk)
        # Who may act comes before what the state allows: a step the actor could never take is 403.
        if step.permission and (actor is None or not actor.has_perm(step.permission, row)):
            raise PermissionDenied
        if row.status not in step.sources:
            raise InvalidTransition(obj=row, action=step.label)
        if row.item.round.status != ReviewRound.Status.IN_PROGRESS and name != "recuse":
            raise DomainError(_("This review round is not in progress."), code="round_state")
        before = row.status
        row.status = step.target
        for key, value in fields.items():
            setattr(row, key, value)
        row.save()
        audit.record(action=f"assignment.{name}", actor=actor, obj=row, before={"status": before}, after={"status": row.status})
    return row


def _replace_later(assignment: Assignment) -> None:
    from ..tasks import replace_assignment

    transaction.on_commit(lambda: replace_assignment.delay(assignment.pk))


def assignment_accept(*, assignment: Assignment, actor) -> Assignment:
    row = _move(assignment, "accept", actor, responded_at=timezone.now())
    Review.objects.get_or_create(assignment=row)
    return row


def assignment_decline(*, assignment: Assignment, actor, reason: str = "") -> Assignment:
    with transaction.atomic():
        row = _move(assignment, "decline", actor, responded_at=timezone.now(), decline_reason=(reason or "")[:250])
        _replace_later(row)
    return row


def assignment_recuse(*, assignment: Assignment, actor, reason: str) -> Assignment:
    """An expert steps aside at any point; the conflict is recorded and a replacement is found."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you recuse yourself.")})
    with transaction.atomic():
        row = _move(assignment, "recuse", actor, decline_reason=reason[:250])
        Exclusion.objects.get_or_create(
            item=row.item, expert=row.expert, reason=Exclusion.Reason.RECUSED, defaults={"detail": reason[:250]}
        )
        _replace_later(row)
    return row


def assignment_expire(assignment: Assignment) -> Assignment:
    with transaction.atomic():
        row = _move(assignment, "expire", None)
        _replace_later(row)
    return row


def review_save(*, assignment: Assignment, actor, scores: dict[int, dict], comment: str = "", submit: bool = False) -> Review:
    """Save scores as a draft, or submit them. `scores` maps criterion id to {"value", "comment"}.

    A submitted review is locked; only an operator's reopen (audited) unlocks it.
    """
    with transaction.atomic():
        row = Assignment.objects.select_for_update(of=("self",)).select_related("item__round__rubric").get(pk=assignment.pk)
        if not actor.has_perm("reviews.score", row):
            raise PermissionDenied
        if row.status != A.ACCEPTED:
            raise DomainError(_("This review is submitted and locked."), code="review_locked")
        if row.item.round.status != ReviewRound.Status.IN_PROGRESS:
            raise DomainError(_("This review round is not in progress."), code="round_state")
        review, _created = Review.objects.select_for_update().get_or_create(assignment=row)
        criteria = list(row.item.round.rubric.criteria.all())
        _store_scores(review, criteria, scores, require_all=submit)
        review.comment = comment or ""
        review.total = weighted_total(criteria, {s.criterion_id: s.value for s in review.scores.all()}) if submit else None
        if submit:
            review.status, review.submitted_at = Review.Status.SUBMITTED, timezone.now()
        review.save()
        if submit:
            _move(row, "submit", actor)
            from ..tasks import aggregate_if_complete

            round_id = row.item.round_id
            transaction.on_commit(lambda: aggregate_if_complete.delay(round_id))
        else:
            audit.record(action="review.save_draft", actor=actor, obj=review)
    return review


def _store_scores(review: Review, criteria, scores: dict, *, require_all: bool) -> None:
    errors = {}
    by_id = {c.pk: c for c in criteria}
    unknown = set(scores) - set(by_id)
    if unknown:
        errors["scores"] = [_("Unknown criteria: %(ids)s") % {"ids": ", ".join(map(str, sorted(unknown)))}]
    for criterion in criteria:
        given = scores.get(criterion.pk)
        key = f"criterion_{criterion.pk}"
        if given is None or given.get("value") is None:
            if require_all:
                errors[key] = [_("Score “%(name)s”.") % {"name": criterion.name}]
            continue
        value = given["value"]
        if not isinstance(value, int) or not criterion.min_score <= value <= criterion.max_score:
            errors[key] = [
                _("Give a whole number from %(lo)s to %(hi)s.") % {"lo": criterion.min_score, "hi": criterion.max_score}
            ]
        elif require_all and criterion.comment_required and not (given.get("comment") or "").strip():
            errors[key] = [_("A comment is required for “%(name)s”.") % {"name": criterion.name}]
    if errors:
        raise ValidationError(errors)
    for criterion_id, given in scores.items():
        if given.get("value") is None:
            continue
        Score.objects.update_or_create(
            review=review,
            criterion_id=criterion_id,
            defaults={"value": given["value"], "comment": given.get("comment") or ""},
        )


def weighted_total(criteria, values: dict[int, int]) -> Decimal:
    """Each criterion scaled to 0–1 over its range, weighted, as points out of 100."""
    weight_sum = sum((c.weight for c in criteria), Decimal("0"))
    points = sum(
        (c.weight * Decimal(values[c.pk] - c.min_score) / Decimal(c.max_score - c.min_score) for c in criteria if c.pk in values),
        Decimal("0"),
    )
    return (points / weight_sum * 100).quantize(Decimal("0.01")) if weight_sum else Decimal("0")


def review_reopen(*, assignment: Assignment, actor, reason: str) -> Assignment:
    """An operator reopens a submitted review (audited with the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    with transaction.atomic():
        row = _move(assignment, "reopen", actor)
        Review.objects.filter(assignment=row).update(status=Review.Status.DRAFT, submitted_at=None, total=None)
        audit.record(action="review.reopen", actor=actor, obj=row, after={"reason": reason})
    return row
