"""Taking command (挂帅): where public money moves. Every change locks its row, checks the actor
per object, writes an audit event and notifies after commit; sums are guarded under locks."""

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Organisation
from challenges.models import Challenge
from challenges.selectors import issuer_staff
from challenges.services import challenge_advance
from core import audit, files
from core.errors import DomainError, InvalidTransition
from core.notifications import notify
from reviews.models import ReviewItem, ReviewRound
from reviews.services.rounds import acceptance_round_open, revision_of
from submissions.models import Bid
from submissions.review_status import bid_advance

from .models import Award, Contract, Decision, Delivery, Disbursement, Evidence, Measurement, Milestone, Objection

ZERO = Decimal("0")
MAX_EVIDENCE = 5


def _members(org_id, roles=None):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(memberships__organisation_id=org_id, is_active=True)
    return users.filter(memberships__role__in=roles) if roles else users


# Decision and publicity ------------------------------------------------------------------------


def ranking_for(challenge: Challenge) -> list[ReviewItem]:
    """The ranking the decision follows: the defence's when one was held, else the expert review's."""
    completed = challenge.review_rounds.filter(status=ReviewRound.Status.COMPLETED)
    round = (
        completed.filter(kind=ReviewRound.Kind.DEFENCE).first() or completed.filter(kind=ReviewRound.Kind.EXPERT_REVIEW).first()
    )
    if round is None:
        return []
    return list(round.items.filter(check_status=ReviewItem.Check.PASSED, rank__isnull=False).order_by("rank"))


