import itertools

import factory
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from accounts.validators import check_character

_codes = itertools.count(1)


def credit_code() -> str:
    body = f"91330100MA{next(_codes):07d}"
    return body + check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    language = "en"
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password("correct-horse-battery")

    class Params:
        operator = factory.Trait(is_operator=True, is_staff=True)
        unverified = factory.Trait(email_verified_at=None)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.ENTERPRISE
    credit_code = factory.LazyFunction(credit_code)
    size = Organisation.Size.SMALL
    status = Organisation.Status.VERIFIED

    class Params:
        agency = factory.Trait(kind=Organisation.Kind.AGENCY, size=Organisation.Size.LARGE)
        pending = factory.Trait(status=Organisation.Status.PENDING)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.ADMIN


def member(organisation: Organisation, role: str, **user_fields) -> User:
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory(**user_fields)).user
