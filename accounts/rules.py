"""Who may do what to organisations and people. Pages, API and admin all ask here."""

import rules

from .models import Membership


def roles_by_org(user) -> dict[int, str]:
    """The user's role in each organisation, loaded once per user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_roles_by_org", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._roles_by_org = cached
    return cached


def forget_roles(user) -> None:
    user.__dict__.pop("_roles_by_org", None)


@rules.predicate
def is_operator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_operator)


@rules.predicate
def is_member(user, organisation) -> bool:
    return organisation is not None and organisation.pk in roles_by_org(user)


@rules.predicate
def is_manager(user, organisation) -> bool:
    return organisation is not None and roles_by_org(user).get(organisation.pk) in Membership.MANAGER_ROLES


rules.add_perm("accounts.verify_organisation", is_operator)
rules.add_perm("accounts.view_organisation", is_member | is_operator)
rules.add_perm("accounts.change_organisation", is_manager | is_operator)
rules.add_perm("accounts.invite_member", is_manager | is_operator)
rules.add_perm("accounts.resubmit_organisation", is_manager)
