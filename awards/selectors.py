"""Read queries for awards: who may know of what, fetched in a constant number of queries.

Three audiences. The public reads the notice of every award whose decision is in publicity or
final (never a revoked one). The insiders of an award (the issuing agency's staff, the winner's
members, operators: `awards.view_award`) also follow its contract, milestones and money. Objectors'
identities are for operators, and for each objector their own objection.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organisation
from accounts.rules import is_operator, roles_by_org
from challenges.models import Challenge, Indicator
from challenges.rules import is_issuer_staff
from submissions.models import Partner

from .models import Award, Contract, Decision, Delivery, Disbursement, Evidence, Measurement, Milestone, Objection

PUBLIC_DECISIONS = (Decision.Status.IN_PUBLICITY, Decision.Status.FINAL)
# The public figures count awards whose decision became final, whatever became of the contract since.
COUNTED = tuple(s for s in Award.Status.values if s not in {Award.Status.PROPOSED, Award.Status.REVOKED})
OPEN_MILESTONES = tuple(s for s in Milestone.Status.values if s != Milestone.Status.CANCELLED)
SME_SIZES = tuple(size for size in Organisation.Size.values if Organisation(size=size).is_sme)
ZERO = Decimal("0")
SHARE = Decimal("0.0001")


# Who may know of an award ------------------------------------------------------------------------


def _organisations(user) -> tuple[list[int], list[int]]:
    """The agencies the user works for, and the applicant organisations they belong to."""
    roles = roles_by_org(user)
    agencies = [org for org, role in roles.items() if role in Membership.AGENCY_ROLES]
    applicants = [org for org, role in roles.items() if role in Membership.APPLICANT_ROLES]
    return agencies, applicants


def _insider_q(user, prefix: str = "") -> Q:
    """The awards of the user's agencies (staff) and of their applicant organisations (members)."""
    agencies, applicants = _organisations(user)
    return Q(**{f"{prefix}challenge__issuer_id__in": agencies}) | Q(**{f"{prefix}winner_id__in": applicants})


def _public_q() -> Q:
    return Q(decision__status__in=PUBLIC_DECISIONS) & ~Q(status=Award.Status.REVOKED)


