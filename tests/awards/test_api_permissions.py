"""Who may call which awards endpoint: every endpoint × the cast, with a valid request each time.

401 for the anonymous where a login is needed; 404 for what the caller may not know of (a rival's
contract, milestone or money; an objection that is not theirs); 403 for what they know of but may
not do; 2xx for those entitled."""

from dataclasses import dataclass

import pytest
from django.db import models

from accounts.models import Membership
from awards import services
from awards.models import Award, Disbursement, Objection
from core.opaque import encode
from reviews.models import ReviewRound
from tests.factories import member

from .conftest import bids_in_rank_order
from .test_api import OBJECTION, V1, orm_award

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "bidder_member", "rival", "reviewer", "other_agency_staff", "editor", "approver", "operator"]


@pytest.fixture
def other_agency_staff(other_agency):
    return member(other_agency, Membership.Role.APPROVER, full_name="Other Approver")


class World:
    """The state one endpoint needs, built straight to the stage it acts on."""

    def __init__(self, request):
        self.request = request
        self.approver = request.getfixturevalue("approver")
        self.bidder = request.getfixturevalue("bidder")

    def award(self, status=Award.Status.FINAL) -> Award:
        get = self.request.getfixturevalue
        return orm_award(issuer=get("agency"), creator=self.approver, winner=get("bidder_org"), status=status)

    def proposed(self) -> Award:
        return self.award(Award.Status.PROPOSED)

    def signed(self) -> Award:
        award = self.award()
        contract = award.contract
        services.contract_sign(contract=contract, actor=self.approver, version=contract.version)
        services.contract_sign(contract=contract, actor=self.bidder, version=contract.version)
        return Award.objects.get(pk=award.pk)

    def open_milestone(self):
        return self.signed().contract.milestones.order_by("position").last()

    def delivered(self):
        """The last milestone delivered and its acceptance review finished."""
        award = self.signed()
        last = award.contract.milestones.order_by("position").last()
        indicator = award.challenge.indicators.get()
        services.delivery_submit(milestone=last, actor=self.bidder, report="Done", measurements={indicator.pk: 1})
        last.refresh_from_db()
        # The experts' part of acceptance runs in test_api and test_services; here only who may decide.
        ReviewRound.objects.filter(pk=last.acceptance_round_id).update(status=ReviewRound.Status.COMPLETED)
        return last

    def pending(self) -> Disbursement:
        return Disbursement.objects.get(award=self.signed())

    def approved(self) -> Disbursement:
        row = self.pending()
        return services.disbursement_approve(disbursement=row, actor=self.approver)

    def objection(self) -> Objection:
        award = self.proposed()
        rival = self.request.getfixturevalue("rival")
        return services.objection_file(award=award, actor=rival, real_name="Liu", contact="138", grounds="Copied")

    def ranked(self):
        return self.request.getfixturevalue("ranked")


@dataclass(frozen=True)
class Case:
    method: str
    url: str  # formatted with the object `make` returns
    make: str  # the World method that builds the state
    expected: tuple  # status per role, in the order of ROLES
    body: dict | None = None


def _contract_plan(award: Award) -> dict:
    rows = award.contract.milestones.order_by("position")
    return {
        "milestones": [{"title": m.title, "due_date": str(m.due_date), "tranche_amount": str(m.tranche_amount)} for m in rows]
    }


ALL_OK = (200,) * 8
#             anon member rival review other editor approver operator
INSIDERS = (401, 200, 404, 404, 404, 200, 200, 200)
APPROVER = (401, 403, 404, 404, 404, 403, 200, 403)

CASES = {
    "award-list": Case("get", "awards/", "award", ALL_OK),
    "award-detail": Case("get", "awards/{o.pk}/", "award", ALL_OK),
    "decision-detail": Case("get", "decisions/{o.decision_id}/", "award", ALL_OK),
    "objections-list": Case("get", "awards/{o.award_id}/objections/", "objection", ALL_OK),
    "objection-file": Case("post", "awards/{o.pk}/objections/", "proposed", (401, 201, 201, 201, 201, 201, 201, 201), OBJECTION),
    "objection-resolve": Case(
        "post",
        "objections/{o.pk}/resolve",
        "objection",
        (401, 404, 403, 404, 404, 404, 404, 200),  # the rival filed it: known, not theirs to resolve
        {"uphold": False, "reason": "Data checked"},
    ),
    "decision-create": Case("post", "decisions/", "ranked", (401, 403, 403, 403, 403, 403, 201, 403)),
    "contract-detail": Case("get", "contracts/{o.contract.pk}/", "award", INSIDERS),
    "contract-update": Case("put", "contracts/{o.contract.pk}/", "award", (401, 403, 404, 404, 404, 200, 200, 403)),
    "contract-sign": Case("post", "contracts/{o.contract.pk}/sign", "award", APPROVER, {"version": 1}),
    "contract-extension": Case(
        "post", "contracts/{o.contract.pk}/extension", "signed", APPROVER, {"months": 6, "reason": "Late tools"}
    ),
    "contract-terminate": Case(
        "post", "contracts/{o.contract.pk}/terminate", "signed", APPROVER, {"at_fault": False, "reason": "Tolerated"}
    ),
    "contract-ledger": Case("get", "contracts/{o.contract.pk}/ledger.csv", "signed", (401, 403, 404, 404, 404) + (200,) * 3),
    "milestone-deliverables": Case(
        "post",
        "milestones/{o.pk}/deliverables/",
        "open_milestone",
        (401, 201, 404, 404, 404, 403, 403, 403),
        {"report": "Wafers", "measurements": []},
    ),
    "milestone-acceptance": Case(
        "post", "milestones/{o.pk}/acceptance", "delivered", APPROVER, {"outcome": "pass", "reason": "Met"}
    ),
    "disbursement-approve": Case("post", "disbursements/{o.pk}/approve", "pending", APPROVER),
    "disbursement-mark-paid": Case(
        "post",
        "disbursements/{o.pk}/mark-paid",
        "approved",
        (401, 403, 404, 404, 404, 403, 403, 200),
        {"reference": "B1"},
    ),
    "transparency": Case("get", "transparency/", "award", ALL_OK),
}


