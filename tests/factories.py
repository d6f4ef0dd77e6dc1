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


def technical_field(code: str = "integrated-circuits"):
    """A field of the taxonomy; recreated if a transactional test flushed the seeded rows."""
    from challenges.models import TechnicalField

    field, _created = TechnicalField.objects.get_or_create(
        code=code, defaults={"name_zh": code, "name_en": code.replace("-", " ").capitalize()}
    )
    return field


def challenge_data(**overrides) -> dict:
    """Valid field values for a new challenge (without issuer, fields and indicators)."""
    from datetime import timedelta
    from decimal import Decimal

    now = timezone.now()
    data = {
        "title": "High-purity silicon carbide substrates 高纯碳化硅衬底",
        "chokepoint": "Domestic substrates have too many micropipes for automotive power devices.",
        "summary": "Develop 8-inch SiC substrates with micropipe density below 0.1 per cm².",
        "confidential_details": "Line yields of the current supplier: 63%.",
        "nda_text": "The bidder keeps the confidential details secret for five years.",
        "government_funding": Decimal("20000000.00"),
        "cofunding_ratio": Decimal("1.00"),
        "bidding_opens_at": now - timedelta(days=1),
        "bidding_closes_at": now + timedelta(days=30),
    }
    data.update(overrides)
    return data


def indicator_data(**overrides) -> dict:
    from decimal import Decimal

    data = {
        "name": "Micropipe density",
        "unit": "/cm²",
        "comparison": "lte",
        "target_value": Decimal("0.1"),
        "measurement_method": "Third-party lab, 5 wafers",
        "domestic_level": Decimal("1.0"),
        "international_level": Decimal("0.2"),
    }
    data.update(overrides)
    return data


def make_challenge(*, issuer, editor, approver=None, status="draft", fields=None, indicators=None, **overrides):
    """A challenge built through the services, moved on to `status` the way users would."""
    from challenges import services

    challenge = services.challenge_create(
        actor=editor,
        issuer=issuer,
        data=challenge_data(**overrides),
        fields=fields or [technical_field()],
        indicators=indicators or [indicator_data()],
    )
    if status in {"pending_approval", "published", "bidding_closed", "cancelled"}:
        challenge = services.challenge_submit(challenge=challenge, actor=editor)
    if status in {"published", "bidding_closed"}:
        challenge = services.challenge_approve(challenge=challenge, actor=approver)
    if status == "bidding_closed":
        from challenges.models import Challenge

        Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
        services.close_due_bidding(timezone.now())
        challenge.refresh_from_db()
    if status == "cancelled":
        challenge = services.challenge_cancel(challenge=challenge, actor=approver, reason="Budget withdrawn")
    return challenge


def make_bid(*, challenge, lead, actor, complete=True, submit=False, title="Our approach to the challenge"):
    """A bid built through the services; `complete` fills every section so it is eligible."""
    from decimal import Decimal

    from submissions import services

    bid = services.bid_create(challenge=challenge, actor=actor, lead=lead, title=title)
    if complete:
        services.bid_update(
            bid=bid,
            actor=actor,
            data={
                "technical_approach": "Physical vapour transport growth with a new seed holder.",
                "team_description": "Twelve engineers, two professors.",
                "requested_funding": challenge.government_funding,
                "own_funding": (challenge.government_funding * challenge.cofunding_ratio).quantize(Decimal("0.01")),
            },
        )
        services.commitments_set(
            bid=bid,
            actor=actor,
            commitments=[
                {"indicator": i.pk, "value": i.target_value, "evidence": "Third-party test report"}
                for i in challenge.indicators.all()
            ],
        )
        services.team_set(bid=bid, actor=actor, people=[{"name": "Dr. Chen", "role": "Project leader", "is_leader": True}])
        services.budget_set(
            bid=bid,
            actor=actor,
            lines=[{"category": "equipment", "government_amount": Decimal("1000000"), "own_amount": Decimal("1000000")}],
        )
        services.milestones_set(
            bid=bid,
            actor=actor,
            milestones=[
                {"title": "Mid-term check", "due_month": 12, "tranche_percent": Decimal("60")},
                {"title": "Final acceptance", "due_month": 24, "tranche_percent": Decimal("40")},
            ],
        )
        services.pledge_sign(bid=bid, actor=actor)
    if submit:
        services.bid_submit(bid=bid, actor=actor)
    bid.refresh_from_db()
    return bid