def _insiders_only(queryset: QuerySet, user, prefix: str) -> QuerySet:
    """Rows of awards the user follows in full, the same people as the `awards.view_award` rule."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if is_operator(user):
        return queryset
    return queryset.filter(_insider_q(user, prefix))


def visible_awards(user) -> QuerySet[Award]:
    """The public notices for everybody; every award of their own for insiders; all for operators."""
    awards = Award.objects.all()
    if is_operator(user):
        return awards
    if getattr(user, "is_authenticated", False):
        return awards.filter(_public_q() | _insider_q(user))
    return awards.filter(_public_q())


def with_list_data(awards: QuerySet[Award]) -> QuerySet[Award]:
    """Challenge, winner, decision and milestone progress (passed, of those not cancelled) in one query."""
    milestones = "contract__milestones"
    return awards.select_related("challenge", "winner", "decision").annotate(
        milestones_total=Count(milestones, filter=Q(contract__milestones__status__in=OPEN_MILESTONES)),
        milestones_passed=Count(milestones, filter=Q(contract__milestones__status=Milestone.Status.PASSED)),
    )


def award_list(user) -> QuerySet[Award]:
    """The awards the user may know of, newest decision first, ready for a list in constant queries."""
    return with_list_data(visible_awards(user)).order_by("-decision__decided_at", "rank", "pk")


def public_awards() -> QuerySet[Award]:
    """What anybody reads: the awards in publicity or final, never a revoked one."""
    return award_list(AnonymousUser())


def award_for(user, pk) -> Award:
    """The one access helper: 404 for an award the user may not know of."""
    return get_object_or_404(with_list_data(visible_awards(user)).select_related("challenge__issuer"), pk=pk)


def insider_contract(user, award: Award) -> Contract | None:
    """The award's contract with everything its page shows, for the award's insiders; else None."""
    if not user.has_perm("awards.view_award", award):
        return None
    return with_contract_data(Contract.objects.filter(award=award)).first()


# Decisions --------------------------------------------------------------------------------------


def visible_decisions(user) -> QuerySet[Decision]:
    """Decisions in publicity or final for everybody; the issuer's staff and operators see reopened
    ones too, and so do the winners the decision named."""
    decisions = Decision.objects.all()
    if is_operator(user):
        return decisions
    shown = Q(status__in=PUBLIC_DECISIONS)
    if getattr(user, "is_authenticated", False):
        agencies, applicants = _organisations(user)
        named = Award.objects.filter(winner_id__in=applicants).values("decision_id")
        shown |= Q(challenge__issuer_id__in=agencies) | Q(pk__in=named)
    return decisions.filter(shown)


def sees_decision_reasons(user, decision: Decision) -> bool:
    """The reason for departing from the ranking is for the issuing agency and operators."""
    return is_operator(user) or is_issuer_staff(user, decision.challenge)


def decision_for(user, pk) -> Decision:
    awards = Award.objects.select_related("winner").order_by("rank", "pk")
    decisions = visible_decisions(user).select_related("challenge", "decided_by")
    return get_object_or_404(decisions.prefetch_related(Prefetch("awards", queryset=awards)), pk=pk)


# Objections -------------------------------------------------------------------------------------


def objection_for(user, pk) -> Objection:
    """Operators reach every objection, an objector their own; 404 for anyone else."""
    objections = Objection.objects.select_related("award", "organisation", "filed_by", "resolved_by")
    if not is_operator(user):
        mine = Q(filed_by_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
        objections = objections.filter(mine)
    return get_object_or_404(objections, pk=pk)


def evidence_for(user, pk) -> Evidence:
    """An objection's evidence file, for operators only (like the objector's identity); 404 for anyone else."""
    if not is_operator(user):
        raise Http404
    return get_object_or_404(Evidence.objects.select_related("objection"), pk=pk)


def objections_overview(user, award: Award) -> dict:
    """How many objections and in which state, for everybody; who filed them and why only for
    operators (all of them) and for each objector (their own)."""
    objections = list(
        award.objections.select_related("organisation", "filed_by", "resolved_by").prefetch_related("evidence").order_by("pk")
    )
    if is_operator(user):
        details = objections
    else:
        details = [o for o in objections if user.is_authenticated and o.filed_by_id == user.pk]
    return {"count": len(objections), "statuses": objections, "details": details}


# The contract and its parts ----------------------------------------------------------------------


def with_contract_data(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    deliveries = Delivery.objects.select_related("submitted_by").prefetch_related("measurements").order_by("number")
    milestones = Milestone.objects.prefetch_related("targets__indicator", Prefetch("deliveries", queryset=deliveries)).order_by(
        "position", "pk"
    )
    money = Disbursement.objects.select_related("milestone").order_by("created_at", "pk")
    return contracts.select_related(
        "award__challenge__issuer", "award__winner", "agency_signed_by", "winner_signed_by"
    ).prefetch_related(Prefetch("milestones", queryset=milestones), Prefetch("award__disbursements", queryset=money))


def contract_for(user, pk, *, detail: bool = False) -> Contract:
    """404 for a contract of an award the user does not follow (a rival's, the public's)."""
    contracts = _insiders_only(Contract.objects.all(), user, "award__")
    contracts = with_contract_data(contracts) if detail else contracts.select_related("award__challenge")
    return get_object_or_404(contracts, pk=pk)


def milestone_for(user, pk) -> Milestone:
    milestones = _insiders_only(Milestone.objects.all(), user, "contract__award__")
    return get_object_or_404(milestones.select_related("contract__award__challenge"), pk=pk)


def disbursement_for(user, pk) -> Disbursement:
    disbursements = _insiders_only(Disbursement.objects.all(), user, "award__")
    return get_object_or_404(disbursements.select_related("award__challenge", "milestone"), pk=pk)


def ledger(award: Award) -> dict:
    """Every disbursement of the award in order, and the totals by state."""
    rows = list(award.disbursements.select_related("milestone", "approved_by", "paid_by").order_by("created_at", "pk"))
    by_status = defaultdict(Decimal)
    for row in rows:
        by_status[row.status] += row.amount
    paid = by_status[Disbursement.Status.PAID]
    totals = {
        "award": award.amount,
        "paid": paid,
        "approved": by_status[Disbursement.Status.APPROVED],
        "pending": by_status[Disbursement.Status.PENDING],
        "cancelled": by_status[Disbursement.Status.CANCELLED],
        "remaining": award.amount - paid,
    }
    return {"rows": rows, "totals": totals}


# Transparency -------------------------------------------------------------------------------------


def _share(part, whole) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(SHARE) if whole else None


def gap_closed(indicator: Indicator, measured: Decimal | None) -> Decimal | None:
    """The share of the gap between the domestic and the international level the result closed:
    (measured − domestic) / (international − domestic). For a ≤ indicator both differences are
    negative when things improve, so the share is positive either way. None when a level is
    missing, or the international level is no better than the domestic one in the indicator's
    direction (there is no gap to close)."""
    domestic, international = indicator.domestic_level, indicator.international_level
    if measured is None or domestic is None or international is None:
        return None
    if indicator.comparison == Indicator.Comparison.AT_MOST:
        gap, progress = domestic - international, domestic - measured
    else:
        gap, progress = international - domestic, measured - domestic
    if gap == 0 or (gap < 0 and indicator.comparison != Indicator.Comparison.EQUAL):
        return None
    return (progress / gap).quantize(SHARE)


def _counted() -> QuerySet[Award]:
    return Award.objects.filter(status__in=COUNTED, decision__status=Decision.Status.FINAL)


def _counted_rows() -> list[dict]:
    consortium = Exists(Partner.objects.filter(bid=OuterRef("bid"), status=Partner.Status.CONFIRMED))
    paid = Sum("disbursements__amount", filter=Q(disbursements__status=Disbursement.Status.PAID))
    return list(
        _counted()
        .annotate(year=ExtractYear("decision__decided_at"), consortium=consortium, paid=paid)
        .values("pk", "amount", "year", "consortium", "paid", "challenge_id", "winner__size")
        .order_by("pk")
    )


def _by_field_year(rows: list[dict]) -> list[dict]:
    """An award in several fields counts in each of them."""
    through = Challenge.fields.through.objects.filter(challenge_id__in={r["challenge_id"] for r in rows})
    fields = defaultdict(list)
    for link in through.select_related("technicalfield"):
        fields[link.challenge_id].append(link.technicalfield)
    cells: dict[tuple, dict] = {}
    for row in rows:
        for field in fields[row["challenge_id"]] or [None]:
            key = (row["year"], field.position if field else 1 << 15, field.code if field else "")
            cell = cells.setdefault(key, {"field": field, "year": row["year"], "awards": 0, "amount": ZERO, "paid": ZERO})
            cell["awards"] += 1
            cell["amount"] += row["amount"]
            cell["paid"] += row["paid"] or ZERO
    return [cells[key] for key in sorted(cells)]


def _part(chosen: list[dict], rows: list[dict], total: Decimal) -> dict:
    amount = sum((r["amount"] for r in chosen), ZERO)
    return {
        "awards": len(chosen),
        "amount": amount,
        "award_share": _share(len(chosen), len(rows)),
        "amount_share": _share(amount, total),
    }


def _indicator_results() -> list[dict]:
    """Each indicator of each completed award with the value its latest delivery measured."""
    done = _counted().filter(status=Award.Status.COMPLETED)
    awards = done.select_related("challenge", "winner").prefetch_related("challenge__indicators")
    measured = {}
    values = (
        Measurement.objects.filter(delivery__milestone__contract__award__in=done)
        .order_by("delivery__submitted_at", "delivery__number", "pk")
        .values_list("delivery__milestone__contract__award_id", "indicator_id", "value")
    )
    for award_id, indicator_id, value in values:
        measured[(award_id, indicator_id)] = value  # the later delivery wins
    return [
        {
            "award": award,
            "indicator": indicator,
            "measured": measured.get((award.pk, indicator.pk)),
            "gap_closed": gap_closed(indicator, measured.get((award.pk, indicator.pk))),
        }
        for award in awards.order_by("-decision__decided_at", "rank", "pk")
        for indicator in award.challenge.indicators.all()
    ]


def transparency() -> dict:
    """The public figures: money by field and year, the shares of SMEs and of consortia, and how far
    completed awards moved each indicator from the domestic towards the international level."""
    rows = _counted_rows()
    amount = sum((r["amount"] for r in rows), ZERO)
    sme = [r for r in rows if r["winner__size"] in SME_SIZES]
    consortia = [r for r in rows if r["consortium"]]
    return {
        "awards": len(rows),
        "amount": amount,
        "paid": sum((r["paid"] or ZERO for r in rows), ZERO),
        "by_field_year": _by_field_year(rows),
        "sme": _part(sme, rows, amount),
        "consortium": _part(consortia, rows, amount),
        "indicators": _indicator_results(),
    }
