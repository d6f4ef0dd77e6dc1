"""Who may decide, object, sign and pay. Pages, API and admin all ask here."""

import rules

from accounts.models import Membership
from accounts.rules import is_operator, roles_by_org
from challenges.rules import is_issuer_approver, is_issuer_staff


@rules.predicate
def is_award_agency_approver(user, award) -> bool:
    return award is not None and is_issuer_approver(user, award.challenge)


@rules.predicate
def is_award_agency_staff(user, award) -> bool:
    return award is not None and is_issuer_staff(user, award.challenge)


@rules.predicate
def is_winner_member(user, award) -> bool:
    return award is not None and roles_by_org(user).get(award.winner_id) in Membership.APPLICANT_ROLES


@rules.predicate
def is_winner_admin(user, award) -> bool:
    return award is not None and roles_by_org(user).get(award.winner_id) == Membership.Role.ADMIN


@rules.predicate
def is_logged_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


rules.add_perm("awards.decide", is_issuer_approver)
rules.add_perm("awards.object", is_logged_in)
rules.add_perm("awards.resolve_objection", is_operator)
rules.add_perm("awards.edit_contract", is_award_agency_staff)
rules.add_perm("awards.sign_for_agency", is_award_agency_approver)
rules.add_perm("awards.sign_for_winner", is_winner_admin)
rules.add_perm("awards.deliver", is_winner_member)
rules.add_perm("awards.decide_acceptance", is_award_agency_approver)
rules.add_perm("awards.grant_extension", is_award_agency_approver)
rules.add_perm("awards.terminate", is_award_agency_approver)
rules.add_perm("awards.approve_disbursement", is_award_agency_approver)
rules.add_perm("awards.record_payment", is_operator)
rules.add_perm("awards.view_award", is_award_agency_staff | is_winner_member | is_operator)
# The payment ledger is for the paying side: the issuing agency's staff and operators.
rules.add_perm("awards.view_ledger", is_award_agency_staff | is_operator)
