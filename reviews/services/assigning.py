"""Who reviews what: the optimal assignment, the operator's adjustments, invitations, replacements."""

import re
from datetime import timedelta

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import DomainError
from core.notifications import notify

from .. import matching
from ..assignment import Instance, check_feasibility, solve
from ..models import Assignment, Exclusion, ExpertProfile, Preference, ReviewItem, ReviewRound

A = Assignment.Status


def _live_counts(items: list[ReviewItem]) -> dict[int, int]:
    rows = Assignment.objects.filter(item__in=items, status__in=Assignment.LIVE_STATES).values("item_id").annotate(n=Count("pk"))
    return {row["item_id"]: row["n"] for row in rows}


def build_instance(round: ReviewRound, items: list[ReviewItem], pool: matching.Pool, *, k: int | None = None):
    """The solver's view of a round: needs, free capacity, affinities and forbidden pairs."""
    k = k or round.experts_per_item
    expert_index = {e.pk: n for n, e in enumerate(pool.experts)}
    item_index = {item.pk: n for n, item in enumerate(items)}
    live = _live_counts(items)
    need = np.array([max(0, k - live.get(item.pk, 0)) for item in items], dtype=np.int64)
    capacity = np.array([max(0, e.max_concurrent - pool.load.get(e.pk, 0)) for e in pool.experts], dtype=np.int64)
    preferences = {
        (p.item_id, p.expert_id): p.value for p in Preference.objects.filter(item__in=items, expert_id__in=expert_index)
    }
    scores = matching.affinities(items, pool, preferences)
    pairs = [(item_index[i], expert_index[e], s) for (i, e), s in scores.items() if e in expert_index]
    # Forbidden: every exclusion, and any expert who already had this item (declined, recused, ...).
    forbidden = set(Exclusion.objects.filter(item__in=items).values_list("item_id", "expert_id"))
    forbidden |= set(Assignment.objects.filter(item__in=items).values_list("item_id", "expert_id"))
    forbidden = [(item_index[i], expert_index[e]) for i, e in forbidden if e in expert_index]
    # Experts already on an item count for the same-organisation rule too: forbid their colleagues.
    same_org = _colleagues_of_assigned(items, pool, item_index, expert_index)
    forbidden += same_org
    org = np.array([e.affiliation_id or -1 for e in pool.experts], dtype=np.int64)
    arr = lambda values: np.array(values, dtype=np.int64)  # noqa: E731
    return Instance(
        need=need,
        capacity=capacity,
        pair_item=arr([p[0] for p in pairs]),
        pair_expert=arr([p[1] for p in pairs]),
        pair_affinity=arr([p[2] for p in pairs]),
        forbidden_item=arr([f[0] for f in forbidden]),
        forbidden_expert=arr([f[1] for f in forbidden]),
        expert_org=org,
        locked_item=arr([]),
        locked_expert=arr([]),
    )


def _colleagues_of_assigned(items, pool, item_index, expert_index) -> list[tuple[int, int]]:
    by_org: dict[int, list[int]] = {}
    for e in pool.experts:
        if e.affiliation_id:
            by_org.setdefault(e.affiliation_id, []).append(e.pk)
    taken = Assignment.objects.filter(item__in=items, status__in=Assignment.LIVE_STATES).values_list(
        "item_id", "expert__affiliation_id", "expert_id"
    )
    return [
        (item_index[item_id], expert_index[colleague])
        for item_id, org_id, expert_id in taken
        if org_id
        for colleague in by_org.get(org_id, [])
        if colleague != expert_id and colleague in expert_index
    ]


