import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation
from awards import services
from awards.models import Award, Contract, Decision, Disbursement, Milestone, Objection
from challenges.models import Challenge
from core.audit import verify_chain
from core.errors import DomainError
from core.models import Notification
from submissions.eligibility import check
from submissions.models import Bid

from .conftest import bids_in_rank_order, run_acceptance

pytestmark = pytest.mark.django_db


def sign_both(award, approver, bidder) -> Contract:
    contract = award.contract
    services.contract_sign(contract=contract, actor=approver, version=contract.version)
    return services.contract_sign(contract=contract, actor=bidder, version=contract.version)


# Decision --------------------------------------------------------------------------------------------


def test_following_the_ranking_needs_no_reason_and_opens_publicity(proposed, ranked):
    ranked.refresh_from_db()
    assert ranked.status == Challenge.Status.IN_PUBLICITY
    assert proposed.status == Award.Status.PROPOSED and proposed.rank == 1
    assert proposed.bid.status == Bid.Status.PROPOSED
    assert proposed.amount == proposed.bid.requested_funding
    assert Notification.objects.filter(verb="decision.proposed").exists()


def test_departing_from_the_ranking_needs_a_written_reason(ranked, approver, operator):
    second = bids_in_rank_order(ranked)[1]
    with pytest.raises(ValidationError) as caught:
        services.decision_propose(challenge=ranked, actor=approver, bids=[second])
    assert "reason" in caught.value.message_dict
    decision = services.decision_propose(challenge=ranked, actor=approver, bids=[second], reason="Better IP position")
    assert decision.departure_reason == "Better IP position"
    assert Notification.objects.filter(verb="decision.departure", recipient=operator).exists()


def test_a_single_winner_challenge_takes_one_winner(ranked, approver):
    with pytest.raises(ValidationError):
        services.decision_propose(challenge=ranked, actor=approver, bids=bids_in_rank_order(ranked))


@pytest.mark.parametrize("who", ["editor", "bidder", "rival", "reviewer", "operator"])
def test_only_an_approver_of_the_issuer_decides(ranked, who, request):
    with pytest.raises(PermissionDenied):
        services.decision_propose(challenge=ranked, actor=request.getfixturevalue(who), bids=bids_in_rank_order(ranked)[:1])


def test_deciding_twice_is_refused(proposed, ranked, approver):
    with pytest.raises(DomainError):
        services.decision_propose(challenge=ranked, actor=approver, bids=[proposed.bid])


@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_once_make_one_decision(ranked, approver, agency):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    from accounts.models import Membership
    from tests.factories import member

    second_approver = member(agency, Membership.Role.APPROVER)
    first_bid = bids_in_rank_order(ranked)[0]
    barrier, outcomes = threading.Barrier(2), []

    def decide(user):
        from django.db import connections

        barrier.wait()
        try:
            services.decision_propose(
                challenge=Challenge.objects.get(pk=ranked.pk), actor=user, bids=[Bid.objects.get(pk=first_bid.pk)]
            )
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (approver, second_approver)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["ok", "refused"]
    assert Decision.objects.filter(challenge=ranked).count() == 1
    assert Award.objects.filter(challenge=ranked).count() == 1


# Publicity and objections -------------------------------------------------------------------------------


def test_an_anonymous_objection_is_refused(proposed, rival):
    with pytest.raises(ValidationError) as caught:
        services.objection_file(award=proposed, actor=rival, real_name=" ", contact="x@y.cn", grounds="Unfair")
    assert "real_name" in caught.value.message_dict


def test_a_dismissed_objection_lets_the_award_become_final(proposed, rival, operator, bidder):
    objection = services.objection_file(award=proposed, actor=rival, real_name="Liu Yang", contact="138", grounds="Data copied")
    end = proposed.decision.publicity_ends_at + timezone.timedelta(seconds=1)
    assert services.finalise_due_publicity(end) == 0  # an open objection holds the award back
    services.objection_resolve(objection=objection, actor=operator, uphold=False, reason="Data checked: original")
    assert services.finalise_due_publicity(end) == 1
    assert services.finalise_due_publicity(end) == 0  # and exactly once
    award = Award.objects.get(pk=proposed.pk)
    assert award.status == Award.Status.FINAL and award.bid.status == Bid.Status.WON
    assert award.contract.tranches_total == award.amount
    assert Notification.objects.filter(verb="award.final", recipient=bidder).exists()
    assert Notification.objects.filter(verb="award.feedback").exists()