def decision_propose(*, challenge: Challenge, actor, bids: list[Bid], reason: str = "", now=None) -> Decision:
    """The approver proposes the winner(s) from the ranking and opens the publicity period.

    Picking out of ranking order needs a written reason. Two approvers at the same moment: the
    challenge row lock serialises them and the second finds the decision already made.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Challenge.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=challenge.pk)
        if not actor.has_perm("awards.decide", locked):
            raise PermissionDenied
        if locked.status != Challenge.Status.UNDER_REVIEW:
            raise InvalidTransition(obj=locked, action=gettext_lazy("propose an award for"))
        ranking = ranking_for(locked)
        if not ranking:
            raise DomainError(_("The expert review has not finished: there is no ranking yet."), code="no_ranking")
        by_bid = {revision_of(item).bid_id: item for item in ranking}
        chosen = [b for b in bids if b.pk in by_bid]
        if not chosen or len(chosen) != len(bids) or len({b.pk for b in bids}) != len(bids):
            raise ValidationError({"bids": _("Choose among the ranked bids, each once.")})
        if len(chosen) > locked.max_winners:
            raise ValidationError({"bids": _("This challenge has at most %(n)s winner(s).") % {"n": locked.max_winners}})
        revoked = [b for b in chosen if b.status == Bid.Status.REVOKED]
        if revoked:
            raise ValidationError({"bids": _("A bid whose award was revoked cannot be chosen again.")})
        eligible_order = [bid_id for bid_id in by_bid if Bid.objects.get(pk=bid_id).status != Bid.Status.REVOKED]
        follows_ranking = {b.pk for b in chosen} == set(eligible_order[: len(chosen)])
        if not follows_ranking and not reason:
            raise ValidationError({"reason": _("You depart from the ranking: give the written reason.")})
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    challenge=locked,
                    round=ranking[0].round,
                    decided_by=actor,
                    departure_reason=reason,
                    publicity_ends_at=now + timedelta(days=locked.publicity_days),
                )
        except IntegrityError:
            raise DomainError(_("A decision on this challenge already stands."), code="decided") from None
        awards = [
            Award.objects.create(
                decision=decision,
                challenge=locked,
                bid=bid,
                winner_id=bid.lead_id,
                amount=bid.requested_funding,
                rank=by_bid[bid.pk].rank,
            )
            for bid in chosen
        ]
        for bid in chosen:
            bid_advance(bid=bid, name="propose", actor=actor)
        challenge_advance(challenge=locked, name="propose_award", actor=actor)
        audit.record(
            action="decision.propose",
            actor=actor,
            obj=decision,
            organisation=locked.issuer,
            after={
                "awards": [{"bid": str(a.bid_id), "amount": a.amount, "rank": a.rank} for a in awards],
                "follows_ranking": follows_ranking,
                "departure_reason": reason,
            },
        )
        _announce_decision(decision, awards)
    return decision


def _announce_decision(decision: Decision, awards: list[Award]) -> None:
    challenge = decision.challenge
    bidders = Bid.objects.filter(challenge=challenge).exclude(status__in=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])
    org_ids = set(bidders.values_list("lead_id", flat=True))
    notify(
        recipients=[u for org in org_ids for u in _members(org)],
        verb="decision.proposed",
        key=f"decision.proposed:{decision.pk}",
        title=gettext_lazy("Proposed award for “%(title)s” is in publicity"),
        body=gettext_lazy("Winners: %(winners)s. Objections may be filed until %(until)s."),
        context={
            "title": challenge.title,
            "winners": ", ".join(a.winner.name for a in awards),
            "until": timezone.localtime(decision.publicity_ends_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    from accounts.selectors import operators

    if decision.departure_reason:
        notify(
            recipients=operators(),
            verb="decision.departure",
            key=f"decision.departure:{decision.pk}",
            title=gettext_lazy("Award departs from the ranking: %(title)s"),
            body=gettext_lazy("Reason given: %(reason)s"),
            context={"title": challenge.title, "reason": decision.departure_reason},
        )


def objection_file(
    *,
    award: Award,
    actor,
    real_name: str,
    contact: str,
    grounds: str,
    organisation: Organisation | None = None,
    now=None,
    evidence: list | None = None,
) -> Objection:
    """Anyone logged in may object during publicity, under a real name; anonymous ones are refused.
    `evidence`: uploaded files, each checked by its content and stored with the objection."""
    now = now or timezone.now()
    errors = {}
    evidence = list(evidence or [])
    if len(evidence) > MAX_EVIDENCE:
        errors["files"] = [_("Attach at most %(count)d files.") % {"count": MAX_EVIDENCE}]
    else:
        checked = []
        for upload in evidence:
            try:
                checked.append((upload, files.check_upload(upload)))
            except ValidationError as exc:
                errors.setdefault("files", []).extend(exc.messages)
    if not (real_name or "").strip():
        errors["real_name"] = [_("Objections must carry a real name; anonymous objections are not accepted.")]
    if not (grounds or "").strip():
        errors["grounds"] = [_("State the grounds of the objection.")]
    if not (contact or "").strip():
        errors["contact"] = [_("Give a way to contact you.")]
    if errors:
        raise ValidationError(errors)
    if not actor.has_perm("awards.object"):
        raise PermissionDenied
    if organisation is not None and roles_by(actor).get(organisation.pk) is None:
        raise PermissionDenied
    with transaction.atomic():
        locked = Award.objects.select_for_update(of=("self",)).select_related("decision", "challenge").get(pk=award.pk)
        if locked.status != Award.Status.PROPOSED or locked.decision.status != Decision.Status.IN_PUBLICITY:
            raise DomainError(_("Objections are accepted only during the publicity period."), code="not_in_publicity")
        if now >= locked.decision.publicity_ends_at:
            raise DomainError(_("The publicity period has ended."), code="publicity_over")
        objection = Objection.objects.create(
            award=locked,
            filed_by=actor,
            organisation=organisation,
            real_name=real_name.strip(),
            contact=contact.strip(),
            grounds=grounds.strip(),
        )
        for upload, meta in checked:
            Evidence.objects.create(
                objection=objection, file=upload, name=meta.name, content_type=meta.content_type, size=meta.size
            )
        # The objector's identity goes to the audit trail and to operators only.
        audit.record(action="objection.file", actor=actor, obj=objection, organisation=organisation)
        from accounts.selectors import operators

        notify(
            recipients=operators(),
            verb="objection.filed",
            key=f"objection.filed:{objection.pk}",
            title=gettext_lazy("Objection to the award of %(title)s"),
            body="%(grounds)s",
            context={"title": locked.challenge.title, "grounds": objection.grounds[:500]},
        )
    return objection


def roles_by(user) -> dict:
    from accounts.rules import roles_by_org

    return roles_by_org(user)


def objection_resolve(*, objection: Objection, actor, uphold: bool, reason: str) -> Objection:
    """The operator dismisses or upholds. Upholding revokes that winner and reopens the decision."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the resolution.")})
    if not actor.has_perm("awards.resolve_objection"):
        raise PermissionDenied
    with transaction.atomic():
        locked = Objection.objects.select_for_update().select_related("award__decision", "award__challenge").get(pk=objection.pk)
        if locked.status != Objection.Status.FILED:
            raise DomainError(_("This objection is already resolved."), code="resolved")
        locked.status = Objection.Status.UPHELD if uphold else Objection.Status.DISMISSED
        locked.resolution, locked.resolved_by, locked.resolved_at = reason, actor, timezone.now()
        locked.save()
        audit.record(action=f"objection.{locked.status}", actor=actor, obj=locked, after={"reason": reason})
        if uphold:
            _reopen(locked.award.decision, revoked=locked.award, actor=actor)
        notify(
            recipients=[locked.filed_by],
            verb="objection.resolved",
            key=f"objection.resolved:{locked.pk}",
            title=gettext_lazy("Your objection was %(result)s"),
            body=gettext_lazy("Reason: %(reason)s"),
            context={"result": locked.get_status_display().lower(), "reason": reason},
        )
    return locked