def round_assign(round: ReviewRound) -> dict:
    """Compute the optimal assignment for every item that still needs experts.

    Infeasibility is found before solving and reported per item; nothing is written then.
    Locked and earlier assignments stay; the new ones are `proposed`.
    """
    with transaction.atomic():
        round = ReviewRound.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=round.pk)
        if round.status not in {ReviewRound.Status.ASSIGNING, ReviewRound.Status.PROPOSED}:
            # Once invitations are out, places are filled one by one (replacements), never re-solved.
            raise DomainError(_("The assignment can be computed only before invitations go out."), code="round_state")
        items = list(round.items.filter(check_status=ReviewItem.Check.PASSED).order_by("pk"))
        _progress(round, step="conflicts", items=len(items))
        pool = matching.load_pool(round)
        matching.compute_exclusions(round, items, pool)
        instance = build_instance(round, items, pool)
        shortages = check_feasibility(instance)
        if shortages:
            report = _shortage_report(shortages, items)
            _progress(round, step="infeasible", shortages=report)
            audit.record(action="round.assign_infeasible", obj=round, after={"shortages": report})
        else:
            summary = _write_solution(round, items, pool, instance)
    if shortages:
        # Raised after the block commits, so the reasons stay visible to the operator.
        raise DomainError(
            _("Not enough unconflicted experts: %(detail)s")
            % {"detail": "; ".join(f"{r['label']}: {r['reason']}" for r in report[:10])},
            code="infeasible",
        )
    return summary


def _write_solution(round: ReviewRound, items: list[ReviewItem], pool: matching.Pool, instance: Instance) -> dict:
    _progress(round, step="solving", items=len(items), experts=len(pool.experts))
    solution = solve(instance)
    rows = [
        Assignment(item=items[i], expert=pool.experts[e], affinity=int(a), status=A.PROPOSED)
        for i, e, a in zip(solution.item, solution.expert, _affinities(instance, solution), strict=True)
    ]
    Assignment.objects.bulk_create(rows)
    summary = {
        "step": "assigned",
        "items": len(items),
        "experts": len(pool.experts),
        "assignments": len(rows),
        "total_affinity": int(solution.total_affinity),
        "solver": {k: v for k, v in solution.stats.items() if isinstance(v, int | float | str)},
    }
    _progress(round, **summary)
    round.status = ReviewRound.Status.PROPOSED
    round.save(update_fields=["status", "progress"])
    audit.record(action="round.assign", obj=round, after=summary)
    return summary


def _shortage_report(shortages, items: list[ReviewItem]) -> list[dict]:
    report = []
    for s in shortages:
        label = items[s.item].blind_label if s.item is not None else _("All items")
        reason = re.sub(r"\bitem \d+\b", label, s.message)
        report.append({"item": items[s.item].pk if s.item is not None else None, "label": label, "reason": reason})
    return report


def _affinities(instance: Instance, solution) -> list[int]:
    lookup = dict(
        zip(
            zip(instance.pair_item.tolist(), instance.pair_expert.tolist(), strict=True),
            instance.pair_affinity.tolist(),
            strict=True,
        )
    )
    return [lookup.get((int(i), int(e)), 0) for i, e in zip(solution.item, solution.expert, strict=True)]


def _progress(round: ReviewRound, **values) -> None:
    round.progress = {**(round.progress or {}), **values, "at": timezone.now().isoformat()}
    ReviewRound.objects.filter(pk=round.pk).update(progress=round.progress)


def assignment_lock(*, assignment: Assignment, actor, locked: bool = True) -> Assignment:
    with transaction.atomic():
        row = Assignment.objects.select_for_update(of=("self",)).select_related("item__round").get(pk=assignment.pk)
        if not actor.has_perm("reviews.manage_round", row.item.round):
            raise PermissionDenied
        if row.status != A.PROPOSED:
            raise DomainError(_("Only a proposed assignment can be locked or unlocked."), code="not_proposed")
        row.locked = locked
        row.save(update_fields=["locked"])
        audit.record(action="assignment.lock" if locked else "assignment.unlock", actor=actor, obj=row)
    return row


