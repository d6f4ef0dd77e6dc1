"""The awards API end to end on a real database: decision, publicity and objections, the contract,
delivery, acceptance and money, the ledger and the public figures."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from awards.models import Award, Contract, Decision, Delivery, Disbursement, Measurement, Milestone, Objection
from challenges.models import Challenge, Indicator
from core.opaque import decode, encode
from submissions.models import Bid, Partner
from tests.factories import OrganisationFactory, indicator_data, technical_field

from .conftest import bids_in_rank_order, run_acceptance

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


# Rows made directly, for the permission tables and the query counts ----------------------------------


def orm_award(
    *,
    issuer,
    creator,
    winner,
    amount=Decimal("1000000.00"),
    status=Award.Status.FINAL,
    partners=(),
    field="integrated-circuits",
    indicators=None,
) -> Award:
    """An award written straight to the database (no services): final with a draft contract of two
    milestones (60/40) by default, or proposed in an open publicity period."""
    now = timezone.now()
    proposed = status == Award.Status.PROPOSED
    challenge = Challenge.objects.create(
        issuer=issuer,
        created_by=creator,
        title=f"Chokepoint for {winner.name}",
        chokepoint="Too many defects.",
        summary="Make it better.",
        government_funding=amount,
        bidding_opens_at=now - timedelta(days=90),
        bidding_closes_at=now - timedelta(days=60),
        published_at=now - timedelta(days=90),
        status=Challenge.Status.IN_PUBLICITY if proposed else Challenge.Status.AWARDED,
    )
    challenge.fields.add(technical_field(field))
    for n, data in enumerate(indicators or [indicator_data()]):
        Indicator.objects.create(challenge=challenge, position=n, **data)
    bid = Bid.objects.create(
        challenge=challenge,
        lead=winner,
        title="Our approach",
        created_by=creator,
        requested_funding=amount,
        status=Bid.Status.PROPOSED if proposed else Bid.Status.WON,
    )
    for organisation in partners:
        Partner.objects.create(bid=bid, organisation=organisation, status=Partner.Status.CONFIRMED, invited_by=creator)
    decision = Decision.objects.create(
        challenge=challenge,
        decided_by=creator,
        publicity_ends_at=now + timedelta(days=5) if proposed else now - timedelta(days=1),
        status=Decision.Status.IN_PUBLICITY if proposed else Decision.Status.FINAL,
        finalised_at=None if proposed else now,
    )
    award = Award.objects.create(
        decision=decision, challenge=challenge, bid=bid, winner=winner, amount=amount, rank=1, status=status
    )
    if not proposed:
        contract = Contract.objects.create(award=award, amount=amount, tranches_total=amount)
        first = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
        for n, tranche in enumerate([first, amount - first]):
            Milestone.objects.create(
                contract=contract,
                position=n,
                title=f"Milestone {n + 1}",
                due_date=timezone.localdate() + timedelta(days=365 * (n + 1)),
                tranche_amount=tranche,
                status=Milestone.Status.PASSED if status == Award.Status.COMPLETED else Milestone.Status.PLANNED,
            )
    return award


def complete_with_measurement(award: Award, user, values: dict) -> None:
    """Mark every milestone passed and record one delivery with `values` {indicator: value}."""
    Milestone.objects.filter(contract__award=award).update(status=Milestone.Status.PASSED)
    last = award.contract.milestones.order_by("position").last()
    delivery = Delivery.objects.create(milestone=last, number=1, report="Done", submitted_by=user)
    for indicator, value in values.items():
        Measurement.objects.create(delivery=delivery, indicator=indicator, value=value)
    Award.objects.filter(pk=award.pk).update(status=Award.Status.COMPLETED)


def first_of(ranked):
    return bids_in_rank_order(ranked)[0]


# Decision ------------------------------------------------------------------------------------------------


def test_an_approver_proposes_through_the_api_and_a_second_proposal_conflicts(ranked, approver, api):
    api.as_user(approver)
    body = {"challenge": str(ranked.pk), "bids": [str(first_of(ranked).pk)]}
    response = api.post(f"{V1}/decisions/", body, format="json")
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert decision["status"] == "in_publicity"
    assert [a["winner"]["name"] for a in decision["awards"]] == ["Bidder Ltd"]
    assert decision["departure_reason"] == ""  # the approver sees it (there is none)

    again = api.post(f"{V1}/decisions/", body, format="json")
    assert again.status_code == 409
    assert set(again.json()) == {"code", "detail", "fields"}
    assert Decision.objects.filter(challenge=ranked).count() == 1

    public = api.as_user(None).get(f"{V1}/decisions/{decision['id']}/")
    assert public.status_code == 200 and public.json()["departure_reason"] is None


def test_departing_from_the_ranking_needs_a_reason_or_is_400(ranked, approver, api):
    second = bids_in_rank_order(ranked)[1]
    api.as_user(approver)
    body = {"challenge": str(ranked.pk), "bids": [str(second.pk)]}
    response = api.post(f"{V1}/decisions/", body, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = api.post(f"{V1}/decisions/", body | {"reason": "Better IP position"}, format="json")
    assert response.status_code == 201 and response.json()["departure_reason"] == "Better IP position"


def test_a_decision_naming_unknown_bids_or_challenges_is_400(ranked, approver, api):
    api.as_user(approver)
    unknown = {"challenge": str(ranked.pk), "bids": ["00000000-0000-0000-0000-000000000000"]}
    assert api.post(f"{V1}/decisions/", unknown, format="json").json()["fields"].keys() == {"bids"}
    nowhere = {"challenge": "00000000-0000-0000-0000-000000000000", "bids": [str(first_of(ranked).pk)]}
    assert api.post(f"{V1}/decisions/", nowhere, format="json").json()["fields"].keys() == {"challenge"}
    assert api.post(f"{V1}/decisions/", {"bids": "x"}, format="json").status_code == 400


# Publicity and objections --------------------------------------------------------------------------------


OBJECTION = {"real_name": "Liu Yang", "contact": "liu@example.cn", "grounds": "The test data look copied."}


def test_an_anonymous_objection_is_401_and_a_nameless_one_400(proposed, rival, api):
    url = f"{V1}/awards/{proposed.pk}/objections/"
    assert api.as_user(None).post(url, OBJECTION, format="json").status_code == 401
    nameless = api.as_user(rival).post(url, OBJECTION | {"real_name": "  "}, format="json")
    assert nameless.status_code == 400 and "real_name" in nameless.json()["fields"]
    assert not Objection.objects.exists()


def test_the_objectors_identity_is_for_operators_and_the_objector_only(
    proposed, rival, rival_org, approver, editor, bidder, operator, api
):
    url = f"{V1}/awards/{proposed.pk}/objections/"
    filed = api.as_user(rival).post(url, OBJECTION | {"organisation": encode(rival_org.pk)}, format="json")
    assert filed.status_code == 201 and filed.json()["organisation"]["name"] == "Rival Ltd"

    for user in (None, approver, editor, bidder):
        response = api.as_user(user).get(url)
        assert response.status_code == 200
        assert response.json()["count"] == 1 and response.json()["details"] == []
        assert response.json()["statuses"][0]["status"] == "filed"
        text = response.content.decode()
        assert "Liu" not in text and "liu@example.cn" not in text and "Rival" not in text and "copied" not in text

    seen_by_operator = api.as_user(operator).get(url).json()["details"]
    assert seen_by_operator[0]["real_name"] == "Liu Yang"
    assert seen_by_operator[0]["filed_by"]["email"] == rival.email
    assert api.as_user(rival).get(url).json()["details"][0]["contact"] == "liu@example.cn"


def test_objecting_for_an_organisation_one_does_not_belong_to_is_400(proposed, rival, bidder_org, api):
    url = f"{V1}/awards/{proposed.pk}/objections/"
    response = api.as_user(rival).post(url, OBJECTION | {"organisation": encode(bidder_org.pk)}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()["fields"]


def test_only_operators_resolve_objections_and_only_once(proposed, rival, approver, operator, api):
    api.as_user(rival).post(f"{V1}/awards/{proposed.pk}/objections/", OBJECTION, format="json")
    objection = Objection.objects.get()
    url = f"{V1}/objections/{encode(objection.pk)}/resolve"
    body = {"uphold": False, "reason": "The data are original."}
    assert api.as_user(rival).post(url, body, format="json").status_code == 403  # the objector knows it
    assert api.as_user(approver).post(url, body, format="json").status_code == 404  # who objected is hidden
    assert api.as_user(operator).post(url, body | {"reason": " "}, format="json").status_code == 400
    response = api.as_user(operator).post(url, body, format="json")
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert api.as_user(operator).post(url, body, format="json").status_code == 409


def test_an_upheld_objection_revokes_the_award_and_hides_the_notice(proposed, rival, operator, api):
    api.as_user(rival).post(f"{V1}/awards/{proposed.pk}/objections/", OBJECTION, format="json")
    url = f"{V1}/objections/{encode(Objection.objects.get().pk)}/resolve"
    response = api.as_user(operator).post(url, {"uphold": True, "reason": "Copied data confirmed."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "upheld"
    assert api.as_user(None).get(f"{V1}/awards/{proposed.pk}/").status_code == 404
    assert api.as_user(operator).get(f"{V1}/awards/{proposed.pk}/").json()["status"] == "revoked"


def test_objections_after_publicity_conflict(final_award, rival, api):
    response = api.as_user(rival).post(f"{V1}/awards/{final_award.pk}/objections/", OBJECTION, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_in_publicity"


# The public notice -----------------------------------------------------------------------------------------


def test_the_notice_is_public_and_the_contract_only_for_insiders(final_award, rival, bidder_member, editor, api):
    url = f"{V1}/awards/{final_award.pk}/"
    for outsider in (None, rival):
        notice = api.as_user(outsider).get(url).json()
        assert notice["winner"]["name"] == "Bidder Ltd" and notice["contract"] is None
        assert notice["milestones_passed"] == 0 and notice["milestones_total"] == 2
    for insider in (bidder_member, editor):
        contract = api.as_user(insider).get(url).json()["contract"]
        assert contract["id"] == encode(final_award.contract.pk) and len(contract["milestones"]) == 2


def test_the_award_list_filters_by_challenge_and_status(final_award, agency, approver, api):
    other = orm_award(issuer=agency, creator=approver, winner=OrganisationFactory(name="Other Winner"))
    api.as_user(None)
    listed = api.get(f"{V1}/awards/").json()
    assert listed["count"] == 2
    by_challenge = api.get(f"{V1}/awards/", {"challenge": str(other.challenge_id)}).json()["results"]
    assert [a["id"] for a in by_challenge] == [str(other.pk)]
    assert api.get(f"{V1}/awards/", {"status": "completed"}).json()["count"] == 0
    assert api.get(f"{V1}/awards/", {"status": "nonsense"}).status_code == 400


# The contract and the money ------------------------------------------------------------------------------


def _plan(contract: dict) -> list:
    return [(m["title"], m["tranche_amount"], m["due_date"]) for m in contract["milestones"]]


def test_a_contract_whose_tranches_do_not_add_up_is_400_and_unchanged(final_award, editor, api):
    url = f"{V1}/contracts/{encode(final_award.contract.pk)}/"
    api.as_user(editor)
    before = api.get(url).json()
    due = str(timezone.localdate() + timedelta(days=200))
    short = {"milestones": [{"title": "Only", "due_date": due, "tranche_amount": str(final_award.amount - 1)}]}
    response = api.put(url, short, format="json")
    assert response.status_code == 400 and "milestones" in response.json()["fields"]
    after = api.get(url).json()
    assert after["version"] == before["version"] and _plan(after) == _plan(before)

    third = (final_award.amount / 3).quantize(Decimal("0.01"))
    rows = [third, third, final_award.amount - 2 * third]
    plan = {"milestones": [{"title": f"Step {n}", "due_date": due, "tranche_amount": str(a)} for n, a in enumerate(rows)]}
    response = api.put(url, plan | {"first_tranche_on_signing": False}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == before["version"] + 1 and len(response.json()["milestones"]) == 3


def sign_through_api(api, contract: Contract, approver, bidder) -> dict:
    url = f"{V1}/contracts/{encode(contract.pk)}/sign"
    assert api.as_user(approver).post(url, {"version": contract.version}, format="json").status_code == 200
    response = api.as_user(bidder).post(url, {"version": contract.version}, format="json")
    assert response.status_code == 200
    return response.json()


def deliver_and_pass(api, milestone_id, indicator, value, bidder, approver, capture) -> None:
    url = f"{V1}/milestones/{milestone_id}/deliverables/"
    body = {"report": "Wafers delivered", "measurements": [{"indicator": indicator.pk, "value": str(value)}]}
    with capture(execute=True):
        response = api.as_user(bidder).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["measurements"] == [{"indicator": indicator.pk, "value": f"{value:.6f}"}]
    accept = f"{V1}/milestones/{milestone_id}/acceptance"
    early = api.as_user(approver).post(accept, {"outcome": "pass", "reason": "Too early"}, format="json")
    assert early.status_code == 409  # the acceptance review has not finished
    run_acceptance(Milestone.objects.get(pk=decode(milestone_id)), capture)
    response = api.as_user(approver).post(accept, {"outcome": "pass", "reason": "Targets met"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "passed"


def pay_all(api, award: Award, approver, operator) -> None:
    for row in Disbursement.objects.filter(award=award, status=Disbursement.Status.PENDING):
        response = api.as_user(approver).post(f"{V1}/disbursements/{encode(row.pk)}/approve")
        assert response.status_code == 200 and response.json()["status"] == "approved"
        response = api.as_user(operator).post(
            f"{V1}/disbursements/{encode(row.pk)}/mark-paid", {"reference": f"BANK-{row.pk}"}, format="json"
        )
        assert response.status_code == 200 and response.json()["reference"] == f"BANK-{row.pk}"


def test_sign_deliver_accept_approve_and_pay_through_the_api(
    final_award, approver, bidder, operator, api, django_capture_on_commit_callbacks
):
    contract = final_award.contract
    stale = api.as_user(approver).post(f"{V1}/contracts/{encode(contract.pk)}/sign", {"version": 99}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    signed = sign_through_api(api, contract, approver, bidder)
    assert signed["status"] == "signed" and signed["award_status"] == "in_progress"
    assert [d["status"] for d in signed["disbursements"]] == ["pending"]  # the first tranche, due on signing

    last = signed["milestones"][-1]
    indicator = final_award.challenge.indicators.get()
    deliver_and_pass(api, last["id"], indicator, Decimal("0.08"), bidder, approver, django_capture_on_commit_callbacks)
    pay_all(api, final_award, approver, operator)

    notice = api.as_user(bidder).get(f"{V1}/awards/{final_award.pk}/").json()
    assert notice["status"] == "completed" and (notice["milestones_passed"], notice["milestones_total"]) == (2, 2)
    paid = notice["contract"]["disbursements"]
    assert {d["status"] for d in paid} == {"paid"}
    assert sum(Decimal(d["amount"]) for d in paid) == final_award.amount
    milestone = notice["contract"]["milestones"][-1]
    assert milestone["deliveries"][0]["measurements"][0]["value"] == "0.080000"


def test_bad_input_is_400_and_illegal_states_409(final_award, approver, bidder, api):
    contract = final_award.contract
    extension = {"months": 6, "reason": "Late equipment"}
    response = api.as_user(approver).post(f"{V1}/contracts/{encode(contract.pk)}/extension", extension, format="json")
    assert response.status_code == 409  # a draft contract is edited, not extended
    sign_through_api(api, contract, approver, bidder)
    api.as_user(approver)
    too_long = api.post(f"{V1}/contracts/{encode(contract.pk)}/extension", extension | {"months": 13}, format="json")
    assert too_long.status_code == 400 and "months" in too_long.json()["fields"]
    assert api.post(f"{V1}/contracts/{encode(contract.pk)}/extension", extension, format="json").status_code == 200
    assert api.post(f"{V1}/contracts/{encode(contract.pk)}/extension", extension, format="json").status_code == 409

    last = contract.milestones.order_by("position").last()
    twice = {"report": "r", "measurements": [{"indicator": 1, "value": "1"}, {"indicator": 1, "value": "2"}]}
    url = f"{V1}/milestones/{encode(last.pk)}/deliverables/"
    assert api.as_user(bidder).post(url, twice, format="json").status_code == 400
    foreign = {"report": "r", "measurements": [{"indicator": 10**6, "value": "1"}]}
    assert api.post(url, foreign, format="json").json()["fields"].keys() == {"measurements"}
    accept = {"outcome": "maybe", "reason": "r"}
    assert api.as_user(approver).post(f"{V1}/milestones/{encode(last.pk)}/acceptance", accept, format="json").status_code == 400
    terminate = {"at_fault": True, "reason": "Fraud", "ban_years": 10**9}
    assert (
        api.as_user(approver).post(f"{V1}/contracts/{encode(contract.pk)}/terminate", terminate, format="json").status_code == 400
    )
    assert api.get(f"{V1}/contracts/{10**20}/").status_code == 404


def test_an_excused_termination_through_the_api(final_award, approver, bidder, api):
    sign_through_api(api, final_award.contract, approver, bidder)
    url = f"{V1}/contracts/{encode(final_award.contract.pk)}/terminate"
    response = api.as_user(approver).post(url, {"at_fault": False, "reason": "Good-faith failure"}, format="json")
    assert response.status_code == 200
    assert response.json()["award_status"] == "terminated_excused" and response.json()["status"] == "closed"
    assert {d["status"] for d in response.json()["disbursements"]} == {"cancelled"}
    assert api.post(url, {"at_fault": False, "reason": "Again"}, format="json").status_code == 409


# The ledger ---------------------------------------------------------------------------------------------------


def test_the_ledger_csv_has_every_disbursement_and_the_totals(final_award, approver, bidder, bidder_member, operator, rival, api):
    contract = final_award.contract
    sign_through_api(api, contract, approver, bidder)
    pay_all(api, final_award, approver, operator)
    Milestone.objects.filter(contract=contract, position=0).update(title="=HYPERLINK('x') 里程碑")

    response = api.as_user(approver).get(f"{V1}/contracts/{encode(contract.pk)}/ledger.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"ledger-contract-{encode(contract.pk)}.csv" in response["Content-Disposition"]
    assert f"ledger-contract-{contract.pk}.csv" not in response["Content-Disposition"]  # never the integer id
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, first, blank, *totals = rows
    assert header[:4] == ["Milestone", "Title", "Amount (CNY)", "Status"]
    paid = Disbursement.objects.get(award=final_award)
    assert first[:4] == ["1", "'=HYPERLINK('x') 里程碑", str(paid.amount), "Paid"]  # quoted: no formula runs
    assert first[-1] == f"BANK-{paid.pk}" and first[6] and first[7] == "Platform Operator"
    assert blank == []
    sums = {label: amount for label, _empty, amount in totals}
    assert Decimal(sums["Award"]) == final_award.amount
    assert Decimal(sums["Total paid"]) == paid.amount
    assert Decimal(sums["Remaining to pay"]) == final_award.amount - paid.amount

    assert api.as_user(operator).get(f"{V1}/contracts/{encode(contract.pk)}/ledger.csv").status_code == 200
    assert api.as_user(bidder_member).get(f"{V1}/contracts/{encode(contract.pk)}/ledger.csv").status_code == 403
    missing = api.as_user(rival).get(f"{V1}/contracts/{encode(contract.pk)}/ledger.csv", HTTP_ACCEPT="text/csv")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


# Transparency ------------------------------------------------------------------------------------------------


def test_the_transparency_figures_of_a_small_completed_award(
    final_award, agency, approver, bidder, operator, api, django_capture_on_commit_callbacks
):
    contract = final_award.contract
    sign_through_api(api, contract, approver, bidder)
    indicator = final_award.challenge.indicators.get()  # ≤ 0.1 /cm², domestic 1.0, international 0.2
    last = contract.milestones.order_by("position").last()
    deliver_and_pass(api, encode(last.pk), indicator, Decimal("0.08"), bidder, approver, django_capture_on_commit_callbacks)
    pay_all(api, final_award, approver, operator)
    # A second, larger award to a large consortium lead, not completed and not paid.
    large = OrganisationFactory(name="Big Group", size="large")
    other = orm_award(
        issuer=agency, creator=approver, winner=large, amount=Decimal("30000000.00"), partners=[OrganisationFactory()]
    )

    figures = api.as_user(None).get(f"{V1}/transparency/").json()

    total = final_award.amount + other.amount
    assert (figures["awards"], Decimal(figures["amount"])) == (2, total)
    assert Decimal(figures["paid"]) == final_award.amount
    year = timezone.localtime(final_award.decision.decided_at).year
    cells = [(c["field"]["code"], c["year"], c["awards"], Decimal(c["amount"])) for c in figures["by_field_year"]]
    assert cells == [("integrated-circuits", year, 2, total)]
    share = Decimal("0.0001")
    assert figures["sme"]["awards"] == 1 and Decimal(figures["sme"]["award_share"]) == Decimal("0.5")
    assert Decimal(figures["sme"]["amount_share"]) == (final_award.amount / total).quantize(share)
    assert figures["consortium"]["awards"] == 1
    assert Decimal(figures["consortium"]["amount_share"]) == (other.amount / total).quantize(share)

    [result] = figures["indicators"]  # only the completed award's indicator
    assert result["award"] == str(final_award.pk) and result["comparison"] == "lte"
    assert Decimal(result["measured"]) == Decimal("0.08") and Decimal(result["target_value"]) == Decimal("0.1")
    expected = ((Decimal("0.08") - Decimal("1.0")) / (Decimal("0.2") - Decimal("1.0"))).quantize(share)
    assert Decimal(result["gap_closed"]) == expected == Decimal("1.15")  # beyond the world's best


@pytest.mark.parametrize(
    ("comparison", "domestic", "international", "measured", "closed"),
    [
        ("gte", "10", "20", "15", "0.5000"),  # halfway up
        ("lte", "1.0", "0.2", "0.6", "0.5000"),  # halfway down
        ("lte", "1.0", "0.2", "1.2", "-0.2500"),  # worse than before
        ("gte", "10", "5", "15", None),  # the "international" level is behind: no gap to close
        ("gte", None, "20", "15", None),
        ("eq", "10", "20", "20", "1.0000"),
    ],
)
def test_the_share_of_the_gap_closed_follows_the_indicators_direction(comparison, domestic, international, measured, closed):
    from awards.selectors import gap_closed

    indicator = Indicator(
        comparison=comparison,
        target_value=Decimal("1"),
        domestic_level=Decimal(domestic) if domestic else None,
        international_level=Decimal(international),
    )
    result = gap_closed(indicator, Decimal(measured))
    assert result == (Decimal(closed) if closed else None)


# Constant queries ---------------------------------------------------------------------------------------------


def _awards(n, *, agency, approver, completed=False):
    for i in range(n):
        winner = OrganisationFactory(size="large" if i % 2 else "small")
        award = orm_award(issuer=agency, creator=approver, winner=winner, partners=[OrganisationFactory()][: i % 2])
        if completed:
            complete_with_measurement(award, approver, {award.challenge.indicators.get(): Decimal("0.5")})


@pytest.mark.parametrize("path", ["awards/", "transparency/"])
def test_public_lists_take_the_same_queries_for_1_and_20_awards(
    path, agency, approver, operator, api, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 19):
        _awards(n, agency=agency, approver=approver, completed=True)
        client = api.as_user(None)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{V1}/{path}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    body = response.json()
    assert (body["count"] if path == "awards/" else body["awards"]) == 20
    if path == "awards/":
        assert {(a["milestones_passed"], a["milestones_total"]) for a in body["results"]} == {(2, 2)}
    else:
        assert len(body["indicators"]) == 20
    with django_assert_max_num_queries(5):  # transparency: awards, fields, completed awards, indicators, values
        client.get(f"{V1}/{path}")
    client = api.as_user(operator)
    with django_assert_max_num_queries(5 + 3):  # and the session, the user and the operator's roles
        client.get(f"{V1}/{path}")
