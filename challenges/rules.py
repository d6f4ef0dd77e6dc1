"""Who may see and do what with a challenge. Pages, API and admin all ask here."""

import rules

from accounts.models import Membership, Organisation
from accounts.rules import is_operator, roles_by_org


def _role_in_issuer(user, challenge) -> str | None:
    return roles_by_org(user).get(challenge.issuer_id) if challenge is not None else None


@rules.predicate
def is_issuer_staff(user, challenge) -> bool:
    return _role_in_issuer(user, challenge) in Membership.AGENCY_ROLES


@rules.predicate
def is_issuer_approver(user, challenge) -> bool:
    return _role_in_issuer(user, challenge) == Membership.Role.APPROVER


@rules.predicate
def submitted_it(user, challenge) -> bool:
    return challenge is not None and challenge.submitted_by_id == user.pk


@rules.predicate
def is_public(user, challenge) -> bool:
    return challenge is not None and challenge.is_public


@rules.predicate
def is_applicant(user) -> bool:
    """A member of a non-agency organisation: someone who may bid, ask and sign NDAs."""
    from .selectors import applicant_organisation_ids

    return bool(applicant_organisation_ids(user))


@rules.predicate
def signed_nda(user, challenge) -> bool:
    from .selectors import nda_signed_org_ids

    return challenge is not None and bool(set(roles_by_org(user)) & nda_signed_org_ids(challenge))


@rules.predicate
def is_agency_staff(user, organisation) -> bool:
    return (
        isinstance(organisation, Organisation)
        and organisation.is_agency
        and roles_by_org(user).get(organisation.pk) in Membership.AGENCY_ROLES
    )


rules.add_perm("challenges.create_challenge", is_agency_staff)
rules.add_perm("challenges.view_challenge", is_public | is_issuer_staff | is_operator)
rules.add_perm("challenges.view_confidential", is_issuer_staff | is_operator | signed_nda)
rules.add_perm("challenges.edit_challenge", is_issuer_staff)
rules.add_perm("challenges.submit_challenge", is_issuer_staff)
# The four-eyes rule: an approver never approves what they submitted themselves.
rules.add_perm("challenges.approve_challenge", is_issuer_approver & ~submitted_it)
rules.add_perm("challenges.return_challenge", is_issuer_approver & ~submitted_it)
rules.add_perm("challenges.cancel_challenge", is_issuer_approver | is_operator)
rules.add_perm("challenges.amend_challenge", is_issuer_staff)
rules.add_perm("challenges.answer_question", is_issuer_staff)
rules.add_perm("challenges.ask_question", is_public & is_applicant & ~is_issuer_staff)
rules.add_perm("challenges.sign_nda", is_public & is_applicant & ~is_issuer_staff)
rules.add_perm("challenges.view_questions_inbox", is_issuer_staff | is_operator)
