"""Award pages: the decision, the public notice and objections, the task contract with its ledger,
milestone delivery and acceptance, and the public transparency figures.

Every page fetches through `awards.selectors` (the same access helpers as the API: 404 for whoever
may not know of the award), makes one service call in `errors_into(form)`, and redirects; a failed
action re-renders its page with the bound form. The services check the actor again and decide.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organisation
from accounts.rules import roles_by_org
from awards import selectors, services
from awards.api import ledger_csv
from awards.models import Award, Contract, Decision, Disbursement, Milestone, Objection
from challenges import selectors as challenge_selectors
from challenges.models import Challenge
from core.files import download_response
from reviews.models import ReviewRound
from submissions.models import BidRevision

from .. import award_forms as f
from .base import errors_into

PER_PAGE = 50
ZERO = Decimal("0")


# Access: the selectors answer 404 to whoever may not know of the thing; here, 403 for what one may not do.


def _require(user, perm: str, award: Award) -> None:
    if not user.has_perm(perm, award):
        raise PermissionDenied


def _contract(user, pk, perm: str | None = None) -> Contract:
    contract = selectors.contract_for(user, pk, detail=True)
    if perm:
        _require(user, perm, contract.award)
    return contract


def _milestone(user, pk, perm: str | None = None) -> Milestone:
    milestone = selectors.milestone_for(user, pk)
    if perm:
        _require(user, perm, milestone.contract.award)
    return milestone


def _disbursement(user, pk, perm: str) -> Disbursement:
    row = selectors.disbursement_for(user, pk)
    _require(user, perm, row.award)
    return row


def _done(request, text: str, where: str, pk, anchor: str = ""):
    messages.success(request, text)
    response = redirect(where, pk)
    response["Location"] += anchor
    return response


# The decision -------------------------------------------------------------------------------------


def _ranking(challenge: Challenge) -> list[dict]:
    """The finished ranking with the bid behind each item, titled as reviewed."""
    items = services.ranking_for(challenge)
    revisions = BidRevision.objects.select_related("bid__lead").in_bulk([int(i.subject_id) for i in items])
    rows = []
    for item in items:
        revision = revisions[int(item.subject_id)]
        rows.append({"item": item, "bid": revision.bid, "title": revision.content.get("title") or revision.bid.title})
    return rows


def _decidable(request, pk):
    """The challenge and its ranking for its approver; None (with a message) when nothing is to decide."""
    challenge = challenge_selectors.challenge_for(request.user, pk)
    if not request.user.has_perm("awards.decide", challenge):
        raise PermissionDenied
    ranking = _ranking(challenge) if challenge.status == Challenge.Status.UNDER_REVIEW else []
    if not ranking:
        messages.info(request, _("There is nothing to decide: the expert review has not produced a ranking."))
    return challenge, ranking


def _render_decide(request, challenge, ranking, form=None, none_form=None):
    if form is None:
        eligible = [row for row in ranking if row["bid"].status != row["bid"].Status.REVOKED]
        top = [str(row["bid"].pk) for row in eligible[: challenge.max_winners]]
        form = f.DecisionForm(ranking=ranking, max_winners=challenge.max_winners, initial={"bids": top})
    context = {
        "challenge": challenge,
        "ranking": ranking,
        "form": form,
        "chosen": set(form["bids"].value() or []),
        "none_form": none_form or f.ReasonForm(prefix="none"),
    }
    failed = form.errors or (none_form is not None and none_form.errors)
    return render(request, "frontend/awards/decide.html", context, status=400 if failed else 200)


@login_required
@require_http_methods(["GET", "POST"])
def award_decide(request, pk):
    challenge, ranking = _decidable(request, pk)
    if not ranking:
        return redirect("frontend:challenge_detail", pk)
    if request.method == "GET":
        return _render_decide(request, challenge, ranking)
    form = f.DecisionForm(request.POST, ranking=ranking, max_winners=challenge.max_winners)
    if form.is_valid():
        bids = {str(row["bid"].pk): row["bid"] for row in ranking}
        with errors_into(form):
            decision = services.decision_propose(
                challenge=challenge,
                actor=request.user,
                bids=[bids[pk] for pk in form.cleaned_data["bids"]],
                reason=form.cleaned_data["reason"],
            )
        if not form.errors:
            until = timezone.localtime(decision.publicity_ends_at).strftime("%Y-%m-%d %H:%M")
            text = _("The proposed award is published for publicity until %(until)s.") % {"until": until}
            return _done(request, text, "frontend:award_detail", decision.awards.order_by("rank").first().pk)
    return _render_decide(request, challenge, ranking, form=form)


@login_required
@require_POST
def award_decide_none(request, pk):
    challenge, ranking = _decidable(request, pk)
    if not ranking:
        return redirect("frontend:challenge_detail", pk)
    form = f.ReasonForm(request.POST, prefix="none")
    if form.is_valid():
        with errors_into(form):
            services.decision_none(challenge=challenge, actor=request.user, reason=form.cleaned_data["reason"])
        if not form.errors:
            text = _("The challenge is closed without an award. It can be re-issued as a new challenge.")
            return _done(request, text, "frontend:challenge_detail", pk)
    return _render_decide(request, challenge, ranking, none_form=form)


# The public notice and objections -------------------------------------------------------------------


def award_list(request):
    page = Paginator(selectors.public_awards(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "frontend/awards/list.html", {"page": page, "now": timezone.now()})


def _may_object(award: Award, now) -> bool:
    decision = award.decision
    in_publicity = decision.status == Decision.Status.IN_PUBLICITY and now < decision.publicity_ends_at
    return award.status == Award.Status.PROPOSED and in_publicity


def _objector_organisations(user):
    return Organisation.objects.filter(pk__in=list(roles_by_org(user))).order_by("name")


def _render_notice(request, award: Award, status: int = 200, **bound):
    user, now = request.user, timezone.now()
    operator = user.has_perm("awards.resolve_objection")
    overview = selectors.objections_overview(user, award)
    failed = bound.get("resolve_form")
    may_object = _may_object(award, now) and user.is_authenticated
    context = {
        "award": award,
        "challenge": award.challenge,
        "decision": award.decision,
        "winners": award.decision.awards.exclude(status=Award.Status.REVOKED).select_related("winner"),
        "show_reason": selectors.sees_decision_reasons(user, award.decision),
        "now": now,
        "open_for_objections": _may_object(award, now),
        "objection_form": bound.get("objection_form")
        or (f.ObjectionForm(organisations=_objector_organisations(user)) if may_object else None),
        "operator": operator,
        "objections": [
            (o, failed if failed and failed.prefix == f"o{o.pk}" else f.ResolveForm(prefix=f"o{o.pk}"))
            for o in overview["details"]
        ],
        "objection_counts": {s: sum(o.status == s for o in overview["statuses"]) for s in Objection.Status.values},
        "contract": selectors.insider_contract(user, award),
        "down_select_form": bound.get("down_select_form") or _down_select_form(user, award.challenge),
    }
    return render(request, "frontend/awards/detail.html", context, status=status)


def _down_select_gates(user, challenge: Challenge) -> list[Milestone]:
    """The designated down-select milestones (one per position) of a horse race in execution, for
    its approver; empty for anyone else or any other challenge."""
    horse_race = challenge.funding_mode == Challenge.FundingMode.HORSE_RACE
    if not (horse_race and challenge.status == Challenge.Status.IN_EXECUTION):
        return []
    if not user.has_perm("awards.decide", challenge):
        return []
    gates = Milestone.objects.filter(
        contract__award__challenge=challenge, contract__award__status=Award.Status.IN_PROGRESS, is_down_select=True
    ).order_by("position", "pk")
    first = {}
    for gate in gates:
        first.setdefault(gate.position, gate)
    return list(first.values())


def _down_select_form(user, challenge: Challenge):
    gates = _down_select_gates(user, challenge)
    return f.DownSelectForm(milestones=gates, prefix="ds") if gates else None


@login_required
@require_POST
def award_down_select(request, pk):
    award = selectors.award_for(request.user, pk)
    challenge = award.challenge
    if not request.user.has_perm("awards.decide", challenge):
        raise PermissionDenied
    form = f.DownSelectForm(request.POST, milestones=_down_select_gates(request.user, challenge), prefix="ds")
    if form.is_valid():
        with errors_into(form):
            kept = services.down_select(challenge=challenge, actor=request.user, position=form.cleaned_data["position"])
        if not form.errors:
            text = _("Down-select done: %(count)d team(s) kept; the others end as completed.") % {"count": len(kept)}
            return _done(request, text, "frontend:award_detail", kept[0].pk)
    return _render_notice(request, award, 400, down_select_form=form)


@login_required
def evidence_download(request, pk):
    evidence = selectors.evidence_for(request.user, pk)
    return download_response(evidence.file, name=evidence.name, content_type=evidence.content_type)


def award_detail(request, pk):
    return _render_notice(request, selectors.award_for(request.user, pk))


@login_required
@require_POST
def objection_file(request, pk):
    award = selectors.award_for(request.user, pk)
    form = f.ObjectionForm(request.POST, request.FILES, organisations=_objector_organisations(request.user))
    if form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            services.objection_file(
                award=award,
                actor=request.user,
                real_name=data["real_name"],
                contact=data["contact"],
                grounds=data["grounds"],
                organisation=data.get("organisation"),
                evidence=data.get("files") or [],
            )
        if not form.errors:
            text = _("Objection filed. The operators will examine it; your identity stays with them.")
            return _done(request, text, "frontend:award_detail", award.pk, "#objections")
    return _render_notice(request, award, 400, objection_form=form)


@login_required
@require_POST
def objection_resolve(request, pk):
    objection = selectors.objection_for(request.user, pk)
    if not request.user.has_perm("awards.resolve_objection"):
        raise PermissionDenied
    form = f.ResolveForm(request.POST, prefix=f"o{objection.pk}")
    if form.is_valid():
        with errors_into(form):
            objection = services.objection_resolve(
                objection=objection,
                actor=request.user,
                uphold=form.cleaned_data["outcome"] == "uphold",
                reason=form.cleaned_data["reason"],
            )
        if not form.errors:
            text = _("Objection %(result)s.") % {"result": objection.get_status_display().lower()}
            return _done(request, text, "frontend:award_detail", objection.award_id, "#objections")
    return _render_notice(request, selectors.award_for(request.user, objection.award_id), 400, resolve_form=form)


# The task contract -------------------------------------------------------------------------------------


def _abilities(user, contract: Contract) -> dict[str, bool]:
    award, draft = contract.award, contract.status == Contract.Status.DRAFT
    unsigned = draft and contract.agency_signed_at is None and contract.winner_signed_at is None
    return {
        "edit": unsigned and user.has_perm("awards.edit_contract", award),
        "sign_agency": draft and contract.agency_signed_at is None and user.has_perm("awards.sign_for_agency", award),
        "sign_winner": draft and contract.winner_signed_at is None and user.has_perm("awards.sign_for_winner", award),
        "extend": contract.status == Contract.Status.SIGNED
        and not contract.extension_months
        and user.has_perm("awards.grant_extension", award),
        "terminate": award.status in {Award.Status.FINAL, Award.Status.SIGNED, Award.Status.IN_PROGRESS}
        and user.has_perm("awards.terminate", award),
        "approve": user.has_perm("awards.approve_disbursement", award),
        "pay": user.has_perm("awards.record_payment"),
        "ledger": user.has_perm("awards.view_ledger", award),
    }


def _pct(days: int, span: int) -> str:
    return f"{max(0.0, min(100.0, 100 * days / span)):.2f}"


def _timeline(contract: Contract, milestones: list[Milestone], today: date) -> dict:
    """Bars from the contract's start to each due date, on one scale; `today` marks where we are."""
    start = timezone.localtime(contract.created_at).date()
    end = max([m.due_date for m in milestones] + [today, start + timedelta(days=30)])
    span = (end - start).days or 1
    rows = [
        {
            "milestone": m,
            "width": _pct((m.due_date - start).days, span),
            "overdue": m.due_date < today and m.status in {Milestone.Status.PLANNED, Milestone.Status.RECTIFYING},
        }
        for m in milestones
    ]
    return {"start": start, "end": end, "today": _pct((today - start).days, span), "rows": rows}


