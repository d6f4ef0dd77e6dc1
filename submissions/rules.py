"""Who may see and change a bid. A rival organisation may not even know it exists."""

import rules

from accounts.models import Membership
from accounts.rules import is_operator, roles_by_org
from challenges.models import Challenge


def _role_in(user, organisation_id) -> str | None:
    return roles_by_org(user).get(organisation_id)


@rules.predicate
def is_lead_member(user, bid) -> bool:
    return bid is not None and _role_in(user, bid.lead_id) in Membership.APPLICANT_ROLES


@rules.predicate
def is_lead_admin(user, bid) -> bool:
    return bid is not None and _role_in(user, bid.lead_id) == Membership.Role.ADMIN


@rules.predicate
def is_partner_member(user, bid) -> bool:
    from .selectors import partner_org_ids

    return bid is not None and bool(set(roles_by_org(user)) & partner_org_ids(bid))


@rules.predicate
def is_issuer_staff_after_close(user, bid) -> bool:
    """Agency staff see bids to their challenges only once bidding has closed, and never drafts."""
    if bid is None or bid.status not in bid.ACTIVE_STATES:
        return False
    challenge = bid.challenge
    closed = challenge.status not in {
        Challenge.Status.DRAFT,
        Challenge.Status.PENDING_APPROVAL,
        Challenge.Status.PUBLISHED,
    }
    return closed and _role_in(user, challenge.issuer_id) in Membership.AGENCY_ROLES


@rules.predicate
def is_partner_admin(user, partner) -> bool:
    return partner is not None and _role_in(user, partner.organisation_id) == Membership.Role.ADMIN


rules.add_perm("submissions.view_bid", is_lead_member | is_partner_member | is_issuer_staff_after_close | is_operator)
rules.add_perm("submissions.view_all_budget_lines", is_lead_member | is_issuer_staff_after_close | is_operator)
rules.add_perm("submissions.edit_bid", is_lead_member)
rules.add_perm("submissions.submit_bid", is_lead_member)
rules.add_perm("submissions.withdraw_bid", is_lead_admin)
rules.add_perm("submissions.invite_partner", is_lead_admin)
rules.add_perm("submissions.respond_partner", is_partner_admin)