def assignment_set_by_hand(*, item: ReviewItem, expert: ExpertProfile, actor) -> Assignment:
    """The operator adds a pair by hand (locked); conflicts are still refused."""
    with transaction.atomic():
        round = ReviewRound.objects.select_for_update().get(pk=item.round_id)
        if not actor.has_perm("reviews.manage_round", round):
            raise PermissionDenied
        if round.status not in {ReviewRound.Status.PROPOSED, ReviewRound.Status.IN_PROGRESS}:
            raise DomainError(_("Experts can be added only once the assignment is computed."), code="round_state")
        reasons = list(Exclusion.objects.filter(item=item, expert=expert).values_list("reason", flat=True))
        if reasons:
            raise ValidationError({"expert": _("This expert is conflicted: %(r)s") % {"r": ", ".join(reasons)}})
        colleagues = Assignment.objects.filter(
            item=item, status__in=Assignment.LIVE_STATES, expert__affiliation_id=expert.affiliation_id
        )
        if expert.affiliation_id and colleagues.exists():
            raise ValidationError({"expert": _("A colleague from the same organisation already reviews this item.")})
        try:
            with transaction.atomic():
                row = Assignment.objects.create(item=item, expert=expert, status=A.PROPOSED, locked=True)
        except IntegrityError:
            raise DomainError(_("This expert already has (or had) this item."), code="duplicate") from None
        audit.record(action="assignment.add", actor=actor, obj=row, after={"item": item.pk, "expert": expert.pk})
    if round.status == ReviewRound.Status.IN_PROGRESS:
        invitations_send(round=round, actor=actor)
    return row


def assignment_remove(*, assignment: Assignment, actor) -> None:
    with transaction.atomic():
        row = Assignment.objects.select_for_update(of=("self",)).select_related("item__round").get(pk=assignment.pk)
        if not actor.has_perm("reviews.manage_round", row.item.round):
            raise PermissionDenied
        if row.status != A.PROPOSED:
            raise DomainError(_("Only a proposed assignment can be removed; recuse or cancel instead."), code="not_proposed")
        audit.record(action="assignment.remove", actor=actor, obj=row, before={"item": row.item_id, "expert": row.expert_id})
        row.delete()


def round_reassign(*, round: ReviewRound, actor) -> dict:
    """Drop the unlocked proposals and solve again around the locked ones."""
    if not actor.has_perm("reviews.manage_round", round):
        raise PermissionDenied
    with transaction.atomic():
        locked = ReviewRound.objects.select_for_update().get(pk=round.pk)
        if locked.status != ReviewRound.Status.PROPOSED:
            raise DomainError(_("Only a proposed assignment can be recomputed."), code="round_state")
        Assignment.objects.filter(item__round=locked, status=A.PROPOSED, locked=False).delete()
        audit.record(action="round.reassign", actor=actor, obj=locked)
        return round_assign(locked)


def round_recompute(*, round: ReviewRound, actor) -> dict:
    """The operator runs the assignment again: a round waiting in "assigning" (after an
    infeasible attempt) is solved; a proposed one is re-solved around its locked pairs."""
    if not actor.has_perm("reviews.manage_round", round):
        raise PermissionDenied
    if round.status == ReviewRound.Status.PROPOSED:
        return round_reassign(round=round, actor=actor)
    if round.status != ReviewRound.Status.ASSIGNING:
        raise DomainError(_("The assignment can be computed only before invitations go out."), code="round_state")
    audit.record(action="round.assign_again", actor=actor, obj=round)
    return round_assign(round)


def invitations_send(*, round: ReviewRound, actor=None) -> int:
    """Invite every proposed expert; each has `invitation_hours` to accept or decline."""
    now = timezone.now()
    with transaction.atomic():
        locked = ReviewRound.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=round.pk)
        if actor is not None and not actor.has_perm("reviews.manage_round", locked):
            raise PermissionDenied
        if locked.status not in {ReviewRound.Status.PROPOSED, ReviewRound.Status.IN_PROGRESS}:
            raise DomainError(_("Compute the assignment before sending invitations."), code="round_state")
        proposed = list(
            Assignment.objects.select_for_update()
            .filter(item__round=locked, status=A.PROPOSED)
            .select_related("expert__user", "item")
        )
        answer_by = now + timedelta(hours=locked.invitation_hours)
        Assignment.objects.filter(pk__in=[a.pk for a in proposed]).update(status=A.INVITED, invited_at=now, answer_by=answer_by)
        if locked.status == ReviewRound.Status.PROPOSED:
            locked.status, locked.started_at = ReviewRound.Status.IN_PROGRESS, now
            locked.save(update_fields=["status", "started_at"])
        for a in proposed:
            _invite_notice(a, locked, answer_by)
        audit.record(action="round.invite", actor=actor, obj=locked, after={"invited": len(proposed)})
    return len(proposed)