def _reopen(decision: Decision, *, revoked: Award, actor) -> None:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision.status = Decision.Status.REOPENED
    decision.save(update_fields=["status"])
    for award in decision.awards.select_for_update().filter(status=Award.Status.PROPOSED):
        award.status = Award.Status.REVOKED
        award.save(update_fields=["status"])
        bid_advance(bid=award.bid, name="revoke" if award.pk == revoked.pk else "reopen", actor=actor)
    challenge_advance(challenge=decision.challenge, name="reopen_decision", actor=actor)
    audit.record(action="decision.reopen", actor=actor, obj=decision, after={"revoked": str(revoked.pk)})
    notify(
        recipients=issuer_staff(decision.challenge),
        verb="decision.reopened",
        key=f"decision.reopened:{decision.pk}",
        title=gettext_lazy("An objection was upheld: decide again on %(title)s"),
        body=gettext_lazy("The award to %(winner)s is revoked."),
        context={"title": decision.challenge.title, "winner": revoked.winner.name},
    )


def finalise_due_publicity(now) -> int:
    """Publicity over with no open or upheld objection: the award is final. Idempotent."""
    due = Decision.objects.filter(status=Decision.Status.IN_PUBLICITY, publicity_ends_at__lte=now)
    done = 0
    for decision in list(due[:100]):
        with transaction.atomic():
            locked = Decision.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=decision.pk)
            if locked.status != Decision.Status.IN_PUBLICITY:
                continue
            if Objection.objects.filter(award__decision=locked, status=Objection.Status.FILED).exists():
                continue  # waits for the operator to resolve every objection
            locked.status, locked.finalised_at = Decision.Status.FINAL, now
            locked.save(update_fields=["status", "finalised_at"])
            awards = list(locked.awards.select_related("bid", "winner").filter(status=Award.Status.PROPOSED))
            for award in awards:
                award.status = Award.Status.FINAL
                award.save(update_fields=["status"])
                bid_advance(bid=award.bid, name="win")
                contract_create(award=award)
            challenge_advance(challenge=locked.challenge, name="finalise_award")
            audit.record(action="decision.finalise", obj=locked, after={"awards": [str(a.pk) for a in awards]})
            _announce_final(locked, awards)
            done += 1
    return done


def _announce_final(decision: Decision, awards: list[Award]) -> None:
    challenge = decision.challenge
    winners = {a.winner_id for a in awards}
    others = (
        Bid.objects.filter(challenge=challenge)
        .exclude(lead_id__in=winners)
        .exclude(status__in=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])
    )
    notify(
        recipients=list(issuer_staff(challenge)) + [u for org in winners for u in _members(org)],
        verb="award.final",
        key=f"award.final:{decision.pk}",
        title=gettext_lazy("The award for “%(title)s” is final"),
        body=gettext_lazy("The publicity period ended without an upheld objection. The task contract can now be prepared."),
        context={"title": challenge.title},
    )
    notify(
        recipients=[u for org in set(others.values_list("lead_id", flat=True)) for u in _members(org)],
        verb="award.feedback",
        key=f"award.feedback:{decision.pk}",
        title=gettext_lazy("Result for “%(title)s”: your review feedback"),
        body=gettext_lazy("Your bid was not selected. The reviewers' anonymised comments are on your bid's page."),
        context={"title": challenge.title},
    )


# The task contract -----------------------------------------------------------------------------