def test_an_upheld_objection_revokes_the_winner_and_reopens_the_decision(proposed, ranked, rival, operator, approver):
    objection = services.objection_file(award=proposed, actor=rival, real_name="Liu Yang", contact="138", grounds="Fraud")
    services.objection_resolve(objection=objection, actor=operator, uphold=True, reason="Evidence confirmed")
    ranked.refresh_from_db()
    assert ranked.status == Challenge.Status.UNDER_REVIEW
    assert Award.objects.get(pk=proposed.pk).status == Award.Status.REVOKED
    assert Decision.objects.get(pk=proposed.decision_id).status == Decision.Status.REOPENED
    with pytest.raises(ValidationError):
        services.decision_propose(challenge=ranked, actor=approver, bids=[proposed.bid], reason="again")
    second = bids_in_rank_order(ranked)[1]
    assert services.decision_propose(challenge=ranked, actor=approver, bids=[second]).awards.count() == 1


def test_only_operators_resolve_objections(proposed, rival, approver):
    objection = services.objection_file(award=proposed, actor=rival, real_name="Liu", contact="1", grounds="g")
    with pytest.raises(PermissionDenied):
        services.objection_resolve(objection=objection, actor=approver, uphold=True, reason="r")
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.FILED


# Contract, milestones and money -----------------------------------------------------------------------


def test_tranches_must_add_up_exactly_to_the_award(final_award, editor):
    contract = final_award.contract
    with pytest.raises(ValidationError) as caught:
        services.contract_update(
            contract=contract,
            actor=editor,
            milestones=[{"title": "Only", "due_date": timezone.localdate(), "tranche_amount": final_award.amount - 1}],
        )
    assert "milestones" in caught.value.message_dict


def test_the_database_refuses_tranches_above_the_award(final_award):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=final_award.contract.pk).update(tranches_total=final_award.amount + 1)


def test_signing_needs_both_sides_and_releases_the_first_tranche(final_award, approver, bidder, rival):
    contract = final_award.contract
    with pytest.raises(PermissionDenied):
        services.contract_sign(contract=contract, actor=rival, version=contract.version)
    with pytest.raises(DomainError):
        services.contract_sign(contract=contract, actor=approver, version=contract.version + 1)
    contract = sign_both(final_award, approver, bidder)
    assert contract.status == Contract.Status.SIGNED
    first = contract.milestones.order_by("position").first()
    assert first.disbursement.amount == first.tranche_amount == Decimal("12000000.00")
    assert Award.objects.get(pk=final_award.pk).status == Award.Status.IN_PROGRESS


def test_a_milestone_rectified_once_then_passed_and_both_tranches_paid(
    final_award, approver, bidder, operator, django_capture_on_commit_callbacks
):
    from reviews.models import ReviewRound

    contract = sign_both(final_award, approver, bidder)
    last = contract.milestones.order_by("position").last()
    indicator = final_award.challenge.indicators.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_submit(
            milestone=last, actor=bidder, report="Wafers delivered", measurements={indicator.pk: Decimal("0.2")}
        )
    with pytest.raises(DomainError):  # the acceptance review has not finished
        services.acceptance_decide(milestone=last, actor=approver, outcome="pass", reason="Too early")
    round = run_acceptance(last, django_capture_on_commit_callbacks)
    assert round.kind == ReviewRound.Kind.ACCEPTANCE and round.status == ReviewRound.Status.COMPLETED
    services.acceptance_decide(milestone=last, actor=approver, outcome="rectify", reason="Micropipes above target")
    last.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_submit(milestone=last, actor=bidder, report="Fixed", measurements={indicator.pk: Decimal("0.08")})
    run_acceptance(last, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):  # rectification happens once
        services.acceptance_decide(milestone=last, actor=approver, outcome="rectify", reason="again")
    services.acceptance_decide(milestone=last, actor=approver, outcome="pass", reason="Target met")
    for row in Disbursement.objects.filter(award=final_award):
        services.disbursement_approve(disbursement=row, actor=approver)
        services.disbursement_mark_paid(disbursement=row, actor=operator, reference=f"BANK-{row.pk}")
    paid = Disbursement.objects.filter(award=final_award, status=Disbursement.Status.PAID)
    assert sum(d.amount for d in paid) == final_award.amount
    assert Award.objects.get(pk=final_award.pk).status == Award.Status.COMPLETED
    assert verify_chain() is None


