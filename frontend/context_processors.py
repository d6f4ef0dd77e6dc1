from accounts.rules import roles_by_org
from core.notifications import unread_count


def navigation(request) -> dict:
    """What the navigation bar needs: the user's roles and unread count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    roles = set(roles_by_org(user).values())
    if user.is_operator:
        roles.add("operator")
    if hasattr(user, "expert_profile"):
        roles.add("expert")
    return {"nav_roles": roles, "nav_unread": unread_count(user)}
