"""The eligibility rules a bid must pass to be submitted, each failing one named on its own.

The same rules run again as the automatic formal check when bidding closes.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation

from .models import Bid, Partner


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def _is_issuer_or_subsidiary(organisation: Organisation, issuer: Organisation) -> bool:
    return issuer in organisation.lineage()


def check(bid: Bid, now: datetime | None = None) -> list[Problem]:
    """Every rule the bid breaks right now; an empty list means it may be submitted."""
    now = now or timezone.now()
    challenge, lead = bid.challenge, bid.lead
    partners = list(bid.partners.select_related("organisation", "organisation__parent"))
    problems: list[Problem] = []

    def fail(code: str, message: str) -> None:
        problems.append(Problem(code, message))

    if now >= challenge.bidding_closes_at:
        fail("deadline", _("The bidding deadline has passed."))
    elif now < challenge.bidding_opens_at or challenge.status != challenge.Status.PUBLISHED:
        fail("not_open", _("The challenge is not open for bids."))
    if not lead.is_verified:
        fail("lead_unverified", _("Your organisation has not been verified by an operator yet."))
    if lead.banned_until and lead.banned_until >= now.date():
        fail(
            "lead_banned",
            _("Your organisation is barred from bidding until %(date)s.") % {"date": lead.banned_until.isoformat()},
        )
    allowed_kinds = set(challenge.allowed_kinds or []) or set(Organisation.Kind.values) - {Organisation.Kind.AGENCY}
    if lead.kind not in allowed_kinds or lead.is_agency:
        fail("kind_not_allowed", _("Organisations of kind “%(kind)s” may not bid.") % {"kind": lead.get_kind_display()})
    if challenge.allowed_sizes and lead.size not in challenge.allowed_sizes:
        fail("size_not_allowed", _("Organisations of size “%(size)s” may not bid.") % {"size": lead.get_size_display()})
    if challenge.smes_only and not lead.is_sme:
        fail("not_sme", _("Only small and medium-sized enterprises may bid."))
    conflicted = [o.name for o in [lead, *[p.organisation for p in partners]] if _is_issuer_or_subsidiary(o, challenge.issuer)]
    if conflicted:
        fail(
            "issuer_conflict",
            _("The issuer and its subsidiaries may not bid: %(names)s.") % {"names": ", ".join(conflicted)},
        )
    _check_consortium(challenge, partners, fail)
    _check_commitments(bid, fail)
    _check_money(bid, challenge, fail)
    _check_milestones(bid, fail)
    if bid.integrity_pledged_at is None:
        fail("no_pledge", _("Sign the integrity pledge."))
    _check_limit(bid, challenge, fail)
    return problems


def _check_consortium(challenge, partners: list[Partner], fail) -> None:
    active = [p for p in partners if p.status != Partner.Status.DECLINED]
    if active and not challenge.consortium_allowed:
        fail("consortium_not_allowed", _("This challenge does not accept consortia."))
    elif len(active) > challenge.max_partners:
        fail(
            "too_many_partners",
            _("At most %(max)s partners are allowed; the bid has %(n)s.") % {"max": challenge.max_partners, "n": len(active)},
        )
    unconfirmed = [p.organisation.name for p in active if p.status != Partner.Status.CONFIRMED]
    if unconfirmed:
        fail("partner_unconfirmed", _("Partners have not confirmed yet: %(names)s.") % {"names": ", ".join(unconfirmed)})
    unverified = [p.organisation.name for p in active if not p.organisation.is_verified]
    if unverified:
        fail("partner_unverified", _("Partners are not verified: %(names)s.") % {"names": ", ".join(unverified)})


def _check_commitments(bid: Bid, fail) -> None:
    committed = set(bid.commitments.values_list("indicator_id", flat=True))
    missing = [i.name for i in bid.challenge.indicators.all() if i.pk not in committed]
    if missing:
        fail("indicators_missing", _("Commit to every indicator; missing: %(names)s.") % {"names": ", ".join(missing)})


def _check_money(bid: Bid, challenge, fail) -> None:
    if bid.requested_funding <= 0:
        fail("no_funding_requested", _("State the government funding you request."))
    elif bid.requested_funding > challenge.government_funding:
        fail(
            "funding_too_high",
            _("The requested funding exceeds the challenge's %(max)s yuan.") % {"max": f"{challenge.government_funding:,.2f}"},
        )
    required = (bid.requested_funding * challenge.cofunding_ratio).quantize(Decimal("0.01"))
    if bid.own_funding < required:
        fail(
            "cofunding_short",
            _("Own funding must be at least %(required)s yuan (co-funding ratio %(ratio)s:1).")
            % {"required": f"{required:,.2f}", "ratio": f"{challenge.cofunding_ratio:g}"},
        )


def _check_milestones(bid: Bid, fail) -> None:
    milestones = list(bid.milestones.all())
    if not milestones:
        fail("no_milestones", _("Plan at least one milestone."))
        return
    total = sum((m.tranche_percent for m in milestones), Decimal("0"))
    if total != Decimal("100"):
        fail(
            "tranches_not_100",
            _("Tranches must add up to 100%%; they add up to %(total)s%%.") % {"total": f"{total:g}"},
        )
    late = [m.title for m in milestones if m.due_month > bid.challenge.execution_months]
    if late:
        fail(
            "milestone_too_late",
            _("Milestones fall after the %(months)s-month execution period: %(names)s.")
            % {"months": bid.challenge.execution_months, "names": ", ".join(late)},
        )


def _check_limit(bid: Bid, challenge, fail) -> None:
    others = Bid.objects.filter(challenge=challenge, lead=bid.lead, status__in=Bid.ACTIVE_STATES).exclude(pk=bid.pk).count()
    if others >= challenge.bids_per_organisation:
        fail(
            "bid_limit",
            _("Your organisation may submit at most %(n)s bid(s) to this challenge.") % {"n": challenge.bids_per_organisation},
        )