def contract_create(*, award: Award) -> Contract:
    """From the winning bid's milestone plan: tranche percentages become amounts that add up exactly."""
    contract, created = Contract.objects.get_or_create(award=award, defaults={"amount": award.amount})
    if not created:
        return contract
    plan = list(award.bid.milestones.order_by("position"))
    start = timezone.localdate()
    amounts = [(award.amount * p.tranche_percent / 100).quantize(Decimal("0.01")) for p in plan]
    if amounts:
        amounts[-1] += award.amount - sum(amounts)  # rounding lands on the last tranche
    Milestone.objects.bulk_create(
        Milestone(
            contract=contract,
            position=n,
            title=p.title,
            deliverables=p.deliverables,
            due_date=start + relativedelta(months=p.due_month),
            tranche_amount=amount,
        )
        for n, (p, amount) in enumerate(zip(plan, amounts, strict=True))
    )
    Contract.objects.filter(pk=contract.pk).update(tranches_total=sum(amounts, ZERO))
    audit.record(action="contract.create", obj=contract, after={"amount": award.amount, "tranches": amounts})
    return contract


DUE_DATE_HORIZON = timedelta(days=365 * 20)
MAX_KEPT = 20  # a decision names at most 20 bids, so no down-select keeps more


def contract_update(
    *, contract: Contract, actor, milestones: list[dict], first_tranche_on_signing: bool | None = None
) -> Contract:
    """The agency adjusts the plan before signing. Tranches must add up exactly to the award."""
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("award__challenge").get(pk=contract.pk)
        if not actor.has_perm("awards.edit_contract", locked.award):
            raise PermissionDenied
        if locked.status != Contract.Status.DRAFT or locked.agency_signed_at or locked.winner_signed_at:
            raise DomainError(_("A contract that anyone has signed cannot change."), code="signed")
        rows = [Milestone(contract=locked, position=n, **m) for n, m in enumerate(milestones)]
        errors = []
        today = timezone.localdate()
        for n, row in enumerate(rows, start=1):
            try:
                row.full_clean(exclude=["contract", "acceptance_round"])
            except ValidationError as exc:
                errors += [f"{n}. {f}: {m}" for f, ms in exc.message_dict.items() for m in ms]
            if isinstance(row.due_date, date) and not today <= row.due_date <= today + DUE_DATE_HORIZON:
                errors.append(f"{n}. due_date: " + _("A due date lies between today and twenty years from now."))
            if isinstance(row.keep_best, int) and row.keep_best > MAX_KEPT:
                errors.append(f"{n}. keep_best: " + _("At most %(n)s teams can be kept.") % {"n": MAX_KEPT})
        total = sum((r.tranche_amount for r in rows if r.tranche_amount is not None), ZERO)
        if not errors and total != locked.amount:
            errors.append(
                _("Tranches add up to %(total)s but the award is %(amount)s.")
                % {"total": f"{total:,.2f}", "amount": f"{locked.amount:,.2f}"}
            )
        if errors:
            raise ValidationError({"milestones": errors})
        locked.milestones.all().delete()
        Milestone.objects.bulk_create(rows)
        locked.tranches_total, locked.version = total, locked.version + 1
        if first_tranche_on_signing is not None:
            locked.first_tranche_on_signing = first_tranche_on_signing
        locked.save()
        audit.record(
            action="contract.update",
            actor=actor,
            obj=locked,
            after={"version": locked.version, "tranches": [r.tranche_amount for r in rows]},
        )
    return locked


def contract_sign(*, contract: Contract, actor, version: int) -> Contract:
    """Each side signs the version it read; when both have, the first tranche may fall due."""
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("award__challenge", "award__winner")
            .get(pk=contract.pk)
        )
        award = locked.award
        if locked.status != Contract.Status.DRAFT:
            raise DomainError(_("This contract is already signed."), code="signed")
        if version != locked.version:
            raise DomainError(
                _("The contract changed since you read it: read version %(v)s and sign again.") % {"v": locked.version},
                code="stale_version",
            )
        now = timezone.now()
        if actor.has_perm("awards.sign_for_agency", award) and locked.agency_signed_at is None:
            locked.agency_signed_by, locked.agency_signed_at, locked.agency_signed_version = actor, now, version
            side = "agency"
        elif actor.has_perm("awards.sign_for_winner", award) and locked.winner_signed_at is None:
            locked.winner_signed_by, locked.winner_signed_at, locked.winner_signed_version = actor, now, version
            side = "winner"
        else:
            raise PermissionDenied
        both = locked.agency_signed_at and locked.winner_signed_at
        if both:
            locked.status = Contract.Status.SIGNED
        locked.save()
        audit.record(action=f"contract.sign_{side}", actor=actor, obj=locked, after={"version": version})
        if both:
            award.status = Award.Status.IN_PROGRESS
            award.save(update_fields=["status"])
            if award.challenge.status == Challenge.Status.AWARDED:
                challenge_advance(challenge=award.challenge, name="start_execution")
            first = locked.milestones.order_by("position").first()
            if locked.first_tranche_on_signing and first is not None:
                first.status, first.outcome_reason = Milestone.Status.PASSED, _("Due on signing")
                first.save(update_fields=["status", "outcome_reason"])
                _disbursement_create(first)
    return locked


