import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail as outbox
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import Membership, Organisation
from challenges.models import Challenge
from core.errors import DomainError
from core.models import AuditEvent
from submissions import services
from submissions.eligibility import check
from submissions.models import Bid, BidRevision, Partner
from tests.factories import OrganisationFactory, make_bid, member

pytestmark = pytest.mark.django_db


def codes(bid, now=None):
    return {p.code for p in check(bid, now)}


def test_a_complete_bid_has_no_problems(bid):
    assert check(bid) == []


# Each eligibility rule, failing on its own with its own message --------------------------------


def test_unverified_lead_is_refused(bid, bidder_org):
    Organisation.objects.filter(pk=bidder_org.pk).update(status="pending")
    bid.lead.refresh_from_db()
    assert codes(bid) == {"lead_unverified"}


def test_disallowed_kind_is_refused(bid, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(allowed_kinds=["university"])
    bid.challenge.refresh_from_db()
    assert codes(bid) == {"kind_not_allowed"}


def test_disallowed_size_and_smes_only_are_refused(bid, challenge, bidder_org):
    Organisation.objects.filter(pk=bidder_org.pk).update(size="large")
    Challenge.objects.filter(pk=challenge.pk).update(smes_only=True)
    bid.challenge.refresh_from_db()
    bid.lead.refresh_from_db()
    assert codes(bid) == {"not_sme"}


def test_the_issuer_subsidiary_may_not_bid(bid, bidder_org, agency):
    Organisation.objects.filter(pk=bidder_org.pk).update(parent=agency)
    bid.lead.refresh_from_db()
    assert codes(bid) == {"issuer_conflict"}


def test_too_many_partners_is_refused(bid, bidder, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(max_partners=1)
    for _ in range(2):
        org = OrganisationFactory()
        partner = services.partner_invite(bid=bid, actor=bidder, organisation=org)
        services.partner_respond(partner=partner, actor=member(org, Membership.Role.ADMIN), accept=True)
    bid.challenge.refresh_from_db()
    assert codes(bid) == {"too_many_partners"}


def test_an_unconfirmed_partner_blocks_submission(bid, bidder, rival_org):
    services.partner_invite(bid=bid, actor=bidder, organisation=rival_org)
    problems = check(bid)
    assert [p.code for p in problems] == ["partner_unconfirmed"]
    assert rival_org.name in problems[0].message


def test_every_indicator_must_be_committed(bid, bidder):
    services.commitments_set(bid=bid, actor=bidder, commitments=[])
    problems = check(bid)
    assert [p.code for p in problems] == ["indicators_missing"]
    assert "Micropipe density" in problems[0].message


def test_requested_money_cannot_exceed_the_challenge(bid, bidder, challenge):
    services.bid_update(
        bid=bid,
        actor=bidder,
        data={"requested_funding": challenge.government_funding + 1, "own_funding": challenge.government_funding * 2},
    )
    bid.refresh_from_db()
    assert codes(bid) == {"funding_too_high"}


def test_own_money_must_meet_the_cofunding_ratio(bid, bidder, challenge):
    services.bid_update(bid=bid, actor=bidder, data={"own_funding": challenge.government_funding - 1})
    bid.refresh_from_db()
    assert codes(bid) == {"cofunding_short"}


def test_the_bids_per_organisation_limit(challenge, bidder, bidder_org):
    make_bid(challenge=challenge, lead=bidder_org, actor=bidder, submit=True)
    second = make_bid(challenge=challenge, lead=bidder_org, actor=bidder, title="Second approach")
    assert codes(second) == {"bid_limit"}


def test_tranches_must_add_up_to_100(bid, bidder):
    services.milestones_set(
        bid=bid, actor=bidder, milestones=[{"title": "Only", "due_month": 6, "tranche_percent": Decimal("90")}]
    )
    assert codes(bid) == {"tranches_not_100"}


def test_the_integrity_pledge_is_required(challenge, bidder, bidder_org):
    bid = make_bid(challenge=challenge, lead=bidder_org, actor=bidder)
    Bid.objects.filter(pk=bid.pk).update(integrity_pledged_at=None)
    bid.refresh_from_db()
    assert codes(bid) == {"no_pledge"}


def test_a_banned_organisation_cannot_bid(bid, bidder_org):
    Organisation.objects.filter(pk=bidder_org.pk).update(banned_until=timezone.localdate() + timedelta(days=365))
    bid.lead.refresh_from_db()
    assert codes(bid) == {"lead_banned"}


def test_every_failing_rule_is_reported_at_once(challenge, bidder, bidder_org):
    bid = services.bid_create(challenge=challenge, actor=bidder, lead=bidder_org, title="Empty")
    with pytest.raises(ValidationError) as caught:
        services.bid_submit(bid=bid, actor=bidder)
    assert {"indicators_missing", "no_funding_requested", "no_milestones", "no_pledge"} <= set(caught.value.message_dict)


# The deadline, to the second --------------------------------------------------------------------


def test_one_second_before_the_deadline_is_accepted(bid, bidder, challenge):
    revision = services.bid_submit(bid=bid, actor=bidder, now=challenge.bidding_closes_at - timedelta(seconds=1))
    assert revision.number == 1


def test_one_second_after_the_deadline_is_refused(bid, bidder, challenge):
    with pytest.raises(ValidationError) as caught:
        services.bid_submit(bid=bid, actor=bidder, now=challenge.bidding_closes_at + timedelta(seconds=1))
    assert set(caught.value.message_dict) == {"deadline"}
    assert not BidRevision.objects.exists()


def test_after_the_deadline_nothing_in_the_bid_changes(submitted_bid, bidder, challenge):
    later = challenge.bidding_closes_at + timedelta(seconds=1)
    with pytest.raises(DomainError):
        services.bid_update(bid=submitted_bid, actor=bidder, data={"title": "Changed"}, now=later)
    with pytest.raises(DomainError):
        services.bid_withdraw(bid=submitted_bid, actor=bidder, now=later)
    with pytest.raises(DomainError):
        services.milestones_set(bid=submitted_bid, actor=bidder, milestones=[], now=later)
    submitted_bid.refresh_from_db()
    assert submitted_bid.title == "Our approach to the challenge"


# Revisions ------------------------------------------------------------------------------------------


def test_each_submit_stores_an_immutable_revision_and_the_one_at_the_deadline_is_current(bid, bidder, challenge):
    first = services.bid_submit(bid=bid, actor=bidder)
    services.bid_update(bid=bid, actor=bidder, data={"technical_approach": "A better approach"})
    second = services.bid_submit(bid=bid, actor=bidder)
    assert (first.number, second.number) == (1, 2)
    assert first.content["technical_approach"] != second.content["technical_approach"]
    # An edit after the last submit is not submitted: the revision at the deadline stays the second.
    services.bid_update(bid=bid, actor=bidder, data={"technical_approach": "Unsubmitted idea"})
    bid.refresh_from_db()
    assert bid.current_revision == second
    with pytest.raises(ValueError):
        first.content = {}
        first.save()


def test_submitting_unchanged_content_again_makes_no_new_revision(bid, bidder):
    first = services.bid_submit(bid=bid, actor=bidder)
    assert services.bid_submit(bid=bid, actor=bidder) == first
    assert BidRevision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_produce_one_revision(agency, editor, approver, bidder_org, bidder):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    from tests.factories import make_challenge

    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    bid = make_bid(challenge=challenge, lead=bidder_org, actor=bidder)
    barrier, results = threading.Barrier(2), []

    def submit():
        from django.db import connections

        barrier.wait()
        try:
            results.append(services.bid_submit(bid=Bid.objects.get(pk=bid.pk), actor=bidder).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert BidRevision.objects.filter(bid=bid).count() == 1


def test_withdraw_then_resubmit_before_the_deadline(submitted_bid, bidder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.bid_withdraw(bid=submitted_bid, actor=bidder)
    submitted_bid.refresh_from_db()
    assert submitted_bid.status == Bid.Status.WITHDRAWN
    assert any("withdrawn" in m.subject.lower() for m in outbox.outbox)
    revision = services.bid_submit(bid=submitted_bid, actor=bidder)
    submitted_bid.refresh_from_db()
    assert submitted_bid.status == Bid.Status.SUBMITTED and revision.number == 2


def test_submitting_sends_a_confirmation_and_audits(bid, bidder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.bid_submit(bid=bid, actor=bidder)
    assert any("Bid submitted" in m.subject for m in outbox.outbox)
    assert AuditEvent.objects.filter(action="bid.submit", object_id=str(bid.pk)).exists()


# Who may do what ---------------------------------------------------------------------------------


def test_a_rival_cannot_touch_the_bid(bid, rival):
    with pytest.raises(PermissionDenied):
        services.bid_update(bid=bid, actor=rival, data={"title": "Hijacked"})
    with pytest.raises(PermissionDenied):
        services.bid_submit(bid=bid, actor=rival)


def test_a_member_may_edit_but_only_an_admin_withdraws(submitted_bid, bidder_member):
    services.bid_update(bid=submitted_bid, actor=bidder_member, data={"prior_achievements": "Two patents"})
    with pytest.raises(PermissionDenied):
        services.bid_withdraw(bid=submitted_bid, actor=bidder_member)


def test_agency_staff_cannot_create_bids(challenge, editor, agency):
    with pytest.raises(PermissionDenied):
        services.bid_create(challenge=challenge, actor=editor, lead=agency, title="Own bid")


def test_a_partner_confirms_and_only_its_admin_can(bid, bidder, rival_org, rival):
    partner = services.partner_invite(bid=bid, actor=bidder, organisation=rival_org, budget_share=Decimal("20"))
    with pytest.raises(PermissionDenied):
        services.partner_respond(partner=partner, actor=bidder, accept=True)
    partner = services.partner_respond(partner=partner, actor=rival, accept=True)
    assert partner.status == Partner.Status.CONFIRMED
    assert check(bid) == []
    with pytest.raises(DomainError):
        services.partner_respond(partner=partner, actor=rival, accept=False)


def test_a_partner_can_decline(bid, bidder, rival_org, rival):
    partner = services.partner_invite(bid=bid, actor=bidder, organisation=rival_org)
    assert services.partner_respond(partner=partner, actor=rival, accept=False).status == Partner.Status.DECLINED
    assert check(bid) == []
