from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.models import Invitation
from core.errors import DomainError

from ..forms import LoginForm, PasswordResetForm, SignupForm, StyledForm
from .base import errors_into


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "frontend/accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "frontend/accounts/password_reset.html"
    email_template_name = "frontend/accounts/password_reset_email.txt"
    subject_template_name = "frontend/accounts/password_reset_subject.txt"
    success_url = "/password-reset/sent/"


class PasswordChangeForm(StyledForm, auth_forms.PasswordChangeForm):
    """The old password, then the new one twice; the new one passes AUTH_PASSWORD_VALIDATORS."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """For logged-in users (Django's view requires login). The change goes through the accounts
    service, which audits it; this session stays valid, like Django's own view keeps it."""

    form_class = PasswordChangeForm
    template_name = "frontend/accounts/password_change.html"
    success_url = reverse_lazy("frontend:password_change_done")

    def form_valid(self, form):
        services.user_password_change(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400  # like every other page whose form has errors
        return response


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("frontend:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            services.user_register(
                email=data["email"], password=data["password1"], full_name=data["full_name"], language=data["language"]
            )
        if not form.errors:
            messages.success(request, _("Account created. We sent a link to %(email)s: open it to activate.") % data)
            return redirect("frontend:login")
    return render(request, "frontend/accounts/signup.html", {"form": form})


def verify_email(request, uidb64, token):
    try:
        user = get_user_model().objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        user = None
    if user is not None and services.user_verify_email(user=user, token=token):
        messages.success(request, _("Your email address is confirmed. You can log in now."))
    else:
        messages.error(request, _("This link is invalid or has expired."))
    return redirect("frontend:login")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    if not request.user.is_authenticated:
        messages.info(request, _("Log in or sign up with %(email)s to accept the invitation.") % {"email": invitation.email})
        return redirect(f"/login/?next={request.path}")
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You joined %(org)s.") % {"org": invitation.organisation.name})
            return redirect("frontend:organisation_detail", invitation.organisation_id)
    return render(request, "frontend/accounts/invitation.html", {"invitation": invitation})


@login_required
def profile(request):
    memberships = request.user.memberships.select_related("organisation").order_by("organisation__name")
    return render(request, "frontend/accounts/profile.html", {"memberships": memberships})
