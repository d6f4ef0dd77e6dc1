"""Every change to people and organisations: validated, locked, audited, notified."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, mail, workflow
from core.errors import DomainError
from core.notifications import notify
from core.workflow import Lifecycle, Transition

from . import selectors
from .models import Invitation, Membership, Organisation, User
from .rules import forget_roles
from .tokens import email_verification_token
from .validators import normalise_credit_code

Status = Organisation.Status
VERIFICATION = Lifecycle(
    (
        Transition(
            "verify",
            (Status.PENDING, Status.REJECTED),
            Status.VERIFIED,
            "accounts.verify_organisation",
            gettext_lazy("verify"),
        ),
        Transition(
            "reject",
            (Status.PENDING, Status.VERIFIED),
            Status.REJECTED,
            "accounts.verify_organisation",
            gettext_lazy("reject"),
        ),
        Transition("resubmit", (Status.REJECTED,), Status.PENDING, "accounts.resubmit_organisation", gettext_lazy("resubmit")),
    )
)
AUDITED_ORG_FIELDS = ["name", "kind", "credit_code", "size", "is_specialised_sme", "status", "rejection_reason"]


def user_register(*, email: str, password: str, full_name: str, language: str = "zh-hans") -> User:
    """Create an account whose email is not yet verified, and send the verification link."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email already exists.")})
    user = User(email=email, full_name=full_name.strip(), language=language)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        audit.record(action="user.register", actor=user, obj=user, after={"email": email})
        user_send_verification(user=user)
    return user


