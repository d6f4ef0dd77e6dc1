"""Read queries shared by pages and the API: visibility first, then constant-query fetches."""

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organisation
from accounts.rules import roles_by_org

from .models import Amendment, Challenge, ChallengeAttachment, NdaSignature, Question, TechnicalField

User = get_user_model()

# Higher apps (bids) register who else counts as a challenge's bidders: see `audience`.
_audience_providers: list[Callable[[Challenge], QuerySet]] = []


def register_audience(provider: Callable[[Challenge], QuerySet]) -> None:
    _audience_providers.append(provider)


def applicant_organisation_ids(user) -> set[int]:
    """The non-agency organisations the user belongs to (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_applicant_org_ids", None)
    if cached is None:
        ids = set(roles_by_org(user))
        cached = set(Organisation.objects.filter(pk__in=ids).exclude(kind=Organisation.Kind.AGENCY).values_list("pk", flat=True))
        user._applicant_org_ids = cached
    return cached


def agency_ids(user) -> set[int]:
    return {org for org, role in roles_by_org(user).items() if role in Membership.AGENCY_ROLES}


def nda_signed_org_ids(challenge: Challenge) -> set[int]:
    cached = getattr(challenge, "_nda_org_ids", None)
    if cached is None:
        cached = set(NdaSignature.objects.filter(challenge=challenge).values_list("organisation_id", flat=True))
        challenge._nda_org_ids = cached
    return cached


def visible_challenges(user) -> QuerySet[Challenge]:
    """Published ones for everybody; drafts only for the issuing agency's staff and operators."""
    challenges = Challenge.objects.all()
    if getattr(user, "is_authenticated", False) and user.is_operator:
        return challenges
    return challenges.filter(Challenge.public_q() | Q(issuer_id__in=agency_ids(user)))


def challenge_for(user, pk, *, detail: bool = False) -> Challenge:
    """The one access helper: 404 for a challenge the user may not know of."""
    challenges = visible_challenges(user)
    challenges = with_detail_data(challenges) if detail else challenges.select_related("issuer")
    return get_object_or_404(challenges, pk=pk)


# Long texts a list never shows (and confidential ones it must never carry).
LIST_DEFERRED = ("confidential_details", "nda_text", "search_text", "chokepoint", "ip_terms", "required_qualifications")


def with_list_data(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return challenges.select_related("issuer").prefetch_related("fields").defer(*LIST_DEFERRED)


def with_detail_data(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return challenges.select_related("issuer", "reissued_from").prefetch_related(
        "fields",
        "indicators",
        Prefetch("amendments", queryset=Amendment.objects.order_by("number")),
        Prefetch("questions", queryset=Question.objects.filter(answered_at__isnull=False), to_attr="answered_questions"),
        Prefetch("attachments", queryset=ChallengeAttachment.objects.order_by("uploaded_at")),
    )


def open_questions(challenge: Challenge) -> QuerySet[Question]:
    return challenge.questions.filter(answered_at__isnull=True).order_by("asked_at")


def agency_challenges(user) -> QuerySet[Challenge]:
    return with_list_data(Challenge.objects.filter(issuer_id__in=agency_ids(user))).order_by("-updated_at")


def organisation_members(organisation_ids: Iterable[int]) -> QuerySet:
    return User.objects.filter(memberships__organisation_id__in=list(organisation_ids), is_active=True).distinct()


def issuer_staff(challenge: Challenge) -> QuerySet:
    return User.objects.filter(
        memberships__organisation_id=challenge.issuer_id,
        memberships__role__in=Membership.AGENCY_ROLES,
        is_active=True,
    ).distinct()


def audience(challenge: Challenge) -> list:
    """Everyone with a stake in the challenge: NDA signers, askers, and bidders (registered by bids)."""
    org_ids = set(NdaSignature.objects.filter(challenge=challenge).values_list("organisation_id", flat=True))
    org_ids |= set(Question.objects.filter(challenge=challenge, asked_for__isnull=False).values_list("asked_for_id", flat=True))
    users = {u.pk: u for u in organisation_members(org_ids)}
    for provider in _audience_providers:
        users.update({u.pk: u for u in provider(challenge)})
    return list(users.values())


# Parts of a challenge, each behind the challenge's own visibility ----------------------------


def visible_attachments(user, challenge: Challenge) -> list[ChallengeAttachment]:
    """Every file for readers of the confidential part; the public files for everyone else."""
    confidential = user.has_perm("challenges.view_confidential", challenge)
    return [a for a in challenge.attachments.all() if confidential or not a.confidential]


def attachment_for(user, pk) -> ChallengeAttachment:
    """404 for a file of a challenge the user may not see, or a confidential file they may not read."""
    attachment = get_object_or_404(
        ChallengeAttachment.objects.select_related("challenge").filter(challenge__in=visible_challenges(user)), pk=pk
    )
    if attachment.confidential and not user.has_perm("challenges.view_confidential", attachment.challenge):
        raise Http404
    return attachment


def visible_questions(user, challenge: Challenge) -> QuerySet[Question]:
    """Answered questions for everybody; open ones for the issuer's staff and operators, and the asker's own."""
    questions = Question.objects.filter(challenge=challenge).order_by("asked_at", "pk")
    if user.has_perm("challenges.view_questions_inbox", challenge):
        return questions
    shown = Q(answered_at__isnull=False)
    if getattr(user, "is_authenticated", False):
        shown |= Q(asked_by=user)
    return questions.filter(shown)


def question_for(user, challenge: Challenge, pk) -> Question:
    return get_object_or_404(visible_questions(user, challenge), pk=pk)


def acting_organisation(user, pk=None) -> Organisation | None:
    """The organisation a user acts for: the named one of their own (404 for any other),
    or else their first applicant organisation; None when they have none."""
    if pk is not None:
        return get_object_or_404(Organisation.objects.filter(memberships__user=user), pk=pk)
    ids = applicant_organisation_ids(user)
    return Organisation.objects.get(pk=min(ids)) if ids else None


def technical_fields() -> QuerySet[TechnicalField]:
    return TechnicalField.objects.order_by("position", "code")


def subscribed_fields(organisation: Organisation) -> QuerySet[TechnicalField]:
    return technical_fields().filter(subscriptions__organisation=organisation)
