"""Every change to a bid. Each one locks the bid, checks the deadline to the second and the
actor's permission, writes, audits and notifies. After the deadline nothing changes."""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Organisation
from accounts.rules import roles_by_org
from challenges.models import Challenge
from core import audit, files
from core.errors import DomainError, InvalidTransition
from core.notifications import notify

from . import eligibility
from .models import Bid, BidAttachment, BidRevision, BudgetLine, Commitment, KeyPerson, Partner, PlannedMilestone

Status = Bid.Status
EDITABLE_FIELDS = (
    "title",
    "technical_approach",
    "team_description",
    "prior_achievements",
    "requested_funding",
    "own_funding",
)


def _url(bid: Bid) -> str:
    return reverse("frontend:bid_detail", args=[bid.pk])


def _lead_members(bid: Bid):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__organisation_id=bid.lead_id, is_active=True)


def _ensure_open(challenge: Challenge, now: datetime) -> None:
    if now >= challenge.bidding_closes_at:
        raise DomainError(_("The bidding deadline has passed; the bid can no longer change."), code="deadline_passed")
    if challenge.status != Challenge.Status.PUBLISHED:
        raise DomainError(_("The challenge is not open for bids."), code="not_open")


def _locked(bid: Bid, actor, permission: str, now: datetime) -> Bid:
    """Lock the bid for a change by `actor`: permission, state and deadline, in that order."""
    locked = Bid.objects.select_for_update().select_related("challenge", "challenge__issuer", "lead").get(pk=bid.pk)
    if not actor.has_perm(permission, locked):
        raise PermissionDenied
    if locked.status not in Bid.OPEN_STATES:
        raise DomainError(_("This bid can no longer be changed."), code="bid_closed")
    _ensure_open(locked.challenge, now)
    return locked


