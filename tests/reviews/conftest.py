import pytest
from django.utils import timezone

from accounts.models import Membership
from challenges.models import Challenge
from challenges.services import close_due_bidding
from reviews.models import ExpertProfile, ReviewRound
from reviews.services import expert_save
from tests.factories import OrganisationFactory, UserFactory, make_bid, make_challenge, member, technical_field


def make_expert(operator, *, name="Expert", affiliation=None, fields=("integrated-circuits",), keywords=("碳化硅",), cap=8):
    user = UserFactory(full_name=name)
    return expert_save(
        actor=operator,
        user=user,
        data={"affiliation": affiliation, "keywords": list(keywords), "max_concurrent": cap},
        fields=[technical_field(code) for code in fields],
    )


@pytest.fixture
def experts(operator):
    """Eight experts from eight organisations, all in the challenge's field."""
    return [make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}")) for n in range(8)]


@pytest.fixture
def closed_challenge(agency, editor, approver, bidder_org, bidder, rival_org, rival):
    """A challenge with two submitted bids whose bidding has just closed."""
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    make_bid(challenge=challenge, lead=bidder_org, actor=bidder, submit=True)
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    challenge.refresh_from_db()
    return challenge


def expert_round_of(challenge) -> ReviewRound:
    return challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)


__all__ = ["ExpertProfile", "Membership", "make_expert", "member"]