def _render_contract(request, contract: Contract, status: int = 200, **bound):
    user, award = request.user, contract.award
    can = _abilities(user, contract)
    milestones = list(contract.milestones.all())
    ledger = selectors.ledger(award)
    failed = bound.get("row_form")
    context = {
        "contract": contract,
        "award": award,
        "challenge": award.challenge,
        "can": can,
        "milestones": milestones,
        "timeline": _timeline(contract, milestones, timezone.localdate()),
        "ledger": [
            (d, failed if failed and failed.prefix == f"d{d.pk}" else f.PaidForm(prefix=f"d{d.pk}")) for d in ledger["rows"]
        ],
        "totals": ledger["totals"],
        "contract_form": bound.get("contract_form") or (f.ContractForm.for_contract(contract) if can["edit"] else None),
        "sign_form": bound.get("sign_form") or f.SignForm(initial={"version": contract.version}),
        "extension_form": bound.get("extension_form") or f.ExtensionForm(),
        "termination_form": bound.get("termination_form") or f.TerminationForm(),
    }
    return render(request, "frontend/awards/contract.html", context, status=status)


@login_required
def contract_detail(request, pk):
    return _render_contract(request, _contract(request.user, pk))


@login_required
@require_POST
def contract_edit(request, pk):
    contract = _contract(request.user, pk, "awards.edit_contract")
    form = f.ContractForm.for_contract(contract, request.POST)
    if form.is_valid():
        with errors_into(form):
            services.contract_update(
                contract=contract,
                actor=request.user,
                milestones=form.row_data(),
                first_tranche_on_signing=form.cleaned_data["first_tranche_on_signing"],
            )
        if not form.errors:
            return _done(request, _("Contract saved as a new version."), "frontend:contract_detail", pk, "#milestones")
    return _render_contract(request, contract, 400, contract_form=form)


