"""Every change to a challenge: drafting, approval, amendments, questions, NDAs, the clock."""

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from core import audit, files, workflow
from core.errors import DomainError
from core.notifications import notify
from core.workflow import Lifecycle, Transition

from . import selectors
from .models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    FieldSubscription,
    Indicator,
    NdaSignature,
    Question,
    TechnicalField,
)

Status = Challenge.Status
LIFECYCLE = Lifecycle(
    (
        Transition("submit", (Status.DRAFT,), Status.PENDING_APPROVAL, "challenges.submit_challenge", gettext_lazy("submit")),
        Transition(
            "approve",
            (Status.PENDING_APPROVAL,),
            Status.PUBLISHED,
            "challenges.approve_challenge",
            gettext_lazy("approve"),
        ),
        Transition("return", (Status.PENDING_APPROVAL,), Status.DRAFT, "challenges.return_challenge", gettext_lazy("return")),
        Transition(
            "cancel",
            (Status.DRAFT, Status.PENDING_APPROVAL, Status.PUBLISHED, Status.BIDDING_CLOSED),
            Status.CANCELLED,
            "challenges.cancel_challenge",
            gettext_lazy("cancel"),
        ),
        # Only the clock closes bidding: no permission, no person.
        Transition("close_bidding", (Status.PUBLISHED,), Status.BIDDING_CLOSED, None, gettext_lazy("close bidding on")),
        # The review engine moves these once its rounds start and end.
        Transition("start_review", (Status.BIDDING_CLOSED,), Status.UNDER_REVIEW, None, gettext_lazy("start reviewing")),
        # The award decision moves these (awards checks who may decide).
        Transition("propose_award", (Status.UNDER_REVIEW,), Status.IN_PUBLICITY, None, gettext_lazy("propose an award for")),
        Transition("reopen_decision", (Status.IN_PUBLICITY,), Status.UNDER_REVIEW, None, gettext_lazy("reopen the decision on")),
        Transition("finalise_award", (Status.IN_PUBLICITY,), Status.AWARDED, None, gettext_lazy("finalise the award of")),
        Transition("start_execution", (Status.AWARDED,), Status.IN_EXECUTION, None, gettext_lazy("start executing")),
        Transition("complete", (Status.IN_EXECUTION,), Status.COMPLETED, None, gettext_lazy("complete")),
        Transition(
            "unaward",
            (Status.UNDER_REVIEW, Status.IN_EXECUTION),
            Status.UNAWARDED,
            None,
            gettext_lazy("close unawarded"),
        ),
    )
)
# The fields an agency fills in on a draft (besides issuer, technical fields and indicators).
DRAFT_FIELDS = (
    "title",
    "chokepoint",
    "summary",
    "confidential_details",
    "nda_text",
    "government_funding",
    "cofunding_ratio",
    "funding_mode",
    "max_winners",
    "allowed_kinds",
    "allowed_sizes",
    "smes_only",
    "consortium_allowed",
    "max_partners",
    "required_qualifications",
    "bids_per_organisation",
    "bidding_opens_at",
    "bidding_closes_at",
    "execution_months",
    "publicity_days",
    "ip_terms",
    "contact_name",
    "contact_email",
    "contact_phone",
)
AUDITED_FIELDS = [
    "title",
    "status",
    "summary",
    "chokepoint",
    "government_funding",
    "cofunding_ratio",
    "funding_mode",
    "max_winners",
    "bidding_opens_at",
    "bidding_closes_at",
    "execution_months",
]
INDICATOR_FIELDS = [
    "name",
    "unit",
    "comparison",
    "target_value",
    "measurement_method",
    "domestic_level",
    "international_level",
    "is_main",
]
# What an amendment may change after publication. Money and eligibility are not among
# them: changing who may bid or for how much after bidders have prepared is unfair.
AMENDABLE_FIELDS = frozenset(
    {
        "summary",
        "chokepoint",
        "confidential_details",
        "required_qualifications",
        "ip_terms",
        "contact_name",
        "contact_email",
        "contact_phone",
        "bidding_closes_at",
    }
)


