import pytest

from accounts.models import Membership
from tests.factories import make_challenge, member


@pytest.fixture
def other_agency_editor(other_agency):
    return member(other_agency, Membership.Role.EDITOR, full_name="Other Agency Editor")


@pytest.fixture
def draft(agency, editor):
    return make_challenge(issuer=agency, editor=editor)


@pytest.fixture
def pending(agency, editor):
    return make_challenge(issuer=agency, editor=editor, status="pending_approval")


@pytest.fixture
def published(agency, editor, approver):
    return make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