@login_required
@require_POST
def contract_sign(request, pk):
    contract = _contract(request.user, pk)
    if not any(request.user.has_perm(p, contract.award) for p in ("awards.sign_for_agency", "awards.sign_for_winner")):
        raise PermissionDenied  # before the form: a denied role never gets 400
    form = f.SignForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            signed = services.contract_sign(contract=contract, actor=request.user, version=form.cleaned_data["version"])
        if not form.errors:
            text = (
                _("Both sides signed: the contract is in force.")
                if signed.status == Contract.Status.SIGNED
                else _("Signed. The contract comes into force when the other side signs the same version.")
            )
            return _done(request, text, "frontend:contract_detail", pk)
    return _render_contract(request, contract, 400, sign_form=form)


@login_required
@require_POST
def contract_extend(request, pk):
    contract = _contract(request.user, pk, "awards.grant_extension")
    form = f.ExtensionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            services.extension_grant(contract=contract, actor=request.user, months=data["months"], reason=data["reason"])
        if not form.errors:
            return _done(request, _("Extension granted; the open milestones moved."), "frontend:contract_detail", pk)
    return _render_contract(request, contract, 400, extension_form=form)


@login_required
@require_POST
def contract_terminate(request, pk):
    contract = _contract(request.user, pk, "awards.terminate")
    form = f.TerminationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            services.contract_terminate(
                award=contract.award,
                actor=request.user,
                at_fault=data["outcome"] == "at_fault",
                reason=data["reason"],
                recover_amount=data["recover_amount"],
                ban_years=data["ban_years"],
            )
        if not form.errors:
            return _done(request, _("The contract is terminated."), "frontend:contract_detail", pk)
    return _render_contract(request, contract, 400, termination_form=form)


