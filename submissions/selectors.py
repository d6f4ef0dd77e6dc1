"""Read queries for bids: who may see which, fetched in a constant number of queries."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from accounts.rules import roles_by_org
from challenges.models import Challenge

from .models import Bid, BidAttachment, BidRevision, BudgetLine, Partner

User = get_user_model()


def partner_org_ids(bid: Bid) -> set[int]:
    cached = getattr(bid, "_partner_org_ids", None)
    if cached is None:
        cached = set(
            Partner.objects.filter(bid=bid).exclude(status=Partner.Status.DECLINED).values_list("organisation_id", flat=True)
        )
        bid._partner_org_ids = cached
    return cached


def visible_bids(user) -> QuerySet[Bid]:
    """Own organisation's bids and bids it partners in; for agency staff, submitted bids to their
    challenges once bidding closed; everything for operators."""
    bids = Bid.objects.all()
    if not getattr(user, "is_authenticated", False):
        return bids.none()
    if user.is_operator:
        return bids
    roles = roles_by_org(user)
    applicant_orgs = [org for org, role in roles.items() if role in Membership.APPLICANT_ROLES]
    agency_orgs = [org for org, role in roles.items() if role in Membership.AGENCY_ROLES]
    closed = Q(
        challenge__issuer_id__in=agency_orgs,
        status__in=Bid.ACTIVE_STATES,
    ) & ~Q(challenge__status__in=[Challenge.Status.DRAFT, Challenge.Status.PENDING_APPROVAL, Challenge.Status.PUBLISHED])
    # A subquery rather than a join: no duplicate rows, so no DISTINCT over every column
    # (which also forbids SELECT ... FOR UPDATE on PostgreSQL). An organisation that declined
    # the invitation is no longer part of the bid.
    partnered = (
        Partner.objects.filter(organisation_id__in=applicant_orgs).exclude(status=Partner.Status.DECLINED).values("bid_id")
    )
    mine = Q(lead_id__in=applicant_orgs) | Q(pk__in=partnered)
    return bids.filter(mine | closed) if applicant_orgs else bids.filter(closed)


def bid_for(user, pk) -> Bid:
    """The one access helper: 404 for any bid the user may not know of."""
    return get_object_or_404(visible_bids(user).select_related("challenge", "challenge__issuer", "lead"), pk=pk)


def with_list_data(bids: QuerySet[Bid]) -> QuerySet[Bid]:
    return bids.select_related("challenge", "challenge__issuer", "lead", "current_revision")


def with_detail_data(bids: QuerySet[Bid]) -> QuerySet[Bid]:
    return bids.select_related("challenge", "challenge__issuer", "lead", "current_revision").prefetch_related(
        Prefetch("partners", queryset=Partner.objects.select_related("organisation")),
        "commitments__indicator",
        "team",
        Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("organisation")),
        "milestones",
        Prefetch("attachments", queryset=BidAttachment.objects.filter(removed_at__isnull=True)),
        "challenge__indicators",
    )


def budget_lines_for(user, bid: Bid) -> list[BudgetLine]:
    """All lines for the lead, agency and operators; a partner sees only its own organisation's."""
    lines = list(bid.budget_lines.all())
    if user.has_perm("submissions.view_all_budget_lines", bid):
        return lines
    mine = set(roles_by_org(user))
    return [line for line in lines if line.organisation_id in mine]


def revision_content_for(user, revision: BidRevision) -> dict:
    """A submitted revision as `user` may read it: a partner sees only its own budget lines."""
    content = revision.content
    if user.has_perm("submissions.view_all_budget_lines", revision.bid):
        return content
    mine = set(roles_by_org(user))
    lines = [line for line in content.get("budget_lines", []) if line.get("organisation_id") in mine]
    return {**content, "budget_lines": lines}


def attachment_for(user, pk) -> BidAttachment:
    """The one access helper for bid files: 404 unless the user may see the bid, and the file is
    in its working copy or cited by one of its submitted revisions."""
    attachment = get_object_or_404(BidAttachment.objects.filter(bid__in=visible_bids(user)), pk=pk)
    if attachment.removed_at is not None:
        cited = BidRevision.objects.filter(bid_id=attachment.bid_id).values_list("content", flat=True)
        if not any(a.get("id") == attachment.pk for content in cited for a in content.get("attachments", [])):
            raise Http404
    return attachment


def organisation_bids(organisation_ids) -> QuerySet[Bid]:
    return with_list_data(Bid.objects.filter(lead_id__in=list(organisation_ids))).order_by("challenge__bidding_closes_at")


def challenge_bids(user, challenge: Challenge) -> QuerySet[Bid]:
    """The bids an agency (or operator) may see for one of its challenges."""
    return with_list_data(visible_bids(user).filter(challenge=challenge)).order_by("submitted_at")


def bid_counts(challenge_ids) -> dict:
    """{challenge_id: {"draft": n, "submitted": m}} in one query, for agency dashboards."""
    rows = (
        Bid.objects.filter(challenge_id__in=list(challenge_ids))
        .values("challenge_id")
        .annotate(
            draft=Count("pk", filter=Q(status=Bid.Status.DRAFT)),
            submitted=Count("pk", filter=Q(status__in=Bid.ACTIVE_STATES)),
        )
    )
    return {row["challenge_id"]: {"draft": row["draft"], "submitted": row["submitted"]} for row in rows}


def pending_partner_invitations(user) -> QuerySet[Partner]:
    admin_orgs = [org for org, role in roles_by_org(user).items() if role == Membership.Role.ADMIN]
    return Partner.objects.filter(organisation_id__in=admin_orgs, status=Partner.Status.INVITED).select_related(
        "bid", "bid__challenge", "bid__lead"
    )


def stakeholders(challenge: Challenge) -> QuerySet:
    """Members of organisations with a draft or submitted bid (or partnering in one)."""
    bids = Bid.objects.filter(challenge=challenge).exclude(status=Bid.Status.WITHDRAWN)
    org_ids = set(bids.values_list("lead_id", flat=True)) | set(
        Partner.objects.filter(bid__in=bids).exclude(status=Partner.Status.DECLINED).values_list("organisation_id", flat=True)
    )
    return User.objects.filter(memberships__organisation_id__in=org_ids, is_active=True).distinct()