def _detail_url(challenge: Challenge) -> str:
    return reverse("frontend:challenge_detail", args=[challenge.pk])


# Drafting -----------------------------------------------------------------------------


def challenge_create(
    *,
    actor,
    issuer: Organisation,
    data: dict,
    fields: Iterable[TechnicalField],
    indicators: list[dict],
) -> Challenge:
    """An agency editor or approver starts a draft; it stays private until approved."""
    if not actor.has_perm("challenges.create_challenge", issuer):
        raise PermissionDenied
    if not issuer.is_verified:
        raise DomainError(_("Your agency must be verified before it can publish challenges."), code="unverified")
    challenge = Challenge(issuer=issuer, created_by=actor, **data)
    with transaction.atomic():
        _save_draft(challenge, fields=list(fields), indicators=indicators)
        audit.record(
            action="challenge.create",
            actor=actor,
            obj=challenge,
            organisation=issuer,
            after=audit.snapshot(challenge, AUDITED_FIELDS),
        )
    return challenge


def challenge_update(
    *,
    challenge: Challenge,
    actor,
    data: dict,
    fields: Iterable[TechnicalField] | None = None,
    indicators: list[dict] | None = None,
) -> Challenge:
    """Edit a draft. After publication every change is an amendment instead."""
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not actor.has_perm("challenges.edit_challenge", locked):
            raise PermissionDenied
        if locked.status not in Challenge.EDITABLE_STATES:
            raise DomainError(_("Only a draft can be edited; after publication, publish an amendment."), code="not_editable")
        before = audit.snapshot(locked, AUDITED_FIELDS)
        dates_before = {name: getattr(locked, name) for name in SCHEDULE_FIELDS}
        for name, value in data.items():
            setattr(locked, name, value)
        changed = {name for name in SCHEDULE_FIELDS if getattr(locked, name) != dates_before[name]}
        _save_draft(locked, fields=None if fields is None else list(fields), indicators=indicators, changed_dates=changed)
        audit.record(
            action="challenge.update",
            actor=actor,
            obj=locked,
            organisation=locked.issuer,
            before=before,
            after=audit.snapshot(locked, AUDITED_FIELDS),
        )
    return locked


# Dates a draft may carry: set now, so a typo (year 20260, 1926) or a deadline already gone is caught
# when it is typed; a stale draft whose dates were not touched is left for the approver to catch.
SCHEDULE_FIELDS = ("bidding_opens_at", "bidding_closes_at")
SCHEDULE_HORIZON = timedelta(days=365 * 10)
SCHEDULE_PAST = timedelta(days=365)


def schedule_errors(values: dict, changed: set[str], now: datetime) -> dict[str, list[str]]:
    """Errors for the bidding dates just set; the pages' forms ask this too, so both say the same."""
    errors = {}
    for name in SCHEDULE_FIELDS:
        value = values.get(name)
        if name not in changed or not isinstance(value, datetime):
            continue
        if value > now + SCHEDULE_HORIZON:
            errors[name] = [_("Dates more than ten years ahead are not accepted.")]
        elif name == "bidding_opens_at" and value < now - SCHEDULE_PAST:
            errors[name] = [_("The opening date is more than a year in the past.")]
        elif name == "bidding_closes_at" and value <= now and not _before(value, values.get("bidding_opens_at")):
            errors[name] = [_("The bidding deadline must be in the future.")]
    return errors


def _before(value: datetime, other) -> bool:
    """Closing before opening has its own message (the model's); one reason per field is enough."""
    return isinstance(other, datetime) and value <= other


