"""A round's page (settings, formal check, assignment preview, exclusions, progress) and its
ranking. Operators act on it; the issuing agency follows progress and reads the results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from core.errors import DomainError
from reviews import selectors, services
from reviews.models import Assignment, Exclusion, ReviewItem, ReviewRound
from reviews.services.aggregation import TIE_RULE

from ... import review_forms as f
from ..base import errors_into
from .access import item_for, managed_assignment, round_for, to_round

A = Assignment.Status
S = ReviewRound.Status
PER_PAGE = 50
RUNNING = {S.CHECKING, S.ASSIGNING}
# The steps a round's `progress` goes through while it is checked and assigned, in order.
STEPS = {
    "queued": gettext_lazy("Queued"),
    "checking": gettext_lazy("Formal checks"),
    "conflicts": gettext_lazy("Finding conflicts of interest"),
    "solving": gettext_lazy("Computing the assignment"),
    "assigned": gettext_lazy("Assignment computed"),
}


# Rounds: set-up, formal check, assignment, progress ----------------------------------------------


def _progress(round: ReviewRound) -> dict:
    """Counts by status, overdue reviews, and the checking/assigning steps as a percentage."""
    data = selectors.round_progress(round)
    counts, steps = data["by_status"], data["progress"] or {}
    step = steps.get("step", "")
    done = list(STEPS).index(step) + 1 if step in STEPS else 0
    running = round.status in RUNNING
    live = sum(counts.get(s, 0) for s in Assignment.LIVE_STATES)
    return {
        "statuses": [(value, label, counts.get(value, 0)) for value, label in A.choices if counts.get(value)],
        "items": data["items"],
        "step": STEPS.get(step, ""),
        "infeasible": step == "infeasible",
        "shortages": steps.get("shortages", []) if step == "infeasible" else [],
        "percent": int(100 * done / len(STEPS)) if round.status in {S.PLANNED, *RUNNING} else 100,
        "overdue": data["overdue"],
        "submitted": counts.get(A.SUBMITTED, 0),
        "live": live,
        "done_percent": int(100 * counts.get(A.SUBMITTED, 0) / live) if live else 0,
        "proposed": counts.get(A.PROPOSED, 0),
        "running": running,
    }


def _items_page(request, round: ReviewRound):
    by_affinity = Assignment.objects.select_related("expert__user", "expert__affiliation").order_by("-affinity", "pk")
    excluded = Exclusion.objects.select_related("expert__user").order_by("expert__user__full_name", "reason")
    items = round.items.order_by("pk").prefetch_related(
        Prefetch("assignments", queryset=by_affinity), Prefetch("exclusions", queryset=excluded)
    )
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _operator_context(request, round: ReviewRound, bound: dict) -> dict:
    page = _items_page(request, round)
    rows = [
        {
            "item": item,
            "check_form": bound.get(f"check{item.pk}") or f.CheckDecisionForm(prefix=f"check{item.pk}"),
            "add_form": bound.get(f"add{item.pk}") or f.AddExpertForm(prefix=f"add{item.pk}"),
        }
        for item in page
    ]
    settings_form = bound.get("settings") or f.RoundSettingsForm(instance=round)
    configurable = round.status in {S.PLANNED, S.PROPOSED}
    if not configurable:
        settings_form.freeze()
    return {"page": page, "rows": rows, "settings_form": settings_form, "configurable": configurable}


def _round_page(request, round: ReviewRound, *, status: int = 200, **bound):
    manage = request.user.has_perm("reviews.manage_round", round)
    context = {
        "round": round,
        "manage": manage,
        "progress": _progress(round),
        "rounds": round.challenge.review_rounds.order_by("position"),
    }
    if manage:
        context.update(_operator_context(request, round, bound))
    return render(request, "frontend/reviews/round.html", context, status=status)


@login_required
def round_list(request):
    rounds = selectors.visible_rounds(request.user).select_related("challenge").annotate(n_items=Count("items"))
    page = Paginator(rounds.order_by("-created_at"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "frontend/reviews/rounds.html", {"page": page, "query": ""})


@login_required
def round_detail(request, pk):
    return _round_page(request, round_for(request, pk))


@login_required
def round_progress(request, pk):
    """The progress panel alone, polled while a round is checked and assigned; when that ends,
    the whole page reloads so the assignment preview appears."""
    round = round_for(request, pk)
    if request.htmx and request.GET.get("watch") and round.status not in RUNNING:
        return HttpResponseClientRefresh()
    manage = request.user.has_perm("reviews.manage_round", round)
    context = {"round": round, "progress": _progress(round), "manage": manage}
    return render(request, "frontend/reviews/_progress.html", context)


@login_required
@require_POST
def round_settings(request, pk):
    round = round_for(request, pk, "reviews.manage_round")
    form = f.RoundSettingsForm(request.POST, instance=round)
    if form.is_valid():
        with errors_into(form):
            services.round_configure(round=round, actor=request.user, data=form.cleaned_data)
        if not form.errors:
            messages.success(request, _("Round settings saved."))
            return to_round(round.pk, "#settings")
    return _round_page(request, round, status=400, settings=form)


@login_required
@require_POST
def round_assign(request, pk):
    """Run the assignment again after it found too few experts (experts were added since)."""
    round = round_for(request, pk, "reviews.manage_round")
    if round.status != S.ASSIGNING or (round.progress or {}).get("step") != "infeasible":
        raise DomainError(_("The assignment runs again only when it stopped for lack of experts."), code="round_state")
    summary = services.round_assign(round)
    messages.success(request, _("%(n)s assignments proposed.") % {"n": summary["assignments"]})
    return to_round(round.pk, "#assignment")


@login_required
@require_POST
def round_reassign(request, pk):
    round = round_for(request, pk, "reviews.manage_round")
    summary = services.round_reassign(round=round, actor=request.user)
    messages.success(request, _("Recomputed around the locked pairs: %(n)s new proposals.") % {"n": summary["assignments"]})
    return to_round(round.pk, "#assignment")


@login_required
@require_POST
def round_invite(request, pk):
    round = round_for(request, pk, "reviews.manage_round")
    sent = services.invitations_send(round=round, actor=request.user)
    messages.success(request, _("%(n)s invitations sent.") % {"n": sent})
    return to_round(round.pk, "#progress")


@login_required
@require_POST
def item_check(request, pk):
    item = item_for(request, pk)
    form = f.CheckDecisionForm(request.POST, prefix=f"check{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            services.formal_check_decide(item=item, actor=request.user, passed=data["passed"], reason=data["reason"])
        if not form.errors:
            messages.success(request, _("Formal check decided for %(item)s.") % {"item": item.label})
            return to_round(item.round_id, f"#check-{item.pk}")
    return _round_page(request, item.round, status=400, **{f"check{item.pk}": form})


@login_required
@require_POST
def item_add_expert(request, pk):
    item = item_for(request, pk)
    form = f.AddExpertForm(request.POST, prefix=f"add{item.pk}")
    if form.is_valid():
        with errors_into(form):
            services.assignment_set_by_hand(item=item, expert=form.expert, actor=request.user)
        if not form.errors:
            messages.success(request, _("Expert added and locked."))
            return to_round(item.round_id, f"#item-{item.pk}")
    return _round_page(request, item.round, status=400, **{f"add{item.pk}": form})


@login_required
@require_POST
def assignment_lock(request, pk):
    assignment = managed_assignment(request, pk)
    locked = request.POST.get("locked") == "1"
    services.assignment_lock(assignment=assignment, actor=request.user, locked=locked)
    messages.success(request, _("Locked: recomputing keeps this pair.") if locked else _("Unlocked."))
    return to_round(assignment.item.round_id, f"#item-{assignment.item_id}")


@login_required
@require_POST
def assignment_remove(request, pk):
    assignment = managed_assignment(request, pk)
    services.assignment_remove(assignment=assignment, actor=request.user)
    messages.success(request, _("Removed from the proposal."))
    return to_round(assignment.item.round_id, f"#item-{assignment.item_id}")


# Results ----------------------------------------------------------------------------------------


def _totals(item: ReviewItem) -> list:
    """The submitted reviews' totals, lowest first (the ranking prefetches only submitted ones)."""
    reviews = (getattr(a, "review", None) for a in item.assignments.all())
    return sorted(r.total for r in reviews if r is not None and r.total is not None)


@login_required
def round_results(request, pk):
    round = round_for(request, pk)
    context = {"round": round, "tie_rule": TIE_RULE, "complete": round.status == S.COMPLETED}
    if context["complete"]:
        rows = [{"item": item, "totals": _totals(item)} for item in selectors.ranking(round)]
        context["rows"] = rows
        context["chart"] = {
            "labels": [f"#{r['item'].rank or '–'} {r['item'].blind_label}{' ⚑' if r['item'].flagged else ''}" for r in rows],
            "totals": [[float(t) for t in r["totals"]] for r in rows],
            "scores": [float(r["item"].score) if r["item"].score is not None else None for r in rows],
            "text": {"reviewer": _("Reviewer's total"), "score": _("Aggregated score"), "axis": _("Points of 100")},
        }
    return render(request, "frontend/reviews/results.html", context)
