from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services

from ..forms import InviteForm, OrganisationForm, RejectForm
from .base import errors_into


@login_required
@require_http_methods(["GET", "POST"])
def organisation_register(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            organisation = services.organisation_register(actor=request.user, **form.cleaned_data)
        if not form.errors:
            messages.success(request, _("Registered. An operator will verify your organisation."))
            return redirect("frontend:organisation_detail", organisation.pk)
    return render(request, "frontend/organisations/register.html", {"form": form})


@login_required
def organisation_detail(request, pk):
    organisation = selectors.organisation_for(request.user, pk)
    context = {
        "organisation": organisation,
        "members": selectors.organisation_members(organisation),
        "invite_form": InviteForm(organisation=organisation),
        "reject_form": RejectForm(),
        "can_invite": request.user.has_perm("accounts.invite_member", organisation),
        "can_verify": request.user.has_perm("accounts.verify_organisation", organisation),
    }
    return render(request, "frontend/organisations/detail.html", context)


@login_required
@require_POST
def organisation_invite(request, pk):
    organisation = selectors.organisation_for(request.user, pk)
    if not request.user.has_perm("accounts.invite_member", organisation):
        raise PermissionDenied  # before the form: a denied role never gets 400
    form = InviteForm(request.POST, organisation=organisation)
    if form.is_valid():
        with errors_into(form):
            services.invitation_create(organisation=organisation, actor=request.user, **form.cleaned_data)
    if form.is_valid() and not form.errors:
        messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
        return redirect("frontend:organisation_detail", pk)
    context = {"organisation": organisation, "members": selectors.organisation_members(organisation)}
    context.update(invite_form=form, reject_form=RejectForm(), can_invite=True, can_verify=False)
    return render(request, "frontend/organisations/detail.html", context, status=400)


@login_required
@require_POST
def organisation_verify(request, pk):
    organisation = selectors.organisation_for(request.user, pk)
    services.organisation_verify(organisation=organisation, actor=request.user)
    messages.success(request, _("%(name)s is verified.") % {"name": organisation.name})
    return redirect("frontend:organisation_queue")


@login_required
@require_POST
def organisation_reject(request, pk):
    organisation = selectors.organisation_for(request.user, pk)
    if not request.user.has_perm("accounts.verify_organisation", organisation):
        raise PermissionDenied
    form = RejectForm(request.POST)
    if form.is_valid():
        services.organisation_reject(organisation=organisation, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("%(name)s was rejected.") % {"name": organisation.name})
        return redirect("frontend:organisation_queue")
    messages.error(request, _("Give the reason for rejecting."))
    return redirect("frontend:organisation_detail", pk)


@login_required
def organisation_queue(request):
    if not request.user.is_operator:
        raise PermissionDenied
    return render(request, "frontend/organisations/queue.html", {"pending": selectors.organisations_to_verify()})