def _save_draft(
    challenge: Challenge, *, fields: list | None, indicators: list[dict] | None, changed_dates: set[str] | None = None
) -> None:
    changed = set(SCHEDULE_FIELDS) if changed_dates is None else changed_dates
    values = {name: getattr(challenge, name) for name in SCHEDULE_FIELDS}
    errors = schedule_errors(values, changed, timezone.now())
    try:
        # Dates already refused stay out of the model's checks: year 1 in UTC+8 cannot even be queried.
        challenge.full_clean(exclude=["fields", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if fields is not None and not fields:
        errors["fields"] = [_("Choose at least one technical field.")]
    rows = None
    if indicators is not None:
        rows, indicator_errors = _indicator_rows(challenge, indicators)
        if indicator_errors:
            errors["indicators"] = indicator_errors
    if errors:
        raise ValidationError(errors)
    challenge.save()
    if fields is not None:
        challenge.fields.set(fields)
    if rows is not None:
        challenge.indicators.all().delete()
        Indicator.objects.bulk_create(rows)
    challenge.refresh_search_text()
    Challenge.objects.filter(pk=challenge.pk).update(search_text=challenge.search_text)


def _indicator_rows(challenge: Challenge, indicators: list[dict]) -> tuple[list[Indicator], list[str]]:
    if not indicators:
        return [], [_("Add at least one measurable indicator.")]
    rows, errors = [], []
    for position, values in enumerate(indicators):
        row = Indicator(challenge=challenge, position=position, **{k: v for k, v in values.items() if k in INDICATOR_FIELDS})
        try:
            row.full_clean(exclude=["challenge"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend(f"{_('Indicator %(n)s') % {'n': position + 1}}, {field}: {m}" for m in messages)
        rows.append(row)
    return rows, errors


def attachment_add(*, challenge: Challenge, actor, upload, confidential: bool) -> ChallengeAttachment:
    try:
        checked = files.check_upload(upload)
    except ValidationError as exc:
        # Name the field, as every other refusal here does, so forms and the API show it there.
        raise ValidationError({"file": exc.error_list}) from exc
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not actor.has_perm("challenges.edit_challenge", locked):
            raise PermissionDenied
        if locked.status not in Challenge.EDITABLE_STATES:
            raise DomainError(_("Files can be added only while the challenge is a draft."), code="not_editable")
        attachment = ChallengeAttachment(
            challenge=locked,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            confidential=confidential,
            uploaded_by=actor,
        )
        attachment.file.save(checked.name, upload, save=False)
        attachment.save()
        audit.record(
            action="challenge.attachment_add",
            actor=actor,
            obj=attachment,
            organisation=locked.issuer,
            after={"name": checked.name, "confidential": confidential, "size": checked.size},
        )
    return attachment


# Approval -------------------------------------------------------------------------------


def challenge_submit(*, challenge: Challenge, actor) -> Challenge:
    def changes(c):
        if not c.indicators.exists():
            raise ValidationError({"indicators": _("Add at least one measurable indicator.")})
        c.submitted_by = actor
        c.return_comment = ""

    challenge = _apply(challenge, "submit", actor, changes)
    notify(
        recipients=[u for u in selectors.issuer_staff(challenge) if u.pk != actor.pk],
        verb="challenge.submitted",
        key=f"challenge.submitted:{challenge.pk}:{timezone.now():%Y%m%d%H%M%S}",
        title=gettext_lazy("Challenge to approve: %(title)s"),
        body=gettext_lazy("%(who)s submitted the challenge for approval."),
        context={"title": challenge.title, "who": actor.full_name},
        url=_detail_url(challenge),
    )
    return challenge


def challenge_approve(*, challenge: Challenge, actor, now: datetime | None = None) -> Challenge:
    """Approve and publish. The approver cannot be the person who submitted it."""
    now = now or timezone.now()

    def changes(c):
        if c.bidding_closes_at <= now:
            raise DomainError(_("The bidding deadline has passed: return the draft and set a new one."), code="late")
        c.approved_by = actor
        c.published_at = now
        if c.bidding_opens_at <= now:
            c.opening_announced_at = now

    challenge = _apply(challenge, "approve", actor, changes)
    transaction.on_commit(lambda: _announce_publication(challenge.pk))
    return challenge


def challenge_return(*, challenge: Challenge, actor, comment: str) -> Challenge:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what needs to change before approval.")})

    def changes(c):
        c.return_comment = comment

    challenge = _apply(challenge, "return", actor, changes)
    notify(
        recipients=[u for u in [challenge.submitted_by] if u],
        verb="challenge.returned",
        key=f"challenge.returned:{challenge.pk}:{timezone.now():%Y%m%d%H%M%S}",
        title=gettext_lazy("Returned for changes: %(title)s"),
        body=gettext_lazy("Comment: %(comment)s"),
        context={"title": challenge.title, "comment": comment},
        url=_detail_url(challenge),
    )
    return challenge


def challenge_cancel(*, challenge: Challenge, actor, reason: str) -> Challenge:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling; every bidder will read it.")})

    def changes(c):
        c.cancel_reason = reason

    challenge = _apply(challenge, "cancel", actor, changes)
    notify(
        recipients=selectors.audience(challenge) + list(selectors.issuer_staff(challenge)),
        verb="challenge.cancelled",
        key=f"challenge.cancelled:{challenge.pk}",
        title=gettext_lazy("Challenge cancelled: %(title)s"),
        body=gettext_lazy("Reason: %(reason)s"),
        context={"title": challenge.title, "reason": reason},
        url=_detail_url(challenge),
    )
    return challenge


def _apply(challenge: Challenge, name: str, actor, changes=None) -> Challenge:
    return workflow.apply(
        challenge,
        lifecycle=LIFECYCLE,
        name=name,
        actor=actor,
        changes=changes,
        organisation=challenge.issuer,
        audit_fields=AUDITED_FIELDS,
    )


def _announce_publication(challenge_id) -> None:
    """Tell subscribers of the challenge's fields that it is out."""
    challenge = Challenge.objects.select_related("issuer").get(pk=challenge_id)
    org_ids = FieldSubscription.objects.filter(field__in=challenge.fields.all()).values_list("organisation_id", flat=True)
    with transaction.atomic():
        notify(
            recipients=selectors.organisation_members(set(org_ids)),
            verb="challenge.published",
            key=f"challenge.published:{challenge.pk}",
            title=gettext_lazy("New challenge in your field: %(title)s"),
            body=gettext_lazy("%(issuer)s published a challenge. Bidding closes %(closes)s."),
            context={
                "title": challenge.title,
                "issuer": challenge.issuer.name,
                "closes": timezone.localtime(challenge.bidding_closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            url=_detail_url(challenge),
        )


# The clock -------------------------------------------------------------------------------


def close_due_bidding(now: datetime) -> int:
    """Close bidding on every published challenge whose deadline has passed. Idempotent."""
    due = Challenge.objects.filter(status=Status.PUBLISHED, bidding_closes_at__lte=now).select_related("issuer")
    closed = 0
    for challenge in list(due[:500]):
        try:
            challenge = _apply(challenge, "close_bidding", None, lambda c: setattr(c, "bidding_closed_at", now))
        except DomainError:
            continue  # another run closed it first
        closed += 1
        notify(
            recipients=list(selectors.issuer_staff(challenge)) + selectors.audience(challenge),
            verb="challenge.bidding_closed",
            key=f"challenge.bidding_closed:{challenge.pk}",
            title=gettext_lazy("Bidding closed: %(title)s"),
            body=gettext_lazy("Bidding closed at the deadline. The bids submitted by then go to review."),
            context={"title": challenge.title},
            url=_detail_url(challenge),
        )
    return closed


def challenge_start_review(*, challenge: Challenge) -> Challenge:
    """Bidding closed and the review engine took the bids: a system move, audited."""
    return _apply(challenge, "start_review", None)


def challenge_advance(*, challenge: Challenge, name: str, actor=None) -> Challenge:
    """A later stage moved by the award services, which check their own permissions."""
    return _apply(challenge, name, actor)


def announce_due_openings(now: datetime) -> int:
    """Announce challenges whose bidding window has just opened. Idempotent via a conditional update."""
    due = Challenge.objects.filter(
        status=Status.PUBLISHED, bidding_opens_at__lte=now, opening_announced_at__isnull=True
    ).values_list("pk", flat=True)
    announced = 0
    for pk in list(due[:500]):
        if not Challenge.objects.filter(pk=pk, opening_announced_at__isnull=True).update(opening_announced_at=now):
            continue
        challenge = Challenge.objects.get(pk=pk)
        audit.record(action="challenge.bidding_opened", obj=challenge, organisation=challenge.issuer)
        org_ids = FieldSubscription.objects.filter(field__in=challenge.fields.all()).values_list("organisation_id", flat=True)
        notify(
            recipients=list(selectors.organisation_members(set(org_ids))) + selectors.audience(challenge),
            verb="challenge.bidding_opened",
            key=f"challenge.bidding_opened:{challenge.pk}",
            title=gettext_lazy("Bidding is open: %(title)s"),
            body=gettext_lazy("You can now submit bids until %(closes)s."),
            context={
                "title": challenge.title,
                "closes": timezone.localtime(challenge.bidding_closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            url=_detail_url(challenge),
        )
        announced += 1
    return announced


# After publication --------------------------------------------------------------------------


def challenge_amend(*, challenge: Challenge, actor, reason: str, changes: dict) -> Amendment:
    """Record a change after publication, announce it to every bidder, show it publicly.

    A deadline may move later, never earlier.
    """
    reason = (reason or "").strip()
    unknown = set(changes) - AMENDABLE_FIELDS
    if unknown:
        raise ValidationError({"changes": _("These cannot be amended: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}})
    if not reason:
        raise ValidationError({"reason": _("Say why the challenge changes.")})
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not actor.has_perm("challenges.amend_challenge", locked):
            raise PermissionDenied
        if locked.status != Status.PUBLISHED:
            raise DomainError(_("Only a published challenge open for bids can be amended."), code="not_amendable")
        new_deadline = changes.get("bidding_closes_at")
        if new_deadline is not None and new_deadline < locked.bidding_closes_at:
            raise ValidationError({"bidding_closes_at": _("An amendment may extend the deadline but never shorten it.")})
        diff = {
            name: {"before": getattr(locked, name), "after": value}
            for name, value in changes.items()
            if getattr(locked, name) != value
        }
        if not diff:
            raise ValidationError({"changes": _("Nothing changes.")})
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["fields"])
        locked.refresh_search_text()
        locked.save()
        number = (locked.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
        amendment = Amendment.objects.create(
            challenge=locked, number=number, reason=reason, changes=audit.plain(diff), created_by=actor
        )
        audit.record(
            action="challenge.amend",
            actor=actor,
            obj=locked,
            organisation=locked.issuer,
            before={k: v["before"] for k, v in diff.items()},
            after={k: v["after"] for k, v in diff.items()},
        )
        notify(
            recipients=selectors.audience(locked),
            verb="challenge.amended",
            key=f"challenge.amended:{locked.pk}:{number}",
            title=gettext_lazy("Amendment %(number)s to %(title)s"),
            body=gettext_lazy("Reason: %(reason)s"),
            context={"number": number, "title": locked.title, "reason": reason},
            url=_detail_url(locked),
        )
    return amendment


def question_ask(*, challenge: Challenge, actor, text: str) -> Question:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your question.")})
    if not actor.has_perm("challenges.ask_question", challenge):
        raise PermissionDenied
    if challenge.status != Status.PUBLISHED:
        raise DomainError(_("Questions can be asked only while bidding is open."), code="closed")
    org_ids = sorted(selectors.applicant_organisation_ids(actor))
    with transaction.atomic():
        question = Question.objects.create(
            challenge=challenge, text=text[:4000], asked_by=actor, asked_for_id=org_ids[0] if org_ids else None
        )
        audit.record(action="question.ask", actor=actor, obj=question, organisation=question.asked_for)
        notify(
            recipients=selectors.issuer_staff(challenge),
            verb="question.asked",
            key=f"question.asked:{question.pk}",
            title=gettext_lazy("New question on %(title)s"),
            body="%(text)s",
            context={"title": challenge.title, "text": text[:500]},
            url=_detail_url(challenge),
        )
    return question


def question_answer(*, question: Question, actor, answer: str) -> Question:
    """Answer publicly. The published Q&A never names who asked."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    with transaction.atomic():
        locked = Question.objects.select_for_update().select_related("challenge").get(pk=question.pk)
        if not actor.has_perm("challenges.answer_question", locked.challenge):
            raise PermissionDenied
        if locked.is_answered:
            raise DomainError(_("This question is already answered."), code="answered")
        locked.answer, locked.answered_by, locked.answered_at = answer, actor, timezone.now()
        locked.save(update_fields=["answer", "answered_by", "answered_at"])
        audit.record(
            action="question.answer",
            actor=actor,
            obj=locked,
            organisation=locked.challenge.issuer,
            after={"answer": answer},
        )
        notify(
            recipients=selectors.audience(locked.challenge),
            verb="question.answered",
            key=f"question.answered:{locked.pk}",
            title=gettext_lazy("A question on %(title)s was answered"),
            body="%(answer)s",
            context={"title": locked.challenge.title, "answer": answer[:500]},
            url=_detail_url(locked.challenge),
        )
    return locked


def nda_sign(*, challenge: Challenge, actor, organisation: Organisation) -> NdaSignature:
    """An applicant organisation signs the NDA: who, when, which version of the text."""
    if organisation.pk not in selectors.applicant_organisation_ids(actor):
        raise PermissionDenied
    if not actor.has_perm("challenges.sign_nda", challenge):
        raise PermissionDenied
    with transaction.atomic():
        signature, created = NdaSignature.objects.get_or_create(
            challenge=challenge,
            organisation=organisation,
            defaults={
                "signed_by": actor,
                "nda_version": challenge.nda_version,
                "text_sha256": hashlib.sha256(challenge.nda_text.encode()).hexdigest(),
            },
        )
        if created:
            audit.record(
                action="nda.sign",
                actor=actor,
                obj=signature,
                organisation=organisation,
                after={
                    "challenge": str(challenge.pk),
                    "version": signature.nda_version,
                    "sha256": signature.text_sha256,
                },
            )
    challenge.__dict__.pop("_nda_org_ids", None)
    return signature


def subscription_set(*, organisation: Organisation, actor, fields: Iterable[TechnicalField]) -> list[FieldSubscription]:
    """Replace the organisation's field subscriptions."""
    if organisation.pk not in selectors.applicant_organisation_ids(actor):
        raise PermissionDenied
    wanted = {f.pk for f in fields}
    with transaction.atomic():
        FieldSubscription.objects.filter(organisation=organisation).exclude(field_id__in=wanted).delete()
        existing = set(FieldSubscription.objects.filter(organisation=organisation).values_list("field_id", flat=True))
        FieldSubscription.objects.bulk_create(
            FieldSubscription(organisation=organisation, field_id=pk, created_by=actor) for pk in wanted - existing
        )
        audit.record(
            action="subscription.set",
            actor=actor,
            obj=organisation,
            organisation=organisation,
            after={"fields": sorted(wanted)},
        )
    return list(FieldSubscription.objects.filter(organisation=organisation).select_related("field"))


def challenge_reissue(*, challenge: Challenge, actor) -> Challenge:
    """A challenge that ended unawarded or cancelled comes back as a new draft linked to the old one."""
    if not actor.has_perm("challenges.create_challenge", challenge.issuer):
        raise PermissionDenied
    if challenge.status not in {Status.UNAWARDED, Status.CANCELLED}:
        raise DomainError(_("Only an unawarded or cancelled challenge can be re-issued."), code="not_reissuable")
    copied = {f.name: getattr(challenge, f.name) for f in Challenge._meta.concrete_fields if f.name in REISSUE_FIELDS}
    now = timezone.now()
    length = challenge.bidding_closes_at - challenge.bidding_opens_at
    copied.update(bidding_opens_at=now, bidding_closes_at=now + length, reissued_from=challenge)
    indicators = [{name: getattr(i, name) for name in INDICATOR_FIELDS} for i in challenge.indicators.all()]
    draft = challenge_create(
        actor=actor, issuer=challenge.issuer, data=copied, fields=challenge.fields.all(), indicators=indicators
    )
    audit.record(
        action="challenge.reissue",
        actor=actor,
        obj=draft,
        organisation=challenge.issuer,
        after={"from": str(challenge.pk)},
    )
    return draft


REISSUE_FIELDS = frozenset(DRAFT_FIELDS) - {"bidding_opens_at", "bidding_closes_at"}