def user_send_verification(*, user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = settings.SITE_URL + reverse("frontend:verify_email", args=[uid, email_verification_token.make_token(user)])
    with translation.override(user.language):
        mail.queue(
            key=f"verify-email:{user.pk}:{timezone.now():%Y%m%d%H%M}",
            to=user.email,
            subject=_("Confirm your email address"),
            body=_("Open this link to confirm your address and activate your account:\n\n%(link)s") % {"link": link},
        )


def user_verify_email(*, user: User, token: str) -> bool:
    if user.email_verified_at is not None:
        return True
    if not email_verification_token.check_token(user, token):
        return False
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        audit.record(action="user.verify_email", actor=user, obj=user)
    user.refresh_from_db()
    return True


def user_password_change(*, user: User, password: str) -> User:
    """A logged-in user chose a new password (the old one was checked by the form): validated,
    saved and audited. Keeping the session valid is the caller's part (update_session_auth_hash)."""
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(action="user.password_change", actor=user, obj=user)
    return user


def organisation_register(*, actor: User, name: str, kind: str, credit_code: str, size: str, **extra) -> Organisation:
    """A person registers their organisation; it waits for an operator to verify it.

    The registrant becomes its manager: an approver for an agency, an admin otherwise.
    """
    organisation = Organisation(name=name.strip(), kind=kind, credit_code=normalise_credit_code(credit_code), size=size)
    for field, value in extra.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    role = Membership.Role.APPROVER if organisation.is_agency else Membership.Role.ADMIN
    with transaction.atomic():
        organisation.save()
        Membership.objects.create(user=actor, organisation=organisation, role=role)
        audit.record(
            action="organisation.register",
            actor=actor,
            obj=organisation,
            organisation=organisation,
            after=audit.snapshot(organisation, AUDITED_ORG_FIELDS),
        )
        notify(
            recipients=selectors.operators(),
            verb="organisation.registered",
            key=f"organisation.registered:{organisation.pk}",
            title=gettext_lazy("Organisation to verify: %(name)s"),
            body=gettext_lazy("%(name)s registered and waits for verification."),
            context={"name": organisation.name},
            url=reverse("frontend:organisation_detail", args=[organisation.pk]),
        )
    forget_roles(actor)
    return organisation


def organisation_verify(*, organisation: Organisation, actor: User) -> Organisation:
    def changes(org):
        org.rejection_reason = ""
        org.verified_at = timezone.now()
        org.verified_by = actor

    org = workflow.apply(
        organisation,
        lifecycle=VERIFICATION,
        name="verify",
        actor=actor,
        changes=changes,
        organisation=organisation,
        audit_fields=AUDITED_ORG_FIELDS,
    )
    _notify_managers(org, "verified", gettext_lazy("%(name)s is verified"), gettext_lazy("You can now submit bids."))
    return org


def organisation_reject(*, organisation: Organisation, actor: User, reason: str) -> Organisation:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting, so the organisation can fix it.")})

    def changes(org):
        org.rejection_reason = reason
        org.verified_at = None
        org.verified_by = None

    org = workflow.apply(
        organisation,
        lifecycle=VERIFICATION,
        name="reject",
        actor=actor,
        changes=changes,
        organisation=organisation,
        audit_fields=AUDITED_ORG_FIELDS,
    )
    _notify_managers(org, "rejected", gettext_lazy("%(name)s was not verified"), gettext_lazy("Reason: %(reason)s"))
    return org


def organisation_resubmit(*, organisation: Organisation, actor: User, **changes) -> Organisation:
    """After a rejection a manager corrects the details and asks for verification again."""

    def apply_changes(org):
        for field, value in changes.items():
            setattr(org, field, normalise_credit_code(value) if field == "credit_code" else value)

    return workflow.apply(
        organisation,
        lifecycle=VERIFICATION,
        name="resubmit",
        actor=actor,
        changes=apply_changes,
        organisation=organisation,
        audit_fields=AUDITED_ORG_FIELDS,
    )


def _notify_managers(org: Organisation, event: str, title, body) -> None:
    managers = User.objects.filter(memberships__organisation=org, memberships__role__in=Membership.MANAGER_ROLES, is_active=True)
    notify(
        recipients=managers,
        verb=f"organisation.{event}",
        key=f"organisation.{event}:{org.pk}:{timezone.now():%Y%m%d%H%M%S}",
        title=title,
        body=body,
        context={"name": org.name, "reason": org.rejection_reason},
        url=reverse("frontend:organisation_detail", args=[org.pk]),
    )


def invitation_create(*, organisation: Organisation, actor: User, email: str, role: str) -> Invitation:
    """A manager invites someone by email to join with a role fitting the organisation's kind."""
    if not actor.has_perm("accounts.invite_member", organisation):
        raise PermissionDenied
    allowed = Membership.AGENCY_ROLES if organisation.is_agency else Membership.APPLICANT_ROLES
    if role not in allowed:
        raise ValidationError({"role": _("This role does not exist in this kind of organisation.")})
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Invitation.objects.filter(organisation=organisation, email__iexact=email, accepted_at__isnull=True).exists():
            raise DomainError(_("An invitation to this address is already open."), code="duplicate")
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        audit.record(
            action="invitation.create",
            actor=actor,
            obj=invitation,
            organisation=organisation,
            after={"email": email, "role": role},
        )
        link = settings.SITE_URL + reverse("frontend:invitation_accept", args=[invitation.token])
        mail.queue(
            key=f"invitation:{invitation.pk}",
            to=email,
            subject=_("Invitation to join %(org)s") % {"org": organisation.name},
            body=_("%(who)s invites you to join %(org)s as %(role)s.\n\nAccept: %(link)s")
            % {"who": actor.full_name, "org": organisation.name, "role": invitation.get_role_display(), "link": link},
        )
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable():
            raise DomainError(_("This invitation has expired or was already used."), code="invitation_unusable")
        if invitation.email.lower() != user.email.lower():
            raise PermissionDenied(_("This invitation was sent to another email address."))
        membership, _created = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if user.email_verified_at is None:
            # Following the emailed link proves the address.
            User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        audit.record(
            action="invitation.accept",
            actor=user,
            obj=invitation,
            organisation=invitation.organisation,
            after={"role": membership.role},
        )
    forget_roles(user)
    return membership