@login_required
@require_POST
def disbursement_approve(request, pk):
    row = _disbursement(request.user, pk, "awards.approve_disbursement")
    form = f.ActionForm(request.POST)
    with errors_into(form):
        services.disbursement_approve(disbursement=row, actor=request.user)
    contract_pk = row.award.contract.pk
    if not form.errors:
        return _done(request, _("Disbursement approved."), "frontend:contract_detail", contract_pk, "#ledger")
    messages.error(request, " ".join(form.non_field_errors()))
    return redirect("frontend:contract_detail", contract_pk)


@login_required
@require_POST
def disbursement_paid(request, pk):
    row = _disbursement(request.user, pk, "awards.record_payment")
    form = f.PaidForm(request.POST, prefix=f"d{row.pk}")
    if form.is_valid():
        with errors_into(form):
            services.disbursement_mark_paid(disbursement=row, actor=request.user, reference=form.cleaned_data["reference"])
        if not form.errors:
            return _done(request, _("Payment recorded."), "frontend:contract_detail", row.award.contract.pk, "#ledger")
    return _render_contract(request, _contract(request.user, row.award.contract.pk), 400, row_form=form)


@login_required
def contract_ledger_csv(request, pk):
    contract = _contract(request.user, pk, "awards.view_ledger")
    return ledger_csv(contract)  # the same file as the API's