# Milestones, acceptance, extension ----------------------------------------------------------------


def delivery_submit(*, milestone: Milestone, actor, report: str, measurements: dict[int, Decimal]) -> Delivery:
    """The winner hands in deliverables and measured indicator values for acceptance."""
    if not (report or "").strip():
        raise ValidationError({"report": _("Describe what is delivered.")})
    with transaction.atomic():
        locked = (
            Milestone.objects.select_for_update(of=("self",)).select_related("contract__award__challenge").get(pk=milestone.pk)
        )
        award = locked.contract.award
        if not actor.has_perm("awards.deliver", award):
            raise PermissionDenied
        if (
            locked.status not in {Milestone.Status.PLANNED, Milestone.Status.RECTIFYING}
            or locked.contract.status != Contract.Status.SIGNED
        ):
            raise InvalidTransition(obj=locked, action=gettext_lazy("deliver"))
        indicators = {i.pk for i in award.challenge.indicators.all()}
        unknown = set(measurements) - indicators
        if unknown:
            raise ValidationError({"measurements": _("Not indicators of this challenge: %(ids)s") % {"ids": sorted(unknown)}})
        number = locked.deliveries.count() + 1
        delivery = Delivery.objects.create(milestone=locked, number=number, report=report.strip(), submitted_by=actor)
        Measurement.objects.bulk_create(Measurement(delivery=delivery, indicator_id=i, value=v) for i, v in measurements.items())
        locked.status = Milestone.Status.UNDER_ACCEPTANCE
        # Acceptance runs on the review engine: conflicts excluded, a rubric, a deadline.
        locked.acceptance_round = acceptance_round_open(
            challenge=award.challenge,
            subject=delivery,
            name=_("Acceptance: %(milestone)s") % {"milestone": locked.title},
            experts=settings.ACCEPTANCE_EXPERTS,
            days=settings.ACCEPTANCE_DAYS,
        )
        locked.save(update_fields=["status", "acceptance_round"])
        audit.record(
            action="milestone.deliver",
            actor=actor,
            obj=locked,
            after={"delivery": number, "measurements": measurements},
        )
        notify(
            recipients=issuer_staff(award.challenge),
            verb="milestone.delivered",
            key=f"milestone.delivered:{locked.pk}:{number}",
            title=gettext_lazy("Deliverables in for acceptance: %(milestone)s"),
            body=gettext_lazy("%(winner)s submitted the deliverables of “%(milestone)s”."),
            context={"milestone": locked.title, "winner": award.winner.name},
        )
    return delivery


def acceptance_decide(*, milestone: Milestone, actor, outcome: str, reason: str) -> Milestone:
    """pass, rectify (once, within a set time) or fail, with a reason. Passing releases the tranche."""
    reason = (reason or "").strip()
    if outcome not in {"pass", "rectify", "fail"}:
        raise ValidationError({"outcome": _("Choose pass, rectify or fail.")})
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the acceptance decision.")})
    with transaction.atomic():
        locked = (
            Milestone.objects.select_for_update(of=("self",))
            .select_related("contract__award", "acceptance_round")
            .get(pk=milestone.pk)
        )
        if not actor.has_perm("awards.decide_acceptance", locked.contract.award):
            raise PermissionDenied
        if locked.status != Milestone.Status.UNDER_ACCEPTANCE:
            raise InvalidTransition(obj=locked, action=gettext_lazy("decide the acceptance of"))
        if locked.acceptance_round_id and locked.acceptance_round.status != ReviewRound.Status.COMPLETED:
            raise DomainError(_("Wait for the acceptance review to finish."), code="review_pending")
        if outcome == "rectify" and locked.rectified:
            raise DomainError(_("Rectification is allowed once; pass or fail this time."), code="rectified_once")
        before = locked.status
        if outcome == "pass":
            locked.status = Milestone.Status.PASSED
        elif outcome == "rectify":
            locked.status, locked.rectified = Milestone.Status.RECTIFYING, True
            locked.rectification_due = timezone.localdate() + timedelta(days=settings.RECTIFICATION_DAYS)
        else:
            locked.status = Milestone.Status.FAILED
        locked.outcome_reason = reason
        locked.save()
        audit.record(
            action=f"milestone.{outcome}",
            actor=actor,
            obj=locked,
            before={"status": before},
            after={"status": locked.status, "reason": reason},
        )
        if outcome == "pass":
            _disbursement_create(locked)
            _complete_if_done(locked.contract)
        notify(
            recipients=_members(locked.contract.award.winner_id),
            verb=f"milestone.{outcome}",
            key=f"milestone.{outcome}:{locked.pk}:{timezone.now():%Y%m%d%H%M%S}",
            title=gettext_lazy("Acceptance of “%(milestone)s”: %(result)s"),
            body=gettext_lazy("Reason: %(reason)s"),
            context={"milestone": locked.title, "result": locked.get_status_display(), "reason": reason},
        )
    return locked


