"""The after-login home: one small builder per role, each a constant number of queries.

Every list is capped (`LIMIT` rows, with a flag saying whether there is more behind a "see all"
link); counts and sums come from aggregates, so the page costs the same with 1 row or 1,000.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Membership
from accounts.rules import roles_by_org
from awards.models import Award, Disbursement, Objection
from awards.models import Milestone as AwardMilestone
from challenges import selectors as challenge_selectors
from challenges.models import Challenge
from core.models import AuditEvent
from reviews import selectors as review_selectors
from reviews.models import Assignment, ReviewItem, ReviewRound
from submissions import selectors as bid_selectors
from submissions.models import Bid

LIMIT = 10
MILESTONE_HORIZON = timedelta(days=60)
ZERO = Decimal("0")

A = Assignment.Status
S = Challenge.Status
# Rounds whose work is under way: the agency follows them, the operator watches the running ones.
ACTIVE_ROUNDS = (
    ReviewRound.Status.CHECKING,
    ReviewRound.Status.ASSIGNING,
    ReviewRound.Status.PROPOSED,
    ReviewRound.Status.IN_PROGRESS,
    ReviewRound.Status.AGGREGATING,
)
RUNNING_ROUNDS = (ReviewRound.Status.CHECKING, ReviewRound.Status.ASSIGNING)
# Challenges whose bids the agency may open (bidding closed).
NOT_CLOSED = (S.DRAFT, S.PENDING_APPROVAL, S.PUBLISHED)
# Milestones still waiting for the winner's delivery.
TO_DELIVER = (AwardMilestone.Status.PLANNED, AwardMilestone.Status.RECTIFYING)


def capped(queryset) -> dict:
    """At most LIMIT rows and whether there are more (one query: fetch one row too many)."""
    rows = list(queryset[: LIMIT + 1])
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT}


def user_roles(user) -> set[str]:
    """The roles with a home section: agency, applicant, expert, operator."""
    roles = set()
    kinds = set(roles_by_org(user).values())
    if kinds & Membership.AGENCY_ROLES:
        roles.add("agency")
    if challenge_selectors.applicant_organisation_ids(user):
        roles.add("applicant")
    if hasattr(user, "expert_profile"):
        roles.add("expert")
    if user.is_operator:
        roles.add("operator")
    return roles


def _state_counts(challenges) -> list[dict]:
    counts = dict(challenges.order_by().values_list("status").annotate(n=Count("pk")))
    return [{"status": value, "label": str(label), "count": counts[value]} for value, label in S.choices if counts.get(value)]


def _milestones(milestones, today) -> dict:
    block = capped(milestones.select_related("contract__award__challenge", "contract__award__winner").order_by("due_date", "pk"))
    for m in block["rows"]:
        m.overdue = m.due_date < today
    return block


def _milestones_due(milestones, today) -> dict:
    """Planned milestones due within the horizon (or overdue), and those being rectified."""
    due = Q(status=AwardMilestone.Status.PLANNED, due_date__lte=today + MILESTONE_HORIZON) | Q(
        status=AwardMilestone.Status.RECTIFYING
    )
    return _milestones(milestones.filter(due), today)


def _round_rows(rounds, now) -> dict:
    """Rounds with their reviews in, places in all and overdue reviews, in one query."""
    live = Q(items__assignments__status__in=[A.INVITED, A.ACCEPTED, A.SUBMITTED])
    rounds = rounds.select_related("challenge").annotate(
        total=Count("items__assignments", filter=live),
        done=Count("items__assignments", filter=Q(items__assignments__status=A.SUBMITTED)),
        open=Count("items__assignments", filter=Q(items__assignments__status__in=[A.INVITED, A.ACCEPTED])),
    )
    block = capped(rounds.order_by("soft_deadline", "pk"))
    for r in block["rows"]:
        r.overdue = r.open if r.soft_deadline is not None and now >= r.soft_deadline else 0
        r.running = r.status in RUNNING_ROUNDS
    return block


def agency(user, now) -> dict:
    agencies = challenge_selectors.agency_ids(user)
    approving = [org for org, role in roles_by_org(user).items() if role == Membership.Role.APPROVER]
    challenges = Challenge.objects.filter(issuer_id__in=agencies)
    with_bids = capped(
        challenges.exclude(status__in=[S.DRAFT, S.PENDING_APPROVAL])
        .annotate(
            draft=Count("bids", filter=Q(bids__status=Bid.Status.DRAFT)),
            submitted=Count("bids", filter=Q(bids__status__in=Bid.ACTIVE_STATES)),
        )
        .only("pk", "title", "status", "bidding_closes_at")
        .order_by("-bidding_closes_at", "pk")
    )
    for c in with_bids["rows"]:
        c.closed = c.status not in NOT_CLOSED
    decisions = capped(
        challenges.filter(
            issuer_id__in=approving,
            status=S.UNDER_REVIEW,
            review_rounds__kind=ReviewRound.Kind.EXPERT_REVIEW,
            review_rounds__status=ReviewRound.Status.COMPLETED,
        )
        .distinct()
        .only("pk", "title", "status")
        .order_by("pk")
    )
    mine = Q(challenge__issuer_id__in=agencies)
    committed = Award.objects.filter(mine, status__in=Award.LIVE_STATES).aggregate(s=Sum("amount"))["s"]
    paid = Disbursement.objects.filter(status=Disbursement.Status.PAID, award__challenge__issuer_id__in=agencies).aggregate(
        s=Sum("amount")
    )["s"]
    chart = {
        "title": _("Bids per challenge"),
        "labels": [c.title[:40] for c in with_bids["rows"]],
        "series": [
            {"label": _("Submitted"), "data": [c.submitted for c in with_bids["rows"]]},
            {"label": _("Draft"), "data": [c.draft for c in with_bids["rows"]]},
        ],
    }
    return {
        "states": _state_counts(challenges),
        "bids": with_bids,
        "rounds": _round_rows(ReviewRound.objects.filter(mine, status__in=ACTIVE_ROUNDS), now),
        "decisions": decisions,
        "milestones": _milestones_due(
            AwardMilestone.objects.filter(contract__award__challenge__issuer_id__in=agencies), timezone.localdate(now)
        ),
        "committed": committed or ZERO,
        "paid": paid or ZERO,
        "chart": chart,
    }


def applicant(user, now) -> dict:
    orgs = challenge_selectors.applicant_organisation_ids(user)
    matching = (
        Challenge.objects.filter(status=S.PUBLISHED, bidding_closes_at__gt=now, fields__subscriptions__organisation_id__in=orgs)
        .distinct()
        .select_related("issuer")
        .only("pk", "title", "bidding_closes_at", "government_funding", "issuer__name")
        .order_by("bidding_closes_at", "pk")
    )
    bids = bid_selectors.organisation_bids(orgs).exclude(status=Bid.Status.WITHDRAWN)
    for_winner = AwardMilestone.objects.filter(contract__award__winner_id__in=orgs, contract__award__status__in=Award.LIVE_STATES)
    return {
        "matching": capped(matching),
        "bids": capped(bids),
        "invitations": capped(bid_selectors.pending_partner_invitations(user).order_by("pk")),
        "milestones": _milestones_due(for_winner, timezone.localdate(now)),
    }


def expert(user, now) -> dict:
    mine = review_selectors.my_assignments(user).select_related("item__round__challenge")
    invited = capped(mine.filter(status=A.INVITED).order_by("answer_by", "pk"))
    accepted = capped(mine.filter(status=A.ACCEPTED).order_by("item__round__soft_deadline", "pk"))
    finished = capped(mine.filter(status=A.SUBMITTED).order_by("-responded_at", "-pk"))
    for block in (invited, accepted, finished):
        for a in block["rows"]:
            a.title = review_selectors.item_title(a.item)
            a.late = (a.answer_by is not None and a.answer_by < now) if a.status == A.INVITED else False
    return {"invited": invited, "accepted": accepted, "finished": finished}


def operator(user, now) -> dict:
    today = timezone.localdate(now)
    checks = ReviewItem.objects.filter(
        Q(check_status=ReviewItem.Check.PENDING) | Q(check_status=ReviewItem.Check.FAILED, check_decided_by__isnull=True)
    ).exclude(round__status__in=[ReviewRound.Status.CANCELLED, ReviewRound.Status.COMPLETED])
    overdue_milestones = AwardMilestone.objects.filter(
        Q(status=AwardMilestone.Status.PLANNED, due_date__lt=today)
        | Q(status=AwardMilestone.Status.RECTIFYING, rectification_due__lt=today)
    )
    states = _state_counts(Challenge.objects.all())
    return {
        "to_verify": capped(account_selectors.organisations_to_verify()),
        "checks": capped(checks.select_related("round__challenge").order_by("created_at", "pk")),
        "objections": capped(
            Objection.objects.filter(status=Objection.Status.FILED)
            .select_related("award__challenge", "award__winner")
            .order_by("created_at", "pk")
        ),
        "disbursements": capped(
            Disbursement.objects.filter(status=Disbursement.Status.APPROVED)
            .select_related("award__challenge", "award__winner", "milestone")
            .order_by("approved_at", "pk")
        ),
        "overdue_milestones": _milestones(overdue_milestones, today),
        "overdue_invitations": capped(
            Assignment.objects.filter(status=A.INVITED, answer_by__lt=now)
            .select_related("item__round__challenge", "expert__user")
            .order_by("answer_by", "pk")
        ),
        "running": capped(ReviewRound.objects.filter(status__in=RUNNING_ROUNDS).select_related("challenge").order_by("pk")),
        "audit": list(AuditEvent.objects.select_related("actor")[:LIMIT]),
        "chart": {
            "title": _("Challenges by state"),
            "labels": [s["label"] for s in states],
            "series": [{"label": _("Challenges"), "data": [s["count"] for s in states]}],
        },
    }


BUILDERS = {"agency": agency, "applicant": applicant, "expert": expert, "operator": operator}


def for_user(user) -> dict:
    """{role: that role's data} for every role the user has."""
    now, roles = timezone.now(), user_roles(user)
    return {role: build(user, now) for role, build in BUILDERS.items() if role in roles}