# Milestones ----------------------------------------------------------------------------------------------


def _indicator_rows(indicators, latest) -> list[dict]:
    measured = {m.indicator_id: m.value for m in latest.measurements.all()} if latest else {}
    return [
        {
            "indicator": i,
            "value": measured.get(i.pk),
            "met": None if measured.get(i.pk) is None else i.is_met_by(measured[i.pk]),
        }
        for i in indicators
    ]


def _review(user, milestone: Milestone) -> dict | None:
    """Where the acceptance review stands; the approver decides only once it has finished."""
    round = milestone.acceptance_round
    if round is None:
        return None
    return {
        "round": round,
        "finished": round.status == ReviewRound.Status.COMPLETED,
        "item": round.items.first(),
        "link": user.has_perm("reviews.view_round", round),
    }


def _render_milestone(request, milestone: Milestone, status: int = 200, **bound):
    user, contract = request.user, milestone.contract
    award = contract.award
    indicators = list(award.challenge.indicators.all())
    deliveries = list(milestone.deliveries.select_related("submitted_by").prefetch_related("measurements"))
    review = _review(user, milestone)
    deliverable = milestone.status in {Milestone.Status.PLANNED, Milestone.Status.RECTIFYING}
    can_deliver = deliverable and contract.status == Contract.Status.SIGNED and user.has_perm("awards.deliver", award)
    can_accept = (
        milestone.status == Milestone.Status.UNDER_ACCEPTANCE
        and (review is None or review["finished"])
        and user.has_perm("awards.decide_acceptance", award)
    )
    context = {
        "milestone": milestone,
        "contract": contract,
        "award": award,
        "deliveries": deliveries,
        "latest": deliveries[-1] if deliveries else None,
        "rows": _indicator_rows(indicators, deliveries[-1] if deliveries else None),
        "review": review,
        "delivery_form": bound.get("delivery_form") or (f.DeliveryForm(indicators=indicators) if can_deliver else None),
        "acceptance_form": bound.get("acceptance_form") or (f.AcceptanceForm() if can_accept else None),
        "disbursement": Disbursement.objects.filter(milestone=milestone).first(),
    }
    return render(request, "frontend/awards/milestone.html", context, status=status)


@login_required
def milestone_detail(request, pk):
    return _render_milestone(request, _milestone(request.user, pk))


