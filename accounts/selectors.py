from django.db.models import QuerySet

from .models import Membership, Organisation, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def organisations_to_verify() -> QuerySet[Organisation]:
    return Organisation.objects.filter(status=Organisation.Status.PENDING).order_by("created_at")


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__full_name")


def operators() -> QuerySet[User]:
    return User.objects.filter(is_operator=True, is_active=True)


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """Operators see every organisation; anyone else only their own."""
    if user.is_authenticated and user.is_operator:
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user) if user.is_authenticated else Organisation.objects.none()


def organisation_for(user: User, pk) -> Organisation:
    """The one access helper for an organisation: 404 for anyone who may not know of it."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visible_organisations(user), pk=pk)
