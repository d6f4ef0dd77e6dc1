"""Setting up a challenge's rounds, creating their items, and the formal check (形式审查)."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges.models import Challenge
from core import audit
from core.errors import DomainError
from core.notifications import notify
from submissions.eligibility import check
from submissions.models import Bid, BidRevision
from submissions.review_status import bid_advance

from .. import items as item_registry
from ..models import Assignment, ReviewItem, ReviewRound, Rubric

# Rules that can change between submission and closing (an organisation's standing).
# The content rules were enforced at submit time on exactly the revision being reviewed.
STANDING_RULES = frozenset(
    {
        "lead_unverified",
        "lead_banned",
        "kind_not_allowed",
        "size_not_allowed",
        "not_sme",
        "issuer_conflict",
        "partner_unverified",
        "bid_limit",
    }
)
STANDARD_CRITERIA = [
    ("Technical merit 技术先进性", 30),
    ("Feasibility 可行性", 25),
    ("Team 团队能力", 15),
    ("Budget 预算合理性", 10),
    ("Indicator commitment 指标承诺", 20),
]
CONFIGURABLE = (
    "name",
    "experts_per_item",
    "blind",
    "show_scores_after_submit",
    "auto_invite",
    "invitation_hours",
    "soft_deadline",
    "hard_deadline",
    "quorum",
    "aggregation",
    "spread_threshold",
    "std_threshold",
    "add_reviewer_on_disagreement",
    "shortlist_size",
    "rubric",
)


def default_rubric() -> Rubric:
    """The first template; if operators removed every template, a standard one is made again."""
    rubric = Rubric.objects.filter(is_template=True).order_by("pk").first()
    if rubric is None:
        rubric = Rubric.objects.create(name=_("Standard technical review"), is_template=True)
        for position, (name, weight) in enumerate(STANDARD_CRITERIA):
            rubric.criteria.create(position=position, name=name, weight=weight, comment_required=position == 0)
    return rubric


def rounds_plan(challenge: Challenge) -> list[ReviewRound]:
    """The challenge's rounds, creating the default plan (formal check, expert review) if none."""
    rounds = list(challenge.review_rounds.order_by("position"))
    if rounds:
        return rounds
    now = timezone.now()
    base = max(now, challenge.bidding_closes_at)
    formal = ReviewRound.objects.create(
        challenge=challenge, kind=ReviewRound.Kind.FORMAL_CHECK, position=1, name=_("Formal check")
    )
    expert = ReviewRound.objects.create(
        challenge=challenge,
        kind=ReviewRound.Kind.EXPERT_REVIEW,
        position=2,
        name=_("Expert review"),
        rubric=default_rubric(),
        soft_deadline=base + timedelta(days=14),
        hard_deadline=base + timedelta(days=21),
    )
    return [formal, expert]


def round_configure(*, round: ReviewRound, actor, data: dict) -> ReviewRound:
    """Operators set a round up before it starts: k, blind, deadlines, rubric, aggregation."""
    unknown = set(data) - set(CONFIGURABLE)
    if unknown:
        raise ValidationError({"non_field_errors": _("Unknown settings: %(f)s") % {"f": ", ".join(sorted(unknown))}})
    with transaction.atomic():
        locked = ReviewRound.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=round.pk)
        if not actor.has_perm("reviews.manage_round", locked):
            raise PermissionDenied
        if locked.status not in {ReviewRound.Status.PLANNED, ReviewRound.Status.PROPOSED}:
            raise DomainError(_("A round can be configured only before reviews start."), code="round_started")
        before = audit.snapshot(locked, list(data))
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        audit.record(action="round.configure", actor=actor, obj=locked, before=before, after=audit.snapshot(locked, list(data)))
    return locked


def expert_round(challenge: Challenge) -> ReviewRound:
    return next(r for r in rounds_plan(challenge) if r.kind == ReviewRound.Kind.EXPERT_REVIEW)