def _invite_notice(assignment: Assignment, round: ReviewRound, answer_by) -> None:
    # Blind or not, the invitation names neither the applicant nor the other reviewers.
    notify(
        recipients=[assignment.expert.user],
        verb="review.invited",
        key=f"review.invited:{assignment.pk}",
        title=gettext_lazy("Review invitation: %(item)s"),
        body=gettext_lazy("You are invited to review %(item)s for “%(challenge)s”. Please accept or decline by %(by)s."),
        context={
            "item": assignment.item.blind_label,
            "challenge": round.challenge.title,
            "by": timezone.localtime(answer_by).strftime("%Y-%m-%d %H:%M"),
        },
        url=reverse("frontend:assignment_detail", args=[assignment.pk]),
    )


def assignment_replace(assignment_id: int) -> Assignment | None:
    """Find the best available expert for the place a declined, expired or recused one left.

    One place is the single-slot case of the same problem: the highest-affinity expert who is
    not conflicted, has room, and has no colleague on the item; ties go to the lighter load.
    """
    with transaction.atomic():
        old = Assignment.objects.select_for_update(of=("self",)).select_related("item__round__challenge").get(pk=assignment_id)
        item, round = old.item, old.item.round
        if old.status not in {A.DECLINED, A.EXPIRED, A.RECUSED} or round.status != ReviewRound.Status.IN_PROGRESS:
            return None
        if Assignment.objects.filter(replaces=old).exists():
            return None  # already replaced: this run is a duplicate
        live = Assignment.objects.filter(item=item, status__in=Assignment.LIVE_STATES).count()
        if live >= round.experts_per_item + (1 if item.flagged and round.add_reviewer_on_disagreement else 0):
            return None
        return _add_best_expert(item, round, replaces=old)


def _add_best_expert(item: ReviewItem, round: ReviewRound, *, replaces: Assignment | None = None) -> Assignment | None:
    pool = matching.load_pool(round)
    matching.compute_exclusions(round, [item], pool)
    instance = build_instance(round, [item], pool, k=1 + _live_counts([item]).get(item.pk, 0))
    if check_feasibility(instance):
        notify_operators_shortage(item)
        return None
    solution = solve(instance)
    if not len(solution.expert):
        return None
    expert = pool.experts[int(solution.expert[0])]
    row = Assignment.objects.create(
        item=item, expert=expert, affinity=_affinities(instance, solution)[0], status=A.PROPOSED, replaces=replaces
    )
    audit.record(action="assignment.replace", obj=row, after={"replaces": replaces.pk if replaces else None, "expert": expert.pk})
    transaction.on_commit(lambda: invitations_send(round=round))
    return row


def extra_reviewer_add(item: ReviewItem) -> Assignment | None:
    """When scores disagree, one more reviewer (if the round says so)."""
    with transaction.atomic():
        round = ReviewRound.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=item.round_id)
        return _add_best_expert(item, round)


def notify_operators_shortage(item: ReviewItem) -> None:
    from accounts.selectors import operators

    notify(
        recipients=operators(),
        verb="review.shortage",
        key=f"review.shortage:{item.pk}:{timezone.now():%Y%m%d%H}",
        title=gettext_lazy("No replacement reviewer available for %(item)s"),
        body=gettext_lazy("Every remaining expert is conflicted, busy or already asked. Add one by hand."),
        context={"item": item.blind_label},
    )


def open_load(expert: ExpertProfile) -> int:
    return expert.assignments.filter(Q(status__in=[A.PROPOSED, A.INVITED, A.ACCEPTED])).count()
