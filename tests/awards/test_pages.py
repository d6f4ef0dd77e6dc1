"""The award pages: the decision, the public notice and objections, the contract and its ledger,
milestones, and the transparency figures. Who sees what, and that the pages drive the services."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation
from awards import services
from awards.models import (
    Award,
    Contract,
    Decision,
    Delivery,
    Disbursement,
    Measurement,
    Milestone,
    Objection,
)
from challenges.models import Challenge, Indicator
from submissions.models import Bid, Partner
from tests.factories import OrganisationFactory, indicator_data, make_challenge, member, technical_field

from .conftest import bids_in_rank_order, run_acceptance
from .test_services import sign_both

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"frontend:{name}", args=args)


def rows(prefix: str, items: list[dict], initial: int = 0) -> dict:
    """A formset's POST data: the management form and each row's fields."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data.update({f"{prefix}-{n}-{key}": value for key, value in item.items()})
    return data


@pytest.fixture
def outsider_agency_approver(other_agency):
    return member(other_agency, Membership.Role.APPROVER, full_name="Other Approver")


@pytest.fixture
def signed(final_award, approver, bidder):
    sign_both(final_award, approver, bidder)
    return Award.objects.get(pk=final_award.pk)


def open_milestone(award) -> Milestone:
    return award.contract.milestones.exclude(status=Milestone.Status.PASSED).order_by("position").first()


def deliver(milestone, bidder, capture, value: Decimal) -> None:
    """The winner delivers `value` for every indicator; the acceptance round's experts are invited."""
    indicators = milestone.contract.award.challenge.indicators.all()
    with capture(execute=True):
        services.delivery_submit(milestone=milestone, actor=bidder, report="Done", measurements={i.pk: value for i in indicators})


def completed(award, approver, bidder, capture, value=Decimal("0.6")) -> Award:
    """Deliver, review and pass every open milestone with `value` measured for each indicator."""
    for milestone in award.contract.milestones.exclude(status=Milestone.Status.PASSED).order_by("position"):
        deliver(milestone, bidder, capture, value)
        run_acceptance(milestone, capture)
        services.acceptance_decide(milestone=milestone, actor=approver, outcome="pass", reason="Meets the plan")
    return Award.objects.get(pk=award.pk)


# The decision ----------------------------------------------------------------------------------------


def test_the_approver_sees_the_ranking_with_the_top_preselected(client, ranked, approver):
    client.force_login(approver)
    first, second = bids_in_rank_order(ranked)
    page = client.get(url("award_decide", ranked.pk)).content.decode()
    assert first.title in page and second.title in page
    assert f'value="{first.pk}" id="bid-{first.pk}" checked' in page
    assert f'value="{second.pk}" id="bid-{second.pk}">' in page


@pytest.mark.parametrize("who", ["editor", "bidder", "rival", "reviewer", "operator", "outsider_agency_approver"])
def test_only_the_issuers_approver_may_decide(client, ranked, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("award_decide", ranked.pk)).status_code == 403
    assert client.post(url("award_decide", ranked.pk), {"bids": [str(bids_in_rank_order(ranked)[0].pk)]}).status_code == 403
    assert not Decision.objects.exists()