def _change(bid: Bid, actor, action: str, apply: Callable[[Bid], dict | None], now=None, permission="submissions.edit_bid"):
    """Run one edit of the working copy under the lock, and audit it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(bid, actor, permission, now)
        after = apply(locked)
        locked.save(update_fields=["updated_at"])
        audit.record(action=f"bid.{action}", actor=actor, obj=locked, organisation=locked.lead, after=after)
    return locked


# Drafting ---------------------------------------------------------------------------------


def bid_create(*, challenge: Challenge, actor, lead: Organisation, title: str, now=None) -> Bid:
    """Start a draft. Drafts may be prepared by unverified organisations; submitting may not."""
    now = now or timezone.now()
    if roles_by_org(actor).get(lead.pk) not in Membership.APPLICANT_ROLES or lead.is_agency:
        raise PermissionDenied
    _ensure_open(challenge, now)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the bid a title.")})
    with transaction.atomic():
        bid = Bid.objects.create(challenge=challenge, lead=lead, title=title[:200], created_by=actor)
        audit.record(action="bid.create", actor=actor, obj=bid, organisation=lead, after={"challenge": str(challenge.pk)})
    return bid


def bid_update(*, bid: Bid, actor, data: dict, now=None) -> Bid:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"non_field_errors": _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}})

    def apply(locked):
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["challenge", "lead", "created_by", "current_revision", "integrity_pledged_by"])
        locked.save()
        return audit.snapshot(locked, list(data))

    return _change(bid, actor, "update", apply, now)


def commitments_set(*, bid: Bid, actor, commitments: list[dict], now=None) -> Bid:
    """Replace the commitments: [{"indicator": id, "value": Decimal, "evidence": str}]."""

    def apply(locked):
        indicators = {i.pk: i for i in locked.challenge.indicators.all()}
        rows, errors = [], []
        for n, item in enumerate(commitments, start=1):
            if item.get("indicator") not in indicators:
                errors.append(_("Row %(n)s: not an indicator of this challenge.") % {"n": n})
                continue
            rows.append(
                Commitment(bid=locked, indicator_id=item["indicator"], value=item["value"], evidence=item.get("evidence", ""))
            )
        if len({r.indicator_id for r in rows}) != len(rows):
            errors.append(_("Each indicator can be committed once."))
        if errors:
            raise ValidationError({"commitments": errors})
        locked.commitments.all().delete()
        Commitment.objects.bulk_create(rows)
        return {"commitments": [{"indicator": r.indicator_id, "value": r.value} for r in rows]}

    return _change(bid, actor, "commitments", apply, now)


def _replace_rows(locked: Bid, model, related: str, rows: list[dict], fields: tuple[str, ...]) -> list:
    objects, errors = [], []
    for position, item in enumerate(rows):
        obj = model(bid=locked, position=position, **{k: v for k, v in item.items() if k in fields})
        try:
            obj.full_clean(exclude=["bid"])
        except ValidationError as exc:
            errors.extend(f"{position + 1}. {field}: {m}" for field, messages in exc.message_dict.items() for m in messages)
        objects.append(obj)
    if errors:
        raise ValidationError({related: errors})
    getattr(locked, related).all().delete()
    model.objects.bulk_create(objects)
    return objects


def team_set(*, bid: Bid, actor, people: list[dict], now=None) -> Bid:
    fields = ("name", "role", "title", "organisation_id", "expertise", "is_leader")

    def apply(locked):
        allowed = {locked.lead_id} | set(locked.partners.values_list("organisation_id", flat=True))
        if any(p.get("organisation_id") not in (None, *allowed) for p in people):
            raise ValidationError({"team": _("Key people must belong to the lead or a partner.")})
        rows = _replace_rows(locked, KeyPerson, "team", people, fields)
        return {"team": [r.name for r in rows]}

    return _change(bid, actor, "team", apply, now)


def budget_set(*, bid: Bid, actor, lines: list[dict], now=None) -> Bid:
    """Replace the budget lines; each belongs to the lead or a partner organisation."""
    fields = ("organisation_id", "category", "description", "government_amount", "own_amount")

    def apply(locked):
        allowed = {locked.lead_id} | set(locked.partners.values_list("organisation_id", flat=True))
        for line in lines:
            line.setdefault("organisation_id", locked.lead_id)
        if any(line["organisation_id"] not in allowed for line in lines):
            raise ValidationError({"budget_lines": _("Budget lines must belong to the lead or a partner.")})
        rows = _replace_rows(locked, BudgetLine, "budget_lines", lines, fields)
        return {
            "lines": len(rows),
            "government": sum(r.government_amount for r in rows),
            "own": sum(r.own_amount for r in rows),
        }

    return _change(bid, actor, "budget", apply, now)


LONGEST_EXECUTION = 120  # months: the most Challenge.execution_months allows


def milestones_set(*, bid: Bid, actor, milestones: list[dict], now=None) -> Bid:
    fields = ("title", "deliverables", "due_month", "tranche_percent")

    def apply(locked):
        # Past the challenge's own period the checklist reports it; past the longest period any
        # challenge may have, the number is nonsense (and overflows PostgreSQL's smallint).
        absurd = [
            f"{n}. due_month: " + _("No execution period is longer than %(months)s months.") % {"months": LONGEST_EXECUTION}
            for n, row in enumerate(milestones, start=1)
            if isinstance(row.get("due_month"), int) and row["due_month"] > LONGEST_EXECUTION
        ]
        if absurd:
            raise ValidationError({"milestones": absurd})
        rows = _replace_rows(locked, PlannedMilestone, "milestones", milestones, fields)
        return {"milestones": [(r.title, r.due_month, r.tranche_percent) for r in rows]}

    return _change(bid, actor, "milestones", apply, now)


def pledge_sign(*, bid: Bid, actor, now=None) -> Bid:
    """The integrity pledge (科研诚信承诺): true information, no lobbying of experts or officials."""
    now = now or timezone.now()

    def apply(locked):
        locked.integrity_pledged_at, locked.integrity_pledged_by = now, actor
        locked.save(update_fields=["integrity_pledged_at", "integrity_pledged_by"])
        return {"pledged_by": actor.pk}

    return _change(bid, actor, "pledge", apply, now)


def attachment_add(*, bid: Bid, actor, upload, description: str = "", now=None) -> BidAttachment:
    checked = files.check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    created = []

    def apply(locked):
        attachment = BidAttachment(
            bid=locked,
            name=checked.name,
            description=description[:200],
            content_type=checked.content_type,
            size=checked.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(checked.name, upload, save=False)
        attachment.save()
        created.append(attachment)
        return {"attachment": attachment.pk, "name": checked.name, "sha256": attachment.sha256}

    _change(bid, actor, "attachment_add", apply, now)
    return created[0]


def attachment_remove(*, attachment: BidAttachment, actor, now=None) -> None:
    """Take a file out of the working copy; the file stays if a submitted revision cites it."""

    def apply(locked):
        BidAttachment.objects.filter(pk=attachment.pk, bid=locked).update(removed_at=timezone.now())
        return {"attachment": attachment.pk}

    _change(attachment.bid, actor, "attachment_remove", apply, now)


# Consortium ---------------------------------------------------------------------------------


def partner_invite(*, bid: Bid, actor, organisation: Organisation, work_split: str = "", budget_share=0, now=None) -> Partner:
    invited = []

    def apply(locked):
        if organisation.pk == locked.lead_id or organisation.is_agency:
            raise ValidationError({"organisation": _("Invite another applicant organisation.")})
        if not locked.challenge.consortium_allowed:
            raise DomainError(_("This challenge does not accept consortia."), code="consortium_not_allowed")
        if Partner.objects.filter(bid=locked, organisation=organisation).exists():
            raise DomainError(_("This organisation is already invited."), code="duplicate")
        partner = Partner(
            bid=locked, organisation=organisation, work_split=work_split, budget_share=budget_share, invited_by=actor
        )
        partner.full_clean(exclude=["bid"])
        partner.save()
        invited.append(partner)
        return {"partner": organisation.pk}

    _change(bid, actor, "partner_invite", apply, now, permission="submissions.invite_partner")
    partner = invited[0]
    from django.contrib.auth import get_user_model

    admins = get_user_model().objects.filter(
        memberships__organisation=organisation, memberships__role=Membership.Role.ADMIN, is_active=True
    )
    notify(
        recipients=admins,
        verb="partner.invited",
        key=f"partner.invited:{partner.pk}",
        title=gettext_lazy("Consortium invitation from %(lead)s"),
        body=gettext_lazy("%(lead)s invites %(org)s to join its bid “%(bid)s”. Confirm or decline."),
        context={"lead": bid.lead.name, "org": organisation.name, "bid": bid.title},
        url=_url(bid),
    )
    return partner


def partner_respond(*, partner: Partner, actor, accept: bool, now=None) -> Partner:
    """The partner's own admin confirms or declines; the lead cannot do it for them."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Partner.objects.select_for_update().select_related("bid", "bid__challenge", "organisation").get(pk=partner.pk)
        if not actor.has_perm("submissions.respond_partner", locked):
            raise PermissionDenied
        bid = Bid.objects.select_for_update().get(pk=locked.bid_id)
        if bid.status not in Bid.OPEN_STATES:
            raise DomainError(_("This bid can no longer be changed."), code="bid_closed")
        _ensure_open(locked.bid.challenge, now)
        if locked.status != Partner.Status.INVITED:
            raise DomainError(_("This invitation was already answered."), code="answered")
        locked.status = Partner.Status.CONFIRMED if accept else Partner.Status.DECLINED
        locked.responded_by, locked.responded_at = actor, now
        locked.save()
        audit.record(
            action="partner.confirm" if accept else "partner.decline",
            actor=actor,
            obj=locked,
            organisation=locked.organisation,
            after={"status": locked.status},
        )
        notify(
            recipients=_lead_members(locked.bid),
            verb=f"partner.{locked.status}",
            key=f"partner.responded:{locked.pk}",
            title=gettext_lazy("%(org)s answered your consortium invitation: %(answer)s"),
            context={"org": locked.organisation.name, "answer": locked.get_status_display()},
            url=_url(locked.bid),
        )
    return locked