def items_create(round: ReviewRound) -> list[ReviewItem]:
    """One item per bid submitted by the deadline: its revision current at the deadline."""
    revisions = BidRevision.objects.filter(
        bid__challenge=round.challenge, bid__status__in=Bid.ACTIVE_STATES, bid__current_revision_id=F("pk")
    ).select_related("bid", "bid__challenge", "bid__lead")
    content_type = ContentType.objects.get_for_model(BidRevision)
    adapter = item_registry.adapter_for(BidRevision._meta.label_lower)
    created = []
    for revision in revisions:
        described = adapter.describe(revision)
        item, new = ReviewItem.objects.get_or_create(
            round=round,
            subject_type=content_type,
            subject_id=str(revision.pk),
            defaults={
                "label": described.label[:250],
                "blind_label": described.blind_label[:250],
                "organisation_ids": described.organisation_ids,
                "field_ids": described.field_ids,
                "keywords": described.keywords,
            },
        )
        created.append(item)
    return created


def revision_of(item: ReviewItem) -> BidRevision:
    return BidRevision.objects.select_related("bid", "bid__lead", "bid__challenge").get(pk=item.subject_id)


def formal_check_item(item_id: int) -> str:
    """The automatic formal check of one bid. Runs once: a decided item is left alone."""
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().get(pk=item_id)
        if item.check_status != ReviewItem.Check.PENDING:
            return item.check_status
        revision = revision_of(item)
        bid = revision.bid
        problems = [p for p in check(bid, now=revision.submitted_at) if p.code in STANDING_RULES]
        item.check_problems = [{"code": p.code, "message": p.message} for p in problems]
        item.check_status = ReviewItem.Check.FAILED if problems else ReviewItem.Check.PASSED
        item.save(update_fields=["check_problems", "check_status"])
        bid_advance(bid=bid, name="mark_ineligible" if problems else "mark_eligible")
        audit.record(
            action="formal_check.auto",
            obj=item,
            organisation=bid.lead,
            after={"status": item.check_status, "problems": item.check_problems},
        )
    return item.check_status