def test_departing_from_the_ranking_without_a_reason_keeps_the_choice_and_shows_the_error(client, ranked, approver):
    client.force_login(approver)
    first, second = bids_in_rank_order(ranked)
    response = client.post(url("award_decide", ranked.pk), {"bids": [str(second.pk)], "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "You depart from the ranking: give the written reason." in page
    assert 'id="id_reason-error"' in page and 'aria-invalid="true"' in page
    assert f'value="{second.pk}" id="bid-{second.pk}" checked' in page
    assert f'value="{first.pk}" id="bid-{first.pk}">' in page
    assert not Decision.objects.exists()


def test_closing_without_an_award_needs_a_reason(client, ranked, approver):
    client.force_login(approver)
    page = client.get(url("award_decide", ranked.pk)).content.decode()
    assert f'action="{url("award_decide_none", ranked.pk)}"' in page
    response = client.post(url("award_decide_none", ranked.pk), {"none-reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(url("award_decide_none", ranked.pk), {"none-reason": "No bid meets the target"})
    assert response.status_code == 302
    ranked.refresh_from_db()
    assert ranked.status == Challenge.Status.UNAWARDED and not Decision.objects.exists()


def test_choosing_more_winners_than_allowed_is_refused_on_the_form(client, ranked, approver):
    client.force_login(approver)
    both = [str(b.pk) for b in bids_in_rank_order(ranked)]
    response = client.post(url("award_decide", ranked.pk), {"bids": both})
    assert response.status_code == 400
    assert "at most 1 winner" in response.content.decode()


def test_a_reasoned_departure_opens_publicity_and_shows_the_notice(client, ranked, approver):
    client.force_login(approver)
    second = bids_in_rank_order(ranked)[1]
    response = client.post(url("award_decide", ranked.pk), {"bids": [str(second.pk)], "reason": "Better IP terms"})
    award = Award.objects.get()
    assert response.status_code == 302 and response["Location"] == url("award_detail", award.pk)
    assert award.bid == second and award.decision.departure_reason == "Better IP terms"
    page = client.get(response["Location"]).content.decode()
    assert "Better IP terms" in page and "countdown" in page
    client.logout()  # the reason is for the agency and operators
    assert "Better IP terms" not in client.get(response["Location"]).content.decode()
    # Decided: the page now sends the approver back to the challenge.
    assert client.get(url("award_decide", ranked.pk)).status_code == 302


# The public notice and objections ---------------------------------------------------------------------


def test_the_public_sees_the_list_and_the_notice_but_not_who_objected(client, proposed, rival):
    services.objection_file(
        award=proposed, actor=rival, real_name="Zhang Wei", contact="139 0000 1111", grounds="The winner copied us."
    )
    listing = client.get(url("award_list"))
    assert listing.status_code == 200 and proposed.winner.name in listing.content.decode()
    page = client.get(url("award_detail", proposed.pk)).content.decode()
    assert proposed.winner.name in page and "CNY 20,000,000" in page
    assert "Zhang Wei" not in page and "139 0000 1111" not in page and rival.email not in page
    assert "Open: 1" in page
    client.force_login(rival)  # the objector reads their own objection
    assert "Zhang Wei" in client.get(url("award_detail", proposed.pk)).content.decode()
    client.logout()
    assert f'href="{url("login")}?next={url("award_detail", proposed.pk)}"' in page
    assert "Log in to object" in page


def test_operators_see_the_objectors_identity_and_resolve_forms(client, proposed, rival, operator, bidder):
    services.objection_file(award=proposed, actor=rival, real_name="Zhang Wei", contact="139", grounds="Copied.")
    client.force_login(bidder)
    assert "Zhang Wei" not in client.get(url("award_detail", proposed.pk)).content.decode()
    client.force_login(operator)
    page = client.get(url("award_detail", proposed.pk)).content.decode()
    assert "Zhang Wei" in page and rival.email in page
    assert f'action="{url("objection_resolve", Objection.objects.get().pk)}"' in page


def test_a_logged_in_user_objects_through_the_notice(client, proposed, rival):
    client.force_login(rival)
    data = {"real_name": "", "contact": "139", "grounds": "The winner copied us."}
    response = client.post(url("objection_file", proposed.pk), data)
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert "The winner copied us." in response.content.decode()  # nothing typed is lost
    response = client.post(url("objection_file", proposed.pk), {**data, "real_name": "Zhang Wei"})
    assert response.status_code == 302
    assert Objection.objects.get().real_name == "Zhang Wei"


def test_anonymous_users_are_sent_to_log_in_to_object_or_resolve(client, proposed, rival):
    objection = services.objection_file(award=proposed, actor=rival, real_name="Z", contact="1", grounds="G")
    response = client.post(url("objection_file", proposed.pk), {"real_name": "X", "contact": "1", "grounds": "G"})
    assert response.status_code == 302 and response["Location"].startswith(url("login"))
    response = client.post(url("objection_resolve", objection.pk), {"o1-outcome": "uphold", "o1-reason": "R"})
    assert response.status_code == 302 and response["Location"].startswith(url("login"))
    assert Objection.objects.count() == 1 and Objection.objects.get().status == Objection.Status.FILED


def test_the_operator_dismisses_and_only_operators_may(client, proposed, rival, approver, operator):
    objection = services.objection_file(award=proposed, actor=rival, real_name="Z", contact="1", grounds="G")
    prefix = f"o{objection.pk}"
    client.force_login(approver)
    data = {f"{prefix}-outcome": "dismiss", f"{prefix}-reason": "Unfounded"}
    assert client.post(url("objection_resolve", objection.pk), data).status_code == 404
    client.force_login(operator)
    response = client.post(url("objection_resolve", objection.pk), {f"{prefix}-outcome": "dismiss"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert client.post(url("objection_resolve", objection.pk), data).status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED and objection.resolution == "Unfounded"


def test_an_upheld_objection_revokes_the_award_and_hides_the_notice(client, proposed, rival, operator):
    objection = services.objection_file(award=proposed, actor=rival, real_name="Z", contact="1", grounds="G")
    client.force_login(operator)
    data = {f"o{objection.pk}-outcome": "uphold", f"o{objection.pk}-reason": "Copied indeed"}
    assert client.post(url("objection_resolve", objection.pk), data).status_code == 302
    assert Award.objects.get(pk=proposed.pk).status == Award.Status.REVOKED
    assert client.get(url("award_detail", proposed.pk)).status_code == 200  # operators still read it
    client.logout()
    assert client.get(url("award_detail", proposed.pk)).status_code == 404
    assert proposed.winner.name not in client.get(url("award_list")).content.decode()


# The contract: who may open it ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["approver", "editor", "bidder", "bidder_member", "operator"])
def test_contract_and_milestone_pages_render_for_the_parties(client, final_award, request, who):
    client.force_login(request.getfixturevalue(who))
    contract = final_award.contract
    assert client.get(url("contract_detail", contract.pk)).status_code == 200
    assert client.get(url("milestone_detail", contract.milestones.first().pk)).status_code == 200
    assert client.get(url("award_detail", final_award.pk)).status_code == 200


@pytest.mark.parametrize("who", ["rival", "reviewer", "outsider_agency_approver"])
def test_outsiders_get_404_on_contract_milestone_ledger_and_every_action(client, signed, request, who):
    client.force_login(request.getfixturevalue(who))
    contract = signed.contract
    milestone = open_milestone(signed)
    disbursement = Disbursement.objects.get()
    for method, address in [
        ("get", url("contract_detail", contract.pk)),
        ("get", url("milestone_detail", milestone.pk)),
        ("get", url("contract_ledger_csv", contract.pk)),
        ("post", url("contract_edit", contract.pk)),
        ("post", url("contract_sign", contract.pk)),
        ("post", url("contract_extend", contract.pk)),
        ("post", url("contract_terminate", contract.pk)),
        ("post", url("milestone_deliver", milestone.pk)),
        ("post", url("milestone_accept", milestone.pk)),
        ("post", url("disbursement_approve", disbursement.pk)),
        ("post", url("disbursement_paid", disbursement.pk)),
    ]:
        assert getattr(client, method)(address).status_code == 404, address
    # The public notice stays public.
    assert client.get(url("award_detail", signed.pk)).status_code == 200
    assert Disbursement.objects.get().status == Disbursement.Status.PENDING


def test_anonymous_users_are_sent_to_log_in_for_every_contract_page(client, signed, ranked):
    contract = signed.contract
    milestone = open_milestone(signed)
    for method, address in [
        ("get", url("award_decide", ranked.pk)),
        ("get", url("contract_detail", contract.pk)),
        ("get", url("milestone_detail", milestone.pk)),
        ("get", url("contract_ledger_csv", contract.pk)),
        ("post", url("contract_sign", contract.pk)),
        ("post", url("milestone_deliver", milestone.pk)),
        ("post", url("disbursement_approve", Disbursement.objects.get().pk)),
    ]:
        response = getattr(client, method)(address)
        assert response.status_code == 302 and response["Location"].startswith(url("login")), address


def test_the_ledger_csv_is_for_the_agency_and_operators(client, signed, approver, editor, operator, bidder):
    address = url("contract_ledger_csv", signed.contract.pk)
    for user in [approver, editor, operator]:
        client.force_login(user)
        response = client.get(address)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("Milestone,Title,Amount (CNY),Status")
        assert "1,Mid-term check,12000000.00,Awaiting approval" in text
    client.force_login(bidder)
    assert client.get(address).status_code == 403
    assert "Download CSV" not in client.get(url("contract_detail", signed.contract.pk)).content.decode()


# The contract: editing and signing ----------------------------------------------------------------------


def plan(first_tranche: str, second_tranche: str) -> dict:
    return rows(
        "milestones",
        [
            {
                "title": "Prototype wafers",
                "due_date": "2027-01-31",
                "tranche_amount": first_tranche,
                "deliverables": "5",
            },
            {"title": "Final acceptance", "due_date": "2028-01-31", "tranche_amount": second_tranche},
        ],
        initial=2,
    ) | {"first_tranche_on_signing": "on"}


def test_tranches_not_adding_up_keep_the_typed_values_and_show_the_error(client, final_award, editor):
    client.force_login(editor)
    contract = final_award.contract
    page = client.get(url("contract_detail", contract.pk)).content.decode()
    assert f'action="{url("contract_edit", contract.pk)}"' in page
    response = client.post(url("contract_edit", contract.pk), plan("5000000", "123456.78"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tranches add up to 5,123,456.78 but the award is 20,000,000.00." in page
    assert 'value="123456.78"' in page and 'value="Prototype wafers"' in page and 'value="2027-01-31"' in page
    contract.refresh_from_db()
    assert contract.version == 1


def test_the_agency_edits_the_plan_into_a_new_version(client, final_award, editor):
    client.force_login(editor)
    contract = final_award.contract
    response = client.post(url("contract_edit", contract.pk), plan("5000000", "15000000"))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.version == 2
    assert list(contract.milestones.values_list("title", "tranche_amount")) == [
        ("Prototype wafers", Decimal("5000000")),
        ("Final acceptance", Decimal("15000000")),
    ]


def test_the_winner_may_not_edit_the_plan(client, final_award, bidder):
    client.force_login(bidder)
    contract = final_award.contract
    assert "Save as a new version" not in client.get(url("contract_detail", contract.pk)).content.decode()
    assert client.post(url("contract_edit", contract.pk), plan("5000000", "15000000")).status_code == 403


def test_both_sides_sign_the_version_they_read(client, final_award, approver, bidder, editor):
    contract = final_award.contract
    client.force_login(approver)
    page = client.get(url("contract_detail", contract.pk)).content.decode()
    assert "Sign version 1 for the agency" in page
    assert client.post(url("contract_sign", contract.pk), {"version": "1"}).status_code == 302
    # The winner read version 1, but the agency may no longer change it once signed.
    client.force_login(editor)
    assert "Save as a new version" not in client.get(url("contract_detail", contract.pk)).content.decode()
    client.force_login(bidder)
    stale = client.post(url("contract_sign", contract.pk), {"version": "7"})
    assert stale.status_code == 400 and "The contract changed since you read it" in stale.content.decode()
    assert client.post(url("contract_sign", contract.pk), {"version": "1"}).status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert Award.objects.get(pk=final_award.pk).status == Award.Status.IN_PROGRESS


def test_the_timeline_draws_a_bar_per_milestone(client, signed, approver):
    client.force_login(approver)
    page = client.get(url("contract_detail", signed.contract.pk)).content.decode()
    assert page.count('class="gantt-bar') == 2
    assert 'class="gantt-today"' in page


def test_the_approver_grants_one_extension(client, signed, approver):
    client.force_login(approver)
    contract = signed.contract
    milestone = open_milestone(signed)
    response = client.post(url("contract_extend", contract.pk), {"months": "30", "reason": "Supplier delay"})
    assert response.status_code == 400 and "Ensure this value is less than or equal to 12." in response.content.decode()
    assert client.post(url("contract_extend", contract.pk), {"months": "3", "reason": "Supplier delay"}).status_code == 302
    moved = Milestone.objects.get(pk=milestone.pk)
    assert moved.due_date > milestone.due_date
    assert "Grant the extension" not in client.get(url("contract_detail", contract.pk)).content.decode()


def test_terminating_at_fault_cannot_recover_more_than_was_paid(client, signed, approver):
    client.force_login(approver)
    contract = signed.contract
    data = {"outcome": "at_fault", "reason": "Falsified data", "recover_amount": "100", "ban_years": "3"}
    response = client.post(url("contract_terminate", contract.pk), data)
    assert response.status_code == 400 and "At most the 0.00 yuan paid can be recovered." in response.content.decode()
    response = client.post(url("contract_terminate", contract.pk), {**data, "recover_amount": "0"})
    assert response.status_code == 302
    assert Award.objects.get(pk=signed.pk).status == Award.Status.TERMINATED_AT_FAULT
    assert Organisation.objects.get(pk=signed.winner_id).banned_until is not None


# Milestones and money, through the pages -------------------------------------------------------------------


def test_deliver_accept_approve_and_pay_through_the_pages(
    client, signed, approver, bidder, operator, django_capture_on_commit_callbacks
):
    milestone = open_milestone(signed)
    indicator = signed.challenge.indicators.get()
    client.force_login(bidder)
    page = client.get(url("milestone_detail", milestone.pk)).content.decode()
    assert f'name="indicator_{indicator.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("milestone_deliver", milestone.pk), {"report": "Eight-inch wafers", f"indicator_{indicator.pk}": "0.08"}
        )
    assert response.status_code == 302

    client.force_login(approver)
    page = client.get(url("milestone_detail", milestone.pk)).content.decode()
    assert "acceptance review has finished" in page and "Decide the acceptance" not in page
    run_acceptance(milestone, django_capture_on_commit_callbacks)
    page = client.get(url("milestone_detail", milestone.pk)).content.decode()
    assert "Decide the acceptance" in page and ">met<" in page
    response = client.post(url("milestone_accept", milestone.pk), {"outcome": "pass", "reason": "All targets met"})
    assert response.status_code == 302
    assert Award.objects.get(pk=signed.pk).status == Award.Status.COMPLETED

    for row in Disbursement.objects.order_by("created_at"):
        assert client.post(url("disbursement_approve", row.pk)).status_code == 302
    client.force_login(operator)
    for row in Disbursement.objects.order_by("created_at"):
        blank = client.post(url("disbursement_paid", row.pk), {f"d{row.pk}-reference": ""})
        assert blank.status_code == 400
        response = client.post(url("disbursement_paid", row.pk), {f"d{row.pk}-reference": f"BANK-{row.pk}"})
        assert response.status_code == 302 and response["Location"].endswith("#ledger")
    assert set(Disbursement.objects.values_list("status", flat=True)) == {Disbursement.Status.PAID}
    page = client.get(url("contract_detail", signed.contract.pk)).content.decode()
    assert 'data-total="paid">CNY 20,000,000<' in page and 'data-total="remaining">CNY 0<' in page


def test_only_the_approver_approves_and_only_operators_record_payments(client, signed, approver, bidder, operator):
    row = Disbursement.objects.get()
    client.force_login(bidder)
    assert client.post(url("disbursement_approve", row.pk)).status_code == 403
    client.force_login(operator)
    assert client.post(url("disbursement_approve", row.pk)).status_code == 403
    client.force_login(approver)
    assert client.post(url("disbursement_paid", row.pk), {f"d{row.pk}-reference": "X"}).status_code == 403
    assert client.post(url("disbursement_approve", row.pk)).status_code == 302
    assert client.post(url("disbursement_approve", row.pk)).status_code == 302  # twice: the error comes back as a message
    assert Disbursement.objects.get().status == Disbursement.Status.APPROVED


def test_a_missed_indicator_is_highlighted_and_the_winner_cannot_accept(
    client, signed, approver, bidder, django_capture_on_commit_callbacks
):
    milestone = open_milestone(signed)
    deliver(milestone, bidder, django_capture_on_commit_callbacks, Decimal("0.5"))
    run_acceptance(milestone, django_capture_on_commit_callbacks)
    client.force_login(bidder)
    page = client.get(url("milestone_detail", milestone.pk)).content.decode()
    assert 'class="miss"' in page and "missed" in page and "≤ 0.1 /cm²" in page
    assert "Decide the acceptance" not in page
    assert client.post(url("milestone_accept", milestone.pk), {"outcome": "pass", "reason": "x"}).status_code == 403
    client.force_login(approver)
    response = client.post(url("milestone_accept", milestone.pk), {"outcome": "pass", "reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert (
        client.post(url("milestone_accept", milestone.pk), {"outcome": "rectify", "reason": "Too many micropipes"}).status_code
        == 302
    )
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.RECTIFYING


# Transparency -------------------------------------------------------------------------------------------------


def test_the_transparency_page_shows_the_figures_of_a_small_completed_award(
    client, signed, approver, bidder, django_capture_on_commit_callbacks
):
    completed(signed, approver, bidder, django_capture_on_commit_callbacks, value=Decimal("0.6"))
    page = client.get(url("transparency")).content.decode()
    assert 'data-figure="awards">1<' in page
    assert 'data-figure="sme-money">100%<' in page  # Bidder Ltd is a small enterprise
    assert 'data-figure="consortium-money">0%<' in page
    assert "Integrated circuits" in page and "CNY 20,000,000" in page
    # Micropipe density: domestic 1.0, international 0.2, target ≤ 0.1, measured 0.6: half the gap closed.
    assert ">1 /cm²<" in page and ">0.2 /cm²<" in page and "≤ 0.1 /cm²" in page and "0.6 /cm²" in page
    indicator = signed.challenge.indicators.get()
    assert f'data-gap="{indicator.pk}">50%<' in page
    assert 'id="transparency-data"' in page and "<script>" not in page.split("</footer>")[0]


def test_the_transparency_page_counts_only_final_awards(client, proposed):
    page = client.get(url("transparency")).content.decode()
    assert 'data-figure="awards">0<' in page and "No award is completed yet." in page


# Query counts ----------------------------------------------------------------------------------------------------


def many_awards(n: int, *, agency, editor, approver, bidder, first: int = 0) -> None:
    """Completed awards made with the ORM directly: a clone of one challenge each, half with a consortium."""
    base = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    field, now, today = technical_field(), timezone.now(), timezone.localdate()
    partner = OrganisationFactory(name="Partner Institute", kind=Organisation.Kind.INSTITUTE)
    for k in range(first, first + n):
        challenge = Challenge.objects.get(pk=base.pk)
        challenge.id, challenge.title, challenge.status = uuid.uuid4(), f"Challenge {k}", Challenge.Status.COMPLETED
        challenge.save(force_insert=True)
        challenge.fields.add(field)
        indicator = Indicator.objects.create(challenge=challenge, **indicator_data())
        winner = OrganisationFactory(size=Organisation.Size.LARGE if k % 3 else Organisation.Size.SMALL)
        bid = Bid.objects.create(challenge=challenge, lead=winner, title=f"Bid {k}", created_by=bidder, status=Bid.Status.WON)
        if k % 2:
            Partner.objects.create(bid=bid, organisation=partner, status=Partner.Status.CONFIRMED, invited_by=bidder)
        decision = Decision.objects.create(
            challenge=challenge, decided_by=approver, publicity_ends_at=now, status="final", finalised_at=now
        )
        amount = Decimal(1_000_000 * (k + 1))
        award = Award.objects.create(
            decision=decision, challenge=challenge, bid=bid, winner=winner, amount=amount, rank=1, status="completed"
        )
        contract = Contract.objects.create(award=award, amount=amount, tranches_total=amount, status="signed")
        milestone = Milestone.objects.create(
            contract=contract, title="Final", due_date=today, tranche_amount=amount, status="passed"
        )
        Disbursement.objects.create(
            milestone=milestone, award=award, amount=amount, status="paid", reference=f"R{k}", paid_at=now
        )
        delivery = Delivery.objects.create(milestone=milestone, report="Done", submitted_by=bidder)
        Measurement.objects.create(delivery=delivery, indicator=indicator, value=Decimal("0.5"))


@pytest.mark.parametrize("page", ["award_list", "transparency"])
@pytest.mark.parametrize("logged_in", [False, True])
def test_public_pages_take_as_many_queries_for_twenty_awards_as_for_one(
    client, django_assert_max_num_queries, page, logged_in, agency, editor, approver, bidder
):
    if logged_in:
        client.force_login(bidder)
    many_awards(1, agency=agency, editor=editor, approver=approver, bidder=bidder)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(page)).status_code == 200
    many_awards(19, agency=agency, editor=editor, approver=approver, bidder=bidder, first=1)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url(page))
    page_text = response.content.decode()
    assert "Challenge 19" in page_text or page == "transparency"
    if page == "transparency":
        assert 'data-figure="awards">20<' in page_text
        assert page_text.count("Micropipe density") == 20


def test_a_small_and_a_consortium_share_add_up(client, agency, editor, approver, bidder):
    many_awards(4, agency=agency, editor=editor, approver=approver, bidder=bidder)
    # Amounts 1, 2, 3, 4 million; SMEs are k = 0 and 3 (1 + 4 of 10), consortia k = 1 and 3 (2 + 4 of 10).
    page = client.get(url("transparency")).content.decode()
    assert 'data-figure="sme-money">50%<' in page
    assert 'data-figure="consortium-money">60%<' in page


def test_publicity_end_is_shown_on_the_list(client, proposed):
    page = client.get(url("award_list")).content.decode()
    ends = timezone.localtime(proposed.decision.publicity_ends_at)
    assert ends.strftime("%Y-%m-%d %H:%M") in page
    assert ends > timezone.now() + timedelta(days=1)
