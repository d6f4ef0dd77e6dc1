import pytest

from tests.factories import make_bid, make_challenge


@pytest.fixture
def challenge(agency, editor, approver):
    """A published challenge open for bids (closes in 30 days)."""
    return make_challenge(issuer=agency, editor=editor, approver=approver, status="published")


@pytest.fixture
def bid(challenge, bidder_org, bidder):
    """A complete, eligible draft of the bidder's organisation."""
    return make_bid(challenge=challenge, lead=bidder_org, actor=bidder)


@pytest.fixture
def submitted_bid(challenge, bidder_org, bidder):
    return make_bid(challenge=challenge, lead=bidder_org, actor=bidder, submit=True)
