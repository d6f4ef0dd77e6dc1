"""The expert pool: the operator searches, adds, edits and imports experts; conflicts are
declared on an expert's page (by the operator or the expert)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reviews import selectors, services
from reviews.models import Assignment, ExpertProfile

from ... import review_forms as f
from ..base import errors_into
from .access import expert_for, require

PER_PAGE = 50


def _pool(form: f.ExpertSearchForm):
    data = form.cleaned_data if form.is_valid() else {}
    experts = selectors.experts(data.get("q") or "")
    if data.get("field"):
        experts = experts.filter(fields=data["field"])
    if data.get("tier"):
        experts = experts.filter(tier=data["tier"])
    return experts.annotate(load=Count("assignments", filter=Q(assignments__status__in=Assignment.OPEN_STATES)))


@login_required
def expert_list(request):
    require(request.user, "reviews.manage_pool")
    form = f.ExpertSearchForm(request.GET or None)
    page = Paginator(_pool(form), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "frontend/reviews/experts.html", context)


def _expert_form_page(request, form, profile=None):
    if request.method == "POST" and form.is_valid():
        user = profile.user if profile else form.user
        fields = list(form.cleaned_data["fields"])
        with errors_into(form):
            profile = services.expert_save(actor=request.user, user=user, data=form.expert_data(), fields=fields)
        if not form.errors:
            messages.success(request, _("Expert profile saved."))
            return redirect("frontend:expert_detail", profile.pk)
    context = {"form": form, "profile": profile}
    return render(request, "frontend/reviews/expert_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def expert_create(request):
    require(request.user, "reviews.manage_pool")
    return _expert_form_page(request, f.ExpertForm(request.POST or None))


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request, pk):
    profile = expert_for(request, pk)
    require(request.user, "reviews.manage_pool")
    return _expert_form_page(request, f.ExpertForm(request.POST or None, profile=profile), profile)


def _expert_page(request, profile: ExpertProfile, conflict_form=None, status: int = 200):
    manage = request.user.has_perm("reviews.manage_pool")
    recent = profile.assignments.select_related("item__round__challenge").order_by("-created_at")[:20]
    context = {
        "profile": profile,
        "manage": manage,
        "fields": profile.fields.all(),
        "conflicts": profile.declared_conflicts.select_related("organisation").order_by("-created_at"),
        "past": profile.past_affiliations.select_related("organisation"),
        "assignments": recent if manage else [],
        "conflict_form": conflict_form or f.ConflictForm(),
    }
    return render(request, "frontend/reviews/expert_detail.html", context, status=status)


@login_required
def expert_detail(request, pk):
    return _expert_page(request, expert_for(request, pk))


@login_required
@require_POST
def expert_conflict_add(request, pk):
    profile = expert_for(request, pk)
    form = f.ConflictForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            services.conflict_declare(
                expert=profile,
                actor=request.user,
                reason=data["reason"],
                organisation=data["organisation"],
                person_name=data["person_name"],
            )
        if not form.errors:
            messages.success(request, _("Conflict recorded. It is excluded from every future assignment."))
            return redirect("frontend:expert_detail", profile.pk)
    return _expert_page(request, profile, conflict_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def expert_import(request):
    require(request.user, "reviews.manage_pool")
    form, result = f.ImportForm(request.POST or None, request.FILES or None), None
    if request.method == "POST" and form.is_valid():
        data, dry_run = form.cleaned_data["file"].read(), form.cleaned_data["dry_run"]
        with errors_into(form):
            result = services.experts_import_csv(actor=request.user, data=data, dry_run=dry_run)
        if result and not result.errors and not dry_run:
            messages.success(request, _("Imported: %(c)s new, %(u)s updated.") % {"c": result.created, "u": result.updated})
            return redirect("frontend:expert_list")
    context = {"form": form, "result": result, "columns": services.pool.CSV_COLUMNS}
    status = 400 if form.errors or (result and result.errors) else 200
    return render(request, "frontend/reviews/expert_import.html", context, status=status)
