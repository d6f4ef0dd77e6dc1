"""One challenge from publication to both tranches paid, with the clock, the review and acceptance
chords and every email on a real worker process over the real broker."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from awards import services as awards
from awards.models import Award, Decision, Disbursement, Milestone
from challenges.models import Challenge
from core.audit import verify_chain
from core.models import Notification, OutboundEmail
from core.tasks import advance_due_work
from reviews import services as reviews
from reviews.models import Assignment, ReviewRound
from tests.factories import OrganisationFactory, make_bid, make_challenge
from tests.reviews.conftest import make_expert

from .conftest import wait_for

pytestmark = pytest.mark.integration


def _review_everything(round: ReviewRound, value_for) -> None:
    criteria = list(round.rubric.criteria.all())
    for assignment in Assignment.objects.filter(item__round=round, status=Assignment.Status.INVITED).select_related(
        "expert__user", "item"
    ):
        user = assignment.expert.user
        reviews.assignment_accept(assignment=assignment, actor=user)
        scores = {c.pk: {"value": value_for(assignment.item), "comment": "Reviewed"} for c in criteria}
        reviews.review_save(assignment=assignment, actor=user, scores=scores, submit=True)


def _completed(round_id) -> bool:
    return ReviewRound.objects.get(pk=round_id).status == ReviewRound.Status.COMPLETED


def _accept(milestone: Milestone, worker, admin, measured: Decimal, indicator, value: int) -> ReviewRound:
    awards.delivery_submit(milestone=milestone, actor=admin, report="Deliverables", measurements={indicator.pk: measured})
    round_id = Milestone.objects.get(pk=milestone.pk).acceptance_round_id
    invited = lambda: Assignment.objects.filter(item__round_id=round_id, status=Assignment.Status.INVITED).count() == 3  # noqa: E731
    assert wait_for(invited, 60), worker.log.read_text()[-3000:]
    round = ReviewRound.objects.get(pk=round_id)
    _review_everything(round, lambda item: value)
    assert wait_for(lambda: _completed(round_id), 60), worker.log.read_text()[-3000:]
    return round


def test_publication_to_both_tranches_paid(
    worker, settings, agency, editor, approver, bidder_org, bidder, rival_org, rival, operator
):
    settings.ACCEPTANCE_EXPERTS = 3
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    make_bid(challenge=challenge, lead=bidder_org, actor=bidder, submit=True)
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    for n in range(7):
        make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}"))

    # Bidding closes on the clock; the review chord runs on the worker.
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    advance_due_work.delay().get(timeout=60)
    round = challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)
    assert wait_for(lambda: Assignment.objects.filter(item__round=round, status="invited").count() == 6, 60), (
        worker.log.read_text()[-3000:]
    )
    _review_everything(round, lambda item: 9 if bidder_org.pk in item.organisation_ids else 6)
    assert wait_for(lambda: _completed(round.pk), 60), worker.log.read_text()[-3000:]

    # Decision and publicity with one dismissed objection; the clock makes it final.
    challenge.refresh_from_db()
    first = awards.revision_of(awards.ranking_for(challenge)[0]).bid
    decision = awards.decision_propose(challenge=challenge, actor=approver, bids=[first])
    award = decision.awards.get()
    assert award.winner == bidder_org
    objection = awards.objection_file(award=award, actor=rival, real_name="Liu Yang", contact="138 0000", grounds="Copied data")
    awards.objection_resolve(objection=objection, actor=operator, uphold=False, reason="Data are original")
    Decision.objects.filter(pk=decision.pk).update(publicity_ends_at=timezone.now() - timedelta(seconds=1))
    advance_due_work.delay().get(timeout=60)
    award.refresh_from_db()
    assert award.status == Award.Status.FINAL

    # The contract: two milestones paid on acceptance (nothing on signing), both sides sign.
    contract = award.contract
    contract = awards.contract_update(
        contract=contract,
        actor=editor,
        milestones=[
            {
                "title": "Mid-term check",
                "due_date": timezone.localdate() + timedelta(days=180),
                "tranche_amount": (award.amount * Decimal("0.6")).quantize(Decimal("0.01")),
            },
            {
                "title": "Final acceptance",
                "due_date": timezone.localdate() + timedelta(days=360),
                "tranche_amount": (award.amount * Decimal("0.4")).quantize(Decimal("0.01")),
            },
        ],
        first_tranche_on_signing=False,
    )
    awards.contract_sign(contract=contract, actor=approver, version=contract.version)
    awards.contract_sign(contract=contract, actor=bidder, version=contract.version)

    indicator = challenge.indicators.first()
    mid, final = contract.milestones.order_by("position")
    _accept(mid, worker, bidder, Decimal("0.3"), indicator, 5)
    awards.acceptance_decide(milestone=mid, actor=approver, outcome="rectify", reason="Micropipe density above target")
    _accept(Milestone.objects.get(pk=mid.pk), worker, bidder, Decimal("0.09"), indicator, 8)
    awards.acceptance_decide(milestone=mid, actor=approver, outcome="pass", reason="Rectified")
    _accept(final, worker, bidder, Decimal("0.08"), indicator, 9)
    awards.acceptance_decide(milestone=final, actor=approver, outcome="pass", reason="All indicators met")

    for row in Disbursement.objects.filter(award=award).order_by("created_at"):
        awards.disbursement_approve(disbursement=row, actor=approver)
        awards.disbursement_mark_paid(disbursement=row, actor=operator, reference=f"TREASURY-{row.pk}")
    paid = Disbursement.objects.filter(award=award, status=Disbursement.Status.PAID)
    assert [d.amount for d in paid.order_by("created_at")] == [mid.tranche_amount, final.tranche_amount]
    award.refresh_from_db()
    challenge.refresh_from_db()
    assert award.status == Award.Status.COMPLETED and challenge.status == Challenge.Status.COMPLETED

    expected = {
        bidder: {
            "bid.submitted",
            "challenge.bidding_closed",
            "decision.proposed",
            "award.final",
            "milestone.rectify",
            "milestone.pass",
            "disbursement.paid",
        },
        rival: {"decision.proposed", "objection.resolved", "award.feedback"},
        approver: {"review.completed", "milestone.delivered"},
        operator: {"objection.filed"},
    }
    for user, verbs in expected.items():
        got = set(Notification.objects.filter(recipient=user).values_list("verb", flat=True))
        assert verbs <= got, (user, verbs - got)
    assert Notification.objects.filter(verb="review.invited").count() == 6 + 3 * 3
    # Every notification's email went out through the worker, once.
    assert wait_for(lambda: not OutboundEmail.objects.exclude(state=OutboundEmail.State.SENT).exists(), 60)
    # The file backend may append two messages to one file; count the messages themselves.
    sent = sum(p.read_text().count("Message-ID: <email-") for p in worker.mail_dir.iterdir())
    assert sent == OutboundEmail.objects.count()
    assert verify_chain() is None