def test_acceptance_experts_exclude_the_winners_people(
    final_award, approver, bidder, bidder_org, operator, django_capture_on_commit_callbacks
):
    from reviews.models import Assignment
    from tests.reviews.conftest import make_expert

    insider = make_expert(operator, name="Winner's own engineer", affiliation=bidder_org)
    contract = sign_both(final_award, approver, bidder)
    last = contract.milestones.order_by("position").last()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_submit(milestone=last, actor=bidder, report="Delivered", measurements={})
    last.refresh_from_db()
    assigned = Assignment.objects.filter(item__round=last.acceptance_round)
    assert assigned.count() == 3
    assert not assigned.filter(expert=insider).exists()


def test_approving_twice_is_refused_and_payment_needs_a_reference(final_award, approver, bidder, operator):
    sign_both(final_award, approver, bidder)
    row = Disbursement.objects.get(award=final_award)
    with pytest.raises(DomainError):
        services.disbursement_mark_paid(disbursement=row, actor=operator, reference="REF")  # not approved yet
    services.disbursement_approve(disbursement=row, actor=approver)
    with pytest.raises(DomainError):
        services.disbursement_approve(disbursement=row, actor=approver)
    with pytest.raises(ValidationError):
        services.disbursement_mark_paid(disbursement=row, actor=operator, reference="  ")
    with pytest.raises(PermissionDenied):
        services.disbursement_mark_paid(disbursement=row, actor=approver, reference="REF")


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_the_award(ranked, approver, bidder, operator, agency):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    award = services.decision_propose(challenge=ranked, actor=approver, bids=bids_in_rank_order(ranked)[:1]).awards.get()
    services.finalise_due_publicity(award.decision.publicity_ends_at)
    award.refresh_from_db()
    contract = sign_both(award, approver, bidder)
    # A second pending claim for the whole award: together they would exceed it.
    extra = Milestone.objects.create(
        contract=contract, position=9, title="Forged", due_date=timezone.localdate(), tranche_amount=award.amount
    )
    forged = Disbursement.objects.create(milestone=extra, award=award, amount=award.amount)
    first = Disbursement.objects.exclude(pk=forged.pk).get(award=award)
    barrier, outcomes = threading.Barrier(2), []

    def approve(row):
        from django.db import connections

        barrier.wait()
        try:
            services.disbursement_approve(disbursement=row, actor=approver)
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(r,)) for r in (first, forged)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["ok", "refused"]
    approved = Disbursement.objects.filter(award=award, status=Disbursement.Status.APPROVED)
    assert sum(d.amount for d in approved) <= award.amount


# Extension and termination ------------------------------------------------------------------------------


def test_one_extension_per_contract_within_the_limit(final_award, approver, bidder):
    contract = sign_both(final_award, approver, bidder)
    with pytest.raises(ValidationError):
        services.extension_grant(contract=contract, actor=approver, months=13, reason="Late equipment")
    before = contract.milestones.order_by("position").last().due_date
    services.extension_grant(contract=contract, actor=approver, months=6, reason="Late equipment")
    assert contract.milestones.order_by("position").last().due_date > before
    with pytest.raises(DomainError):
        services.extension_grant(contract=contract, actor=approver, months=1, reason="Again")


def test_termination_for_fraud_bans_the_organisation_from_bidding(final_award, approver, bidder, bidder_org, operator):
    sign_both(final_award, approver, bidder)
    row = Disbursement.objects.get(award=final_award)
    services.disbursement_approve(disbursement=row, actor=approver)
    services.disbursement_mark_paid(disbursement=row, actor=operator, reference="BANK-1")
    award = services.contract_terminate(
        award=final_award,
        actor=approver,
        at_fault=True,
        reason="Falsified test data",
        recover_amount=row.amount,
        ban_years=3,
    )
    assert award.status == Award.Status.TERMINATED_AT_FAULT
    assert set(Milestone.objects.filter(contract__award=award).exclude(status="passed").values_list("status", flat=True)) == {
        "cancelled"
    }
    bidder_org = Organisation.objects.get(pk=bidder_org.pk)
    assert bidder_org.banned_until > timezone.localdate()
    # The ban is enforced where bids are checked.
    bid = final_award.bid
    bid.lead = bidder_org
    assert "lead_banned" in {p.code for p in check(bid)}