def _complete_if_done(contract: Contract) -> None:
    statuses = set(contract.milestones.values_list("status", flat=True))
    if statuses <= {Milestone.Status.PASSED, Milestone.Status.CANCELLED}:
        award = Award.objects.select_for_update().get(pk=contract.award_id)
        award.status = Award.Status.COMPLETED
        award.save(update_fields=["status"])
        audit.record(action="award.complete", obj=award)
        challenge = award.challenge
        if (
            challenge.status == Challenge.Status.IN_EXECUTION
            and not challenge.awards.filter(status__in=Award.LIVE_STATES).exists()
        ):
            challenge_advance(challenge=challenge, name="complete")


def extension_grant(*, contract: Contract, actor, months: int, reason: str) -> Contract:
    """One extension (延期) per contract, up to the configured limit; due dates move with it."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if not 1 <= months <= settings.EXTENSION_MAX_MONTHS:
        raise ValidationError({"months": _("An extension is 1 to %(max)s months.") % {"max": settings.EXTENSION_MAX_MONTHS}})
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("award").get(pk=contract.pk)
        if not actor.has_perm("awards.grant_extension", locked.award):
            raise PermissionDenied
        if locked.status != Contract.Status.SIGNED:  # a draft is edited instead; a closed one is over
            raise InvalidTransition(obj=locked, action=gettext_lazy("extend"))
        if locked.extension_months:
            raise DomainError(_("This contract was already extended once."), code="extended_once")
        open_ = locked.milestones.exclude(
            status__in=[Milestone.Status.PASSED, Milestone.Status.FAILED, Milestone.Status.CANCELLED]
        )
        for m in open_:
            m.due_date = m.due_date + relativedelta(months=months)
            m.overdue_flagged_at = None
            m.save(update_fields=["due_date", "overdue_flagged_at"])
        locked.extension_months, locked.extension_reason = months, reason.strip()
        locked.save(update_fields=["extension_months", "extension_reason"])
        audit.record(action="contract.extend", actor=actor, obj=locked, after={"months": months, "reason": reason})
    return locked


def flag_overdue_milestones(now) -> int:
    """Past its due date and not delivered: remind the winner and alert the agency, once."""
    today = timezone.localtime(now).date()
    due = Milestone.objects.filter(
        status__in=[Milestone.Status.PLANNED, Milestone.Status.RECTIFYING],
        overdue_flagged_at__isnull=True,
        contract__status=Contract.Status.SIGNED,
        due_date__lt=today,
    )
    flagged = 0
    for pk in list(due.values_list("pk", flat=True)[:500]):
        if not Milestone.objects.filter(pk=pk, overdue_flagged_at__isnull=True).update(overdue_flagged_at=now):
            continue
        m = Milestone.objects.select_related("contract__award__challenge", "contract__award__winner").get(pk=pk)
        award = m.contract.award
        audit.record(action="milestone.overdue", obj=m)
        notify(
            recipients=list(_members(award.winner_id)) + list(issuer_staff(award.challenge)),
            verb="milestone.overdue",
            key=f"milestone.overdue:{m.pk}:{m.due_date}",
            title=gettext_lazy("Milestone overdue: %(milestone)s"),
            body=gettext_lazy("“%(milestone)s” of %(winner)s was due on %(due)s."),
            context={"milestone": m.title, "winner": award.winner.name, "due": m.due_date.isoformat()},
        )
        flagged += 1
    return flagged


# Money -------------------------------------------------------------------------------------------


def _disbursement_create(milestone: Milestone) -> Disbursement | None:
    """Create the milestone's disbursement under the award's lock; the sum never exceeds the award."""
    award = Award.objects.select_for_update().get(pk=milestone.contract.award_id)
    if Disbursement.objects.filter(milestone=milestone).exists():
        return None
    committed = award.disbursements.exclude(status=Disbursement.Status.CANCELLED).aggregate(s=Sum("amount"))["s"] or ZERO
    if committed + milestone.tranche_amount > award.amount:
        raise DomainError(_("This tranche would take the payments past the award."), code="over_award")
    if milestone.tranche_amount <= 0:
        return None
    row = Disbursement.objects.create(milestone=milestone, award=award, amount=milestone.tranche_amount)
    audit.record(action="disbursement.create", obj=row, after={"amount": row.amount, "milestone": milestone.pk})
    return row


def disbursement_approve(*, disbursement: Disbursement, actor) -> Disbursement:
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=disbursement.award_id)
        row = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
        if not actor.has_perm("awards.approve_disbursement", award):
            raise PermissionDenied
        if row.status != Disbursement.Status.PENDING:
            raise InvalidTransition(obj=row, action=gettext_lazy("approve"))
        approved = (
            award.disbursements.filter(status__in=[Disbursement.Status.APPROVED, Disbursement.Status.PAID]).aggregate(
                s=Sum("amount")
            )["s"]
            or ZERO
        )
        if approved + row.amount > award.amount:
            raise DomainError(_("Approving this would take the payments past the award."), code="over_award")
        row.status, row.approved_by, row.approved_at = Disbursement.Status.APPROVED, actor, timezone.now()
        row.save()
        audit.record(action="disbursement.approve", actor=actor, obj=row, after={"amount": row.amount})
    return row


def disbursement_mark_paid(*, disbursement: Disbursement, actor, reference: str) -> Disbursement:
    """The operator records the payment with its bank reference. The platform keeps the ledger only."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Enter the payment reference.")})
    with transaction.atomic():
        row = Disbursement.objects.select_for_update(of=("self",)).select_related("award__winner").get(pk=disbursement.pk)
        if not actor.has_perm("awards.record_payment"):
            raise PermissionDenied
        if row.status != Disbursement.Status.APPROVED:
            raise InvalidTransition(obj=row, action=gettext_lazy("record the payment of"))
        row.status, row.paid_by, row.paid_at, row.reference = (
            Disbursement.Status.PAID,
            actor,
            timezone.now(),
            reference[:100],
        )
        row.save()
        audit.record(action="disbursement.paid", actor=actor, obj=row, after={"amount": row.amount, "reference": row.reference})
        notify(
            recipients=_members(row.award.winner_id, Membership.APPLICANT_ROLES),
            verb="disbursement.paid",
            key=f"disbursement.paid:{row.pk}",
            title=gettext_lazy("Payment recorded: %(amount)s yuan"),
            body=gettext_lazy("Reference: %(reference)s"),
            context={"amount": f"{row.amount:,.2f}", "reference": row.reference},
        )
    return row