def formal_check_decide(*, item: ReviewItem, actor, passed: bool, reason: str) -> ReviewItem:
    """An operator confirms or overturns the automatic result, always with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision; the applicant may read it.")})
    if not actor.has_perm("reviews.manage_round", item.round):
        raise PermissionDenied
    with transaction.atomic():
        locked = ReviewItem.objects.select_for_update(of=("self",)).select_related("round", "round__challenge").get(pk=item.pk)
        bid = revision_of(locked).bid
        before = locked.check_status
        locked.check_status = ReviewItem.Check.PASSED if passed else ReviewItem.Check.FAILED
        locked.check_decided_by, locked.check_reason = actor, reason
        locked.save(update_fields=["check_status", "check_decided_by", "check_reason"])
        wanted = Bid.Status.ELIGIBLE if passed else Bid.Status.INELIGIBLE
        if bid.status != wanted and bid.status in {Bid.Status.SUBMITTED, Bid.Status.ELIGIBLE, Bid.Status.INELIGIBLE}:
            bid_advance(bid=bid, name="mark_eligible" if passed else "mark_ineligible", actor=actor)
        audit.record(
            action="formal_check.decide",
            actor=actor,
            obj=locked,
            organisation=bid.lead,
            before={"status": before},
            after={"status": locked.check_status, "reason": reason},
        )
        notify(
            recipients=_lead_members(bid),
            verb="formal_check.decided",
            key=f"formal_check:{locked.pk}:{locked.check_status}",
            title=gettext_lazy("Formal check of “%(title)s”: %(result)s"),
            body=gettext_lazy("Reason: %(reason)s"),
            context={"title": bid.title, "result": locked.get_check_status_display(), "reason": reason},
        )
    return locked


def _lead_members(bid: Bid):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__organisation_id=bid.lead_id, is_active=True)


def acceptance_round_open(*, challenge: Challenge, subject, name: str, experts: int, days: int) -> ReviewRound:
    """A review round for something other than bids (a milestone delivery): one item, open review,
    the acceptance rubric; the same assignment and invitation chord runs after commit."""
    from ..tasks import after_checks

    adapter = item_registry.adapter_for(subject._meta.label_lower)
    described = adapter.describe(subject)
    position = (challenge.review_rounds.aggregate(n=Max("position"))["n"] or 0) + 1
    now = timezone.now()
    round = ReviewRound.objects.create(
        challenge=challenge,
        kind=ReviewRound.Kind.ACCEPTANCE,
        position=position,
        name=name[:120],
        status=ReviewRound.Status.CHECKING,
        rubric=acceptance_rubric(),
        experts_per_item=experts,
        blind=False,
        quorum=max(1, experts - 2),
        shortlist_size=1,
        soft_deadline=now + timedelta(days=max(1, days - 3)),
        hard_deadline=now + timedelta(days=days),
    )
    ReviewItem.objects.create(
        round=round,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        label=described.label[:250],
        blind_label=described.blind_label[:250],
        organisation_ids=described.organisation_ids,
        field_ids=described.field_ids,
        keywords=described.keywords,
        check_status=ReviewItem.Check.PASSED,
    )
    audit.record(action="round.open_acceptance", obj=round, after={"subject": str(subject.pk)})
    transaction.on_commit(lambda: after_checks.delay(round.pk))
    return round


def acceptance_rubric() -> Rubric:
    rubric = Rubric.objects.filter(is_template=True, name__icontains="acceptance").first()
    return rubric or default_rubric()


def defence_round_open(*, challenge: Challenge, actor, experts: list, starts_at, slot_minutes: int = 30) -> ReviewRound:
    """Optional defence (答辩): one panel scores a presentation slot per shortlisted bid.

    Every panel member reviews every bid they are not conflicted with; the slots follow the
    expert-review ranking. The scores rank the shortlist for the award decision.
    """
    from .assigning import invitations_send

    if not actor.has_perm("reviews.manage_round"):
        raise PermissionDenied
    if not experts or not 5 <= slot_minutes <= 240:
        raise ValidationError({"experts": _("Name the panel and a slot of 5 to 240 minutes.")})
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        review = locked.review_rounds.filter(kind=ReviewRound.Kind.EXPERT_REVIEW, status=ReviewRound.Status.COMPLETED).first()
        if review is None or locked.status != Challenge.Status.UNDER_REVIEW:
            raise DomainError(_("A defence follows a completed expert review, before the decision."), code="round_state")
        if locked.review_rounds.filter(kind=ReviewRound.Kind.DEFENCE).exclude(status=ReviewRound.Status.CANCELLED).exists():
            raise DomainError(_("This challenge already has a defence round."), code="duplicate")
        shortlisted = [
            item
            for item in review.items.filter(rank__isnull=False).order_by("rank")
            if revision_of(item).bid.status == Bid.Status.SHORTLISTED
        ]
        if not shortlisted:
            raise DomainError(_("No bid is shortlisted."), code="empty_shortlist")
        position = (locked.review_rounds.aggregate(n=Max("position"))["n"] or 0) + 1
        defence = ReviewRound.objects.create(
            challenge=locked,
            kind=ReviewRound.Kind.DEFENCE,
            position=position,
            name=_("Defence"),
            status=ReviewRound.Status.PROPOSED,
            rubric=review.rubric,
            experts_per_item=len(experts),
            blind=False,
            quorum=max(1, len(experts) // 2 + 1),
            shortlist_size=review.shortlist_size,
            soft_deadline=starts_at + timedelta(minutes=slot_minutes * len(shortlisted)),
            hard_deadline=starts_at + timedelta(days=2),
            aggregation=review.aggregation,
        )
        items = [
            ReviewItem.objects.create(
                round=defence,
                subject_type=item.subject_type,
                subject_id=item.subject_id,
                label=item.label,
                blind_label=item.blind_label,
                organisation_ids=item.organisation_ids,
                field_ids=item.field_ids,
                keywords=item.keywords,
                check_status=ReviewItem.Check.PASSED,
                slot_at=starts_at + timedelta(minutes=slot_minutes * n),
            )
            for n, item in enumerate(shortlisted)
        ]
        from .. import matching

        pool = matching.load_pool(defence)
        panel = {e.pk for e in experts}
        pool.experts = [e for e in pool.experts if e.pk in panel]
        excluded = {(x.item_id, x.expert_id) for x in matching.compute_exclusions(defence, items, pool)}
        Assignment.objects.bulk_create(
            Assignment(item=item, expert=expert, status=Assignment.Status.PROPOSED)
            for item in items
            for expert in pool.experts
            if (item.pk, expert.pk) not in excluded
        )
        audit.record(
            action="round.open_defence",
            actor=actor,
            obj=defence,
            after={"panel": sorted(panel), "slots": [i.slot_at for i in items]},
        )
        invitations_send(round=defence, actor=actor)
    return defence