def test_an_excused_termination_has_no_penalty(final_award, approver, bidder):
    sign_both(final_award, approver, bidder)
    with pytest.raises(ValidationError):
        services.contract_terminate(award=final_award, actor=approver, at_fault=False, reason="r", ban_years=1)
    award = services.contract_terminate(award=final_award, actor=approver, at_fault=False, reason="Good-faith failure")
    assert award.status == Award.Status.TERMINATED_EXCUSED
    assert not Disbursement.objects.filter(award=award, status__in=["pending", "approved"]).exists()


@pytest.mark.parametrize("who", ["bidder_member", "rival", "reviewer", "editor"])
def test_outsiders_cannot_approve_money_or_terminate(final_award, approver, bidder, who, request):
    sign_both(final_award, approver, bidder)
    actor = request.getfixturevalue(who)
    row = Disbursement.objects.get(award=final_award)
    with pytest.raises(PermissionDenied):
        services.disbursement_approve(disbursement=row, actor=actor)
    with pytest.raises(PermissionDenied):
        services.contract_terminate(award=final_award, actor=actor, at_fault=False, reason="r")


def test_no_acceptable_bid_closes_unawarded_and_the_challenge_can_be_reissued(ranked, approver, editor, bidder):
    with pytest.raises(ValidationError):
        services.decision_none(challenge=ranked, actor=approver, reason="")
    with pytest.raises(PermissionDenied):
        services.decision_none(challenge=ranked, actor=bidder, reason="No")
    challenge = services.decision_none(challenge=ranked, actor=approver, reason="No bid meets the micropipe target")
    assert challenge.status == Challenge.Status.UNAWARDED
    from challenges.services import challenge_reissue

    draft = challenge_reissue(challenge=challenge, actor=editor)
    assert draft.status == Challenge.Status.DRAFT and draft.reissued_from_id == challenge.pk
    assert draft.indicators.count() == challenge.indicators.count()
    assert draft.bidding_closes_at > timezone.now()


def test_terminating_the_only_award_leaves_the_challenge_unawarded(final_award, approver, bidder):
    sign_both(final_award, approver, bidder)
    services.contract_terminate(award=final_award, actor=approver, at_fault=False, reason="Supplier collapse")
    final_award.challenge.refresh_from_db()
    assert final_award.challenge.status == Challenge.Status.UNAWARDED


def test_a_horse_race_down_select_keeps_the_best_team(ranked, approver, bidder, rival, django_capture_on_commit_callbacks):
    from .conftest import run_acceptance

    Challenge.objects.filter(pk=ranked.pk).update(funding_mode="horse_race", max_winners=2)
    ranked.refresh_from_db()
    decision = services.decision_propose(challenge=ranked, actor=approver, bids=bids_in_rank_order(ranked))
    services.finalise_due_publicity(decision.publicity_ends_at)
    awards = list(Award.objects.filter(decision=decision))
    scores = {}
    for award, admin, value in zip(sorted(awards, key=lambda a: a.rank), (bidder, rival), (5, 9), strict=True):
        contract = Contract.objects.get(award=award)
        today, third = timezone.localdate(), (award.amount * Decimal("0.3")).quantize(Decimal("0.01"))
        contract = services.contract_update(
            contract=contract,
            actor=approver,
            milestones=[
                {"title": "Signing", "due_date": today, "tranche_amount": award.amount - 2 * third},
                {
                    "title": "Prototype gate",
                    "due_date": today,
                    "tranche_amount": third,
                    "is_down_select": True,
                    "keep_best": 1,
                },
                {"title": "Final", "due_date": today, "tranche_amount": third},
            ],
        )
        services.contract_sign(contract=contract, actor=approver, version=contract.version)
        services.contract_sign(contract=contract, actor=admin, version=contract.version)
        gate = contract.milestones.get(position=1)
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_submit(milestone=gate, actor=admin, report="Prototype", measurements={})
        run_acceptance(gate, django_capture_on_commit_callbacks, value=value)
        services.acceptance_decide(milestone=gate, actor=approver, outcome="pass", reason="Prototype works")
        scores[award.pk] = value
    kept = services.down_select(challenge=ranked, actor=approver, position=1)
    best = max(scores, key=scores.get)
    assert [a.pk for a in kept] == [best]
    loser = Award.objects.exclude(pk=best).get(decision=decision)
    assert loser.status == Award.Status.ELIMINATED
    # The loser keeps what it earned: both of its tranches were released (signing and the gate).
    assert Disbursement.objects.filter(award=loser).count() == 2