# Failure (容错) ------------------------------------------------------------------------------------


def contract_terminate(
    *, award: Award, actor, at_fault: bool, reason: str, recover_amount: Decimal = ZERO, ban_years: int = 0
) -> Award:
    """End a contract: excused (no penalty, unpaid tranches cancelled) or at fault (recovery, and for
    fraud a ban from bidding for some years, which the bid eligibility check enforces)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for terminating.")})
    if recover_amount < 0 or ban_years < 0 or (not at_fault and (recover_amount or ban_years)):
        raise ValidationError(
            {"recover_amount": _("Recovery and bans apply only to a termination at fault, and are not negative.")}
        )
    with transaction.atomic():
        locked = Award.objects.select_for_update(of=("self",)).select_related("challenge", "winner").get(pk=award.pk)
        if not actor.has_perm("awards.terminate", locked):
            raise PermissionDenied
        if locked.status not in {Award.Status.SIGNED, Award.Status.IN_PROGRESS, Award.Status.FINAL}:
            raise InvalidTransition(obj=locked, action=gettext_lazy("terminate"))
        paid = locked.disbursements.filter(status=Disbursement.Status.PAID).aggregate(s=Sum("amount"))["s"] or ZERO
        if recover_amount > paid:
            raise ValidationError(
                {"recover_amount": _("At most the %(paid)s yuan paid can be recovered.") % {"paid": f"{paid:,.2f}"}}
            )
        locked.status = Award.Status.TERMINATED_AT_FAULT if at_fault else Award.Status.TERMINATED_EXCUSED
        locked.termination_reason, locked.recover_amount = reason, recover_amount
        locked.save()
        locked.disbursements.filter(status__in=[Disbursement.Status.PENDING, Disbursement.Status.APPROVED]).update(
            status=Disbursement.Status.CANCELLED
        )
        Milestone.objects.filter(contract__award=locked).exclude(
            status__in=[Milestone.Status.PASSED, Milestone.Status.FAILED]
        ).update(status=Milestone.Status.CANCELLED)
        Contract.objects.filter(award=locked).update(status=Contract.Status.CLOSED)
        challenge = locked.challenge
        if (
            challenge.status == Challenge.Status.IN_EXECUTION
            and not challenge.awards.filter(status__in=Award.LIVE_STATES).exists()
        ):
            challenge_advance(challenge=challenge, name="unaward", actor=actor)  # may be re-issued
        if ban_years:
            until = timezone.localdate() + relativedelta(years=ban_years)
            Organisation.objects.filter(pk=locked.winner_id).update(banned_until=until)
        audit.record(
            action="award.terminate",
            actor=actor,
            obj=locked,
            organisation=locked.winner,
            after={"at_fault": at_fault, "reason": reason, "recover": recover_amount, "ban_years": ban_years},
        )
    return locked


# Horse race (赛马制) and no award (流榜) -----------------------------------------------------------


def down_select(*, challenge: Challenge, actor, position: int) -> list[Award]:
    """At the designated milestone the acceptance scores rank the parallel teams; the agency keeps
    the best `keep_best` and the others end as completed-eliminated, keeping what they earned."""
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not actor.has_perm("awards.decide", locked):
            raise PermissionDenied
        awards = list(
            Award.objects.select_for_update(of=("self",))
            .filter(challenge=locked, status=Award.Status.IN_PROGRESS)
            .select_related("winner")
        )
        gates = {
            m.contract.award_id: m
            for m in Milestone.objects.filter(contract__award__in=awards, position=position).select_related(
                "contract", "acceptance_round"
            )
        }
        if len(awards) < 2 or len(gates) != len(awards) or not all(m.is_down_select for m in gates.values()):
            raise DomainError(
                _("A down-select needs at least two teams, each with this designated milestone."), code="no_down_select"
            )
        if any(m.status not in {Milestone.Status.PASSED, Milestone.Status.FAILED} for m in gates.values()):
            raise DomainError(_("Every team's down-select milestone must be decided first."), code="not_decided")
        keep = gates[awards[0].pk].keep_best

        def score(award):
            gate = gates[award.pk]
            item = gate.acceptance_round.items.first() if gate.acceptance_round_id else None
            passed = gate.status == Milestone.Status.PASSED
            return (passed, item.score if item and item.score is not None else Decimal("-1"))

        ranked = sorted(awards, key=score, reverse=True)
        kept, eliminated = ranked[:keep], ranked[keep:]
        for award in eliminated:
            award.status = Award.Status.ELIMINATED
            award.save(update_fields=["status"])
            Milestone.objects.filter(contract__award=award).exclude(
                status__in=[Milestone.Status.PASSED, Milestone.Status.FAILED]
            ).update(status=Milestone.Status.CANCELLED)
            Contract.objects.filter(award=award).update(status=Contract.Status.CLOSED)
        audit.record(
            action="award.down_select",
            actor=actor,
            obj=locked,
            after={"kept": [str(a.pk) for a in kept], "eliminated": [str(a.pk) for a in eliminated]},
        )
        for award in eliminated:
            notify(
                recipients=_members(award.winner_id),
                verb="award.eliminated",
                key=f"award.eliminated:{award.pk}",
                title=gettext_lazy("Down-select on “%(title)s”: your team was not kept"),
                body=gettext_lazy("Your contract ends as completed; tranches earned so far are paid."),
                context={"title": locked.title},
            )
    return kept


def decision_none(*, challenge: Challenge, actor, reason: str) -> Challenge:
    """No acceptable bid (流榜): the challenge closes unawarded and may be re-issued."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why no bid is acceptable.")})
    if not actor.has_perm("awards.decide", challenge):
        raise PermissionDenied
    with transaction.atomic():
        challenge = challenge_advance(challenge=challenge, name="unaward", actor=actor)
        audit.record(action="decision.none", actor=actor, obj=challenge, after={"reason": reason})
    return challenge