def partner_remove(*, partner: Partner, actor, now=None) -> None:
    def apply(locked):
        Partner.objects.filter(pk=partner.pk, bid=locked).delete()
        BudgetLine.objects.filter(bid=locked, organisation_id=partner.organisation_id).delete()
        return {"removed": partner.organisation_id}

    _change(partner.bid, actor, "partner_remove", apply, now, permission="submissions.invite_partner")


# Submission ---------------------------------------------------------------------------------


def bid_snapshot(bid: Bid) -> dict:
    """Everything a reviewer will read, as plain JSON."""
    return audit.plain(
        {
            "title": bid.title,
            "lead": {"id": bid.lead_id, "name": bid.lead.name},
            "technical_approach": bid.technical_approach,
            "team_description": bid.team_description,
            "prior_achievements": bid.prior_achievements,
            "requested_funding": bid.requested_funding,
            "own_funding": bid.own_funding,
            "integrity_pledged_at": bid.integrity_pledged_at,
            "partners": [
                {
                    "organisation": p.organisation_id,
                    "name": p.organisation.name,
                    "status": p.status,
                    "work_split": p.work_split,
                    "budget_share": p.budget_share,
                }
                for p in bid.partners.select_related("organisation")
            ],
            "commitments": [
                {"indicator": c.indicator_id, "name": c.indicator.name, "value": c.value, "evidence": c.evidence}
                for c in bid.commitments.select_related("indicator").order_by("indicator__position")
            ],
            "team": list(bid.team.values("name", "role", "title", "organisation_id", "expertise", "is_leader")),
            "budget_lines": list(
                bid.budget_lines.values("organisation_id", "category", "description", "government_amount", "own_amount")
            ),
            "milestones": list(bid.milestones.values("title", "deliverables", "due_month", "tranche_percent")),
            "attachments": list(
                bid.attachments.filter(removed_at__isnull=True).values("id", "name", "content_type", "size", "sha256")
            ),
        }
    )


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def bid_submit(*, bid: Bid, actor, now: datetime | None = None) -> BidRevision:
    """Submit (or resubmit) the working copy as a new immutable revision.

    Every failing eligibility rule is reported at once. Submitting unchanged content again,
    or twice at the same moment, yields the same single revision.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the lead organisation first: it serialises this organisation's submissions,
        # so two bids cannot both slip under the bids-per-organisation limit.
        Organisation.objects.select_for_update().filter(pk=bid.lead_id).first()
        locked = Bid.objects.select_for_update().select_related("challenge", "challenge__issuer", "lead").get(pk=bid.pk)
        if not actor.has_perm("submissions.submit_bid", locked):
            raise PermissionDenied
        if locked.status not in Bid.OPEN_STATES:
            raise InvalidTransition(obj=locked, action=gettext_lazy("submit"))
        problems = eligibility.check(locked, now)
        if problems:
            raise ValidationError({p.code: [p.message] for p in problems})
        content = bid_snapshot(locked)
        digest = content_hash(content)
        current = locked.current_revision
        if locked.status == Status.SUBMITTED and current is not None and current.sha256 == digest:
            return current
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = BidRevision.objects.create(
            bid=locked, number=number, submitted_at=now, submitted_by=actor, content=content, sha256=digest
        )
        before = locked.status
        locked.current_revision, locked.status, locked.submitted_at, locked.withdrawn_at = (
            revision,
            Status.SUBMITTED,
            now,
            None,
        )
        locked.save()
        audit.record(
            action="bid.submit",
            actor=actor,
            obj=locked,
            organisation=locked.lead,
            before={"status": before},
            after={"status": locked.status, "revision": number, "sha256": digest},
        )
        notify(
            recipients=_lead_members(locked),
            verb="bid.submitted",
            key=f"bid.submitted:{locked.pk}:{number}",
            title=gettext_lazy("Bid submitted: %(title)s (revision %(n)s)"),
            body=gettext_lazy("Your bid to “%(challenge)s” was received at %(time)s. You may revise it until %(deadline)s."),
            context={
                "title": locked.title,
                "n": number,
                "challenge": locked.challenge.title,
                "time": timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"),
                "deadline": timezone.localtime(locked.challenge.bidding_closes_at).strftime("%Y-%m-%d %H:%M:%S"),
            },
            url=_url(locked),
        )
    return revision


def bid_withdraw(*, bid: Bid, actor, now: datetime | None = None) -> Bid:
    now = now or timezone.now()
    with transaction.atomic():
        locked = Bid.objects.select_for_update().select_related("challenge", "lead").get(pk=bid.pk)
        if not actor.has_perm("submissions.withdraw_bid", locked):
            raise PermissionDenied
        if locked.status != Status.SUBMITTED:
            raise InvalidTransition(obj=locked, action=gettext_lazy("withdraw"))
        _ensure_open(locked.challenge, now)
        locked.status, locked.withdrawn_at = Status.WITHDRAWN, now
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
        audit.record(
            action="bid.withdraw",
            actor=actor,
            obj=locked,
            organisation=locked.lead,
            before={"status": Status.SUBMITTED},
            after={"status": Status.WITHDRAWN},
        )
        notify(
            recipients=_lead_members(locked),
            verb="bid.withdrawn",
            key=f"bid.withdrawn:{locked.pk}:{now:%Y%m%d%H%M%S}",
            title=gettext_lazy("Bid withdrawn: %(title)s"),
            body=gettext_lazy("The bid will not be reviewed unless you submit it again before %(deadline)s."),
            context={
                "title": locked.title,
                "deadline": timezone.localtime(locked.challenge.bidding_closes_at).strftime("%Y-%m-%d %H:%M:%S"),
            },
            url=_url(locked),
        )
    return locked


def bid_checklist(bid: Bid, now=None) -> list[eligibility.Problem]:
    """What still blocks submission, for the form's checklist."""
    return eligibility.check(bid, now)