def _build(world: World, make: str):
    return getattr(world, make)()


class Opaque:
    """An object whose integer ids format as the URLs write them (opaque ids); UUIDs stay as they are."""

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name):
        value = getattr(self._obj, name)
        if isinstance(value, models.Model):
            return Opaque(value)
        return encode(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _call(api, case: Case, obj, role: str, request):
    body = case.body
    if case.make == "ranked":
        body = {"challenge": str(obj.pk), "bids": [str(bids_in_rank_order(obj)[0].pk)]}
    if case.method == "put":
        body = _contract_plan(obj)
    user = None if role == "anonymous" else request.getfixturevalue(role)
    url = f"{V1}/{case.url.format(o=Opaque(obj))}"
    return getattr(api.as_user(user), case.method)(url, body, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(CASES))
def test_endpoint_permissions(name, role, api, request, other_agency_staff):
    case = CASES[name]
    obj = _build(World(request), case.make)
    response = _call(api, case, obj, role, request)
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, (name, role, response.content[:300])
    if expected >= 400:
        assert set(response.json()) == {"code", "detail", "fields"}


@pytest.mark.parametrize(
    ("role", "sees_contract"), list(zip(ROLES, (False, True, False, False, False, True, True, True), strict=True))
)
def test_the_award_notice_shows_the_contract_to_insiders_only(role, sees_contract, api, request, other_agency_staff):
    award = World(request).award()
    user = None if role == "anonymous" else request.getfixturevalue(role)
    notice = api.as_user(user).get(f"{V1}/awards/{award.pk}/").json()
    assert (notice["contract"] is not None) == sees_contract
    assert notice["amount"] == f"{award.amount:.2f}" and notice["winner"]["name"] == "Bidder Ltd"


@pytest.mark.parametrize(
    ("role", "details"), list(zip(ROLES, (0, 0, 1, 0, 0, 0, 0, 1), strict=True))
)  # the rival filed the objection
def test_objections_show_identity_to_operators_and_the_objector_only(role, details, api, request, other_agency_staff):
    objection = World(request).objection()
    user = None if role == "anonymous" else request.getfixturevalue(role)
    listed = api.as_user(user).get(f"{V1}/awards/{objection.award_id}/objections/").json()
    assert listed["count"] == 1 and [s["status"] for s in listed["statuses"]] == ["filed"]
    assert len(listed["details"]) == details
    assert ("Liu" in str(listed)) == bool(details)


def test_a_revoked_award_is_unknown_to_the_public_and_rivals(api, request, rival, bidder_member, operator):
    award = World(request).award()
    Award.objects.filter(pk=award.pk).update(status=Award.Status.REVOKED)
    for user in (None, rival):
        assert api.as_user(user).get(f"{V1}/awards/{award.pk}/").status_code == 404
        assert api.as_user(user).get(f"{V1}/awards/").json()["count"] == 0
    for user in (bidder_member, operator):
        assert api.as_user(user).get(f"{V1}/awards/{award.pk}/").status_code == 200


def test_delivering_for_another_organisations_milestone_is_404_even_with_values(api, request, rival):
    award = World(request).signed()
    last = award.contract.milestones.order_by("position").last()
    body = {"report": "Ours", "measurements": [{"indicator": award.challenge.indicators.get().pk, "value": "1"}]}
    response = api.as_user(rival).post(f"{V1}/milestones/{encode(last.pk)}/deliverables/", body, format="json")
    assert response.status_code == 404
    assert not last.deliveries.exists()


# Garbage in: a 4xx, never a 500 ------------------------------------------------------------------------

GARBAGE = [
    None,
    [1, 2],
    "text",
    {"bids": [1], "challenge": 10**40, "reason": ["x"]},
    {"real_name": "a", "contact": "b", "grounds": "c", "organisation": 10**40},
    {"uphold": "perhaps", "reason": 3},
    {"milestones": [{"title": None, "due_date": "31/12", "tranche_amount": "1e13", "keep_best": 10**12}]},
    {"milestones": [{"title": "t", "due_date": "2030-01-01", "tranche_amount": "-1", "keep_best": -1}]},
    {"version": "1e99"},
    {"months": 10**40, "reason": "r"},
    {"at_fault": True, "reason": "r", "recover_amount": "NaN", "ban_years": -1},
    {"at_fault": True, "reason": "r", "recover_amount": "-1e30"},
    {"report": 5, "measurements": [{"indicator": "x", "value": "1e25"}]},
    {"outcome": ["pass"], "reason": "r"},
    {"reference": "x" * 500},
]


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case.method != "get" and n != "disbursement-approve"])
def test_garbage_is_refused_with_a_4xx_never_a_500(name, api, request, approver, bidder, operator):
    case = CASES[name]
    obj = _build(World(request), case.make)
    url = f"{V1}/{case.url.format(o=Opaque(obj))}"
    for user in (approver, bidder, operator):
        for body in GARBAGE:
            response = getattr(api.as_user(user), case.method)(url, body, format="json")
            assert 400 <= response.status_code < 500, (name, body, response.content[:300])
