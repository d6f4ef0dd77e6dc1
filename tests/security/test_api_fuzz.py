"""Schemathesis against /api/schema/: every operation, fuzzed as each kind of caller.

Zero 5xx and zero responses that break the schema, for an anonymous caller and for a user of
each role holding real objects (so generated ids sometimes hit rows the caller may touch).
The number of examples per operation is bounded for CI (FUZZ_EXAMPLES, default 12).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import make_bid, make_challenge
from tests.reviews.conftest import make_expert

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
ROLES = ["anonymous", "applicant", "editor", "approver", "expert", "operator"]


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # schemathesis' lazy loader renames the node through a private attribute pytest 9 no longer sets.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def api_schema(db, role):
    # Like Django's test client: the test's transaction must survive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(agency, editor, approver, bidder_org, bidder, operator):
    """Objects each role owns, so fuzzed requests reach code past the permission checks."""
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    make_challenge(issuer=agency, editor=editor)
    make_bid(challenge=challenge, lead=bidder_org, actor=bidder)
    expert = make_expert(operator, name="Fuzz Expert")
    return {
        "applicant": bidder,
        "editor": editor,
        "approver": approver,
        "expert": expert.user,
        "operator": operator,
    }


def headers_for(role, world) -> dict:
    if role == "anonymous":
        return {}
    token, _created = Token.objects.get_or_create(user=world[role])
    return {"Authorization": f"Token {token.key}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_never_errors_or_breaks_its_schema(case, role, fuzz_world):
    # A schema cannot state business rules (a deadline before today, a bid on a closed challenge, a
    # wrong password): a schema-valid request may rightly get 400/409, so "valid data accepted" is off.
    case.call_and_validate(headers=headers_for(role, fuzz_world), excluded_checks=[positive_data_acceptance])
