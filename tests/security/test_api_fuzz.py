"""Schemathesis against /api/schema/: every operation, fuzzed as each kind of caller.

Zero 5xx and zero responses that break the schema, for an anonymous caller and for a user of
each role holding real objects (so generated ids sometimes hit rows the caller may touch).

Two passes, bounded for CI:
- every role: FUZZ_EXAMPLES generated requests per operation (default 3), valid and invalid;
- FUZZ_COVERAGE_ROLES (default the operator, who reaches the most code): schemathesis' coverage
  phase too, its deterministic boundary and type-mutation cases, some fifty per operation.
  Set FUZZ_COVERAGE_ROLES=all for the full run.
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

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
ROLES = ["anonymous", "applicant", "editor", "approver", "expert", "operator"]
_coverage = os.environ.get("FUZZ_COVERAGE_ROLES", "operator")
COVERAGE_ROLES = ROLES if _coverage == "all" else [role for role in _coverage.split(",") if role in ROLES]
FUZZ_SETTINGS = {"max_examples": EXAMPLES, "deadline": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # schemathesis' lazy loader renames the node through a private attribute pytest 9 no longer sets.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def _requests_keep_the_test_transaction():
    # Like Django's test client: the test's transaction must survive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _load_schema():
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture(params=COVERAGE_ROLES)
def coverage_role(request):
    return request.param


@pytest.fixture
def api_schema(db, role, _requests_keep_the_test_transaction):
    return _load_schema()


@pytest.fixture
def coverage_schema(db, coverage_role, _requests_keep_the_test_transaction):
    return _load_schema()


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


def call_and_check(case, role, world):
    # A schema cannot state business rules (a deadline before today, a bid on a closed challenge, a
    # wrong password): a schema-valid request may rightly get 400/409, so "valid data accepted" is off.
    case.call_and_validate(headers=headers_for(role, world), excluded_checks=[positive_data_acceptance])


every_role = schemathesis.pytest.from_fixture("api_schema")
with_coverage = schemathesis.pytest.from_fixture("coverage_schema")


@every_role.parametrize()
@settings(phases=[Phase.generate], **FUZZ_SETTINGS)
def test_no_role_gets_a_server_error_or_a_broken_schema(case, role, fuzz_world):
    call_and_check(case, role, fuzz_world)


@with_coverage.parametrize()
@settings(phases=[Phase.explicit, Phase.generate], **FUZZ_SETTINGS)
def test_boundary_cases_get_no_server_error_or_broken_schema(case, coverage_role, fuzz_world):
    call_and_check(case, coverage_role, fuzz_world)