@login_required
@require_POST
def milestone_deliver(request, pk):
    milestone = _milestone(request.user, pk, "awards.deliver")
    form = f.DeliveryForm(request.POST, indicators=milestone.contract.award.challenge.indicators.all())
    if form.is_valid():
        report, measurements = form.cleaned_data["report"], form.measurements()
        with errors_into(form):
            services.delivery_submit(milestone=milestone, actor=request.user, report=report, measurements=measurements)
        if not form.errors:
            return _done(request, _("Deliverables submitted for acceptance."), "frontend:milestone_detail", pk)
    return _render_milestone(request, milestone, 400, delivery_form=form)


@login_required
@require_POST
def milestone_accept(request, pk):
    milestone = _milestone(request.user, pk, "awards.decide_acceptance")
    form = f.AcceptanceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            milestone = services.acceptance_decide(
                milestone=milestone, actor=request.user, outcome=data["outcome"], reason=data["reason"]
            )
        if not form.errors:
            text = _("Acceptance decided: %(status)s.") % {"status": milestone.get_status_display().lower()}
            return _done(request, text, "frontend:milestone_detail", pk)
    return _render_milestone(request, milestone, 400, acceptance_form=form)


# Transparency ----------------------------------------------------------------------------------------------


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else (share * 100).quantize(Decimal("0.1"))


def _money_by_field(cells: list[dict]) -> list[dict]:
    """The selector's field-and-year cells summed over the years (an award counts in each of its fields)."""
    fields: dict = {}
    for cell in cells:
        name = cell["field"].name if cell["field"] else _("Unclassified")
        row = fields.setdefault(name, {"name": name, "awards": 0, "amount": ZERO})
        row["awards"] += cell["awards"]
        row["amount"] += cell["amount"]
    return sorted(fields.values(), key=lambda row: -row["amount"])


def _money_by_year() -> list[dict]:
    """Awarded by the year of the decision, paid by the year of the payment: two small aggregates."""
    counted = Award.objects.filter(status__in=selectors.COUNTED, decision__status=Decision.Status.FINAL)
    awarded = counted.annotate(year=ExtractYear("decision__decided_at")).values("year")
    paid = Disbursement.objects.filter(status=Disbursement.Status.PAID).annotate(year=ExtractYear("paid_at"))
    years: dict = {}
    for row in awarded.annotate(amount=Sum("amount"), awards=Count("pk")).order_by("year"):
        years[row["year"]] = {**row, "paid": ZERO}
    for row in paid.values("year").annotate(amount=Sum("amount")).order_by("year"):
        years.setdefault(row["year"], {"year": row["year"], "amount": ZERO, "awards": 0})["paid"] = row["amount"]
    return [years[year] for year in sorted(years)]


def _gap_rows(results: list[dict]) -> list[dict]:
    rows = []
    for row in results:
        closed, measured = _percent(row["gap_closed"]), row["measured"]
        rows.append(
            {
                **row,
                "met": None if measured is None else row["indicator"].is_met_by(measured),
                "closed": None if closed is None else closed.quantize(Decimal("1")),
                "bar": None if closed is None else f"{max(0, min(100, closed)):.0f}",
            }
        )
    return rows


def _share(part: dict) -> dict:
    return {**part, "award_pct": _percent(part["award_share"]), "amount_pct": _percent(part["amount_share"])}


def transparency(request):
    figures = selectors.transparency()
    by_field, by_year = _money_by_field(figures["by_field_year"]), _money_by_year()
    chart = {
        "fields": {"labels": [r["name"] for r in by_field], "awarded": [float(r["amount"]) for r in by_field]},
        "years": {
            "labels": [str(r["year"]) for r in by_year],
            "awarded": [float(r["amount"]) for r in by_year],
            "paid": [float(r["paid"]) for r in by_year],
        },
        "labels": {"awarded": _("Awarded"), "paid": _("Paid")},
    }
    context = {
        "figures": figures,
        "sme": _share(figures["sme"]),
        "consortium": _share(figures["consortium"]),
        "by_field": by_field,
        "by_year": by_year,
        "gaps": _gap_rows(figures["indicators"]),
        "chart": chart,
    }
    return render(request, "frontend/awards/transparency.html", context)
