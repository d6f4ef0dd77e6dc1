"""The home after login: a section per role, with real content, at a constant query cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from awards.models import Disbursement, Milestone, Objection
from challenges.models import FieldSubscription
from reviews.models import Assignment
from submissions import services as bid_services
from tests.awards.conftest import final_award, proposed, ranked  # noqa: F401  (fixtures)
from tests.factories import OrganisationFactory, UserFactory, make_bid, make_challenge, technical_field
from tests.reviews.conftest import closed_challenge, experts  # noqa: F401  (fixtures)
from tests.reviews.test_workflow import start

pytestmark = pytest.mark.django_db

SECTIONS = ("dashboard-agency", "dashboard-applicant", "dashboard-expert", "dashboard-operator")


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("frontend:home"))
    assert response.status_code == 200
    return response.content.decode()


def sections(html: str) -> set[str]:
    return {s for s in SECTIONS if f'id="{s}"' in html}


def test_a_user_without_a_role_sees_no_role_section(client):
    html = home(client, UserFactory())
    assert sections(html) == set()
    assert "dashboard.js" not in html


def test_the_anonymous_landing_page_stays(client):
    response = client.get(reverse("frontend:home"))
    assert response.status_code == 200
    assert "dashboard-" not in response.content.decode()


def test_agency_staff_see_their_challenges_bids_and_review_progress(
    client,
    closed_challenge,  # noqa: F811
    experts,  # noqa: F811
    editor,
    django_capture_on_commit_callbacks,
):
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    round.refresh_from_db()
    html = home(client, editor)
    assert sections(html) == {"dashboard-agency"}
    assert f"{reverse('frontend:agency_challenges')}?status=under_review" in html
    assert reverse("frontend:challenge_bids", args=[closed_challenge.pk]) in html
    assert reverse("frontend:round_detail", args=[round.pk]) in html
    live = Assignment.objects.filter(item__round=round, status__in=[Assignment.Status.INVITED]).count()
    assert live > 0
    assert f"0 of {live} reviews in" in html
    assert 'id="dashboard-bids-data"' in html and 'id="chart-bids"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "frontend/dashboard.js" in html


def test_the_approver_sees_the_decision_waiting(client, ranked, approver):  # noqa: F811
    html = home(client, approver)
    assert reverse("frontend:award_decide", args=[ranked.pk]) in html


def test_agency_staff_see_milestones_due_and_money(client, final_award, approver):  # noqa: F811
    milestone = final_award.contract.milestones.order_by("position").first()
    Milestone.objects.filter(pk=milestone.pk).update(due_date=timezone.localdate() + timedelta(days=10))
    html = home(client, approver)
    assert reverse("frontend:milestone_detail", args=[milestone.pk]) in html
    assert f"CNY {final_award.amount:,.0f}" in html  # committed, via the yuan filter


def test_applicants_see_matching_challenges_bids_invitations_and_milestones(
    client,
    final_award,  # noqa: F811
    agency,
    editor,
    approver,
    bidder,
    bidder_org,
    rival,
    rival_org,
):
    FieldSubscription.objects.create(organisation=bidder_org, field=technical_field(), created_by=bidder)
    open_one = make_challenge(
        issuer=agency, editor=editor, approver=approver, status="published", title="Gallium nitride epitaxy"
    )
    draft = make_bid(challenge=open_one, lead=bidder_org, actor=bidder, complete=False, title="Our GaN draft")
    rivals = make_bid(challenge=open_one, lead=rival_org, actor=rival, complete=False, title="Rival GaN")
    bid_services.partner_invite(bid=rivals, actor=rival, organisation=bidder_org)
    milestone = final_award.contract.milestones.order_by("position").first()
    Milestone.objects.filter(pk=milestone.pk).update(due_date=timezone.localdate() + timedelta(days=5))

    html = home(client, bidder)
    assert "dashboard-applicant" in sections(html)
    assert reverse("frontend:challenge_detail", args=[open_one.pk]) in html
    assert reverse("frontend:bid_edit", args=[draft.pk]) in html
    assert reverse("frontend:bid_detail", args=[final_award.bid_id]) in html
    assert "Rival GaN" in html and reverse("frontend:my_bids") in html
    assert reverse("frontend:milestone_detail", args=[milestone.pk]) in html


def test_experts_see_their_invitations(client, closed_challenge, experts, django_capture_on_commit_callbacks):  # noqa: F811
    round = start(closed_challenge, django_capture_on_commit_callbacks)
    assignment = Assignment.objects.filter(item__round=round, status=Assignment.Status.INVITED).first()
    html = home(client, assignment.expert.user)
    assert sections(html) == {"dashboard-expert"}
    assert reverse("frontend:assignment_detail", args=[assignment.pk]) in html
    assert "Invitations to answer" in html


def test_operators_see_the_platform_work(client, final_award, operator, bidder):  # noqa: F811
    pending = OrganisationFactory(name="Waiting Co", status=Organisation.Status.PENDING)
    milestone = final_award.contract.milestones.order_by("position").first()
    Milestone.objects.filter(pk=milestone.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    Disbursement.objects.create(
        milestone=milestone, award=final_award, amount=milestone.tranche_amount, status=Disbursement.Status.APPROVED
    )
    Objection.objects.create(award=final_award, filed_by=bidder, real_name="Li Lei", contact="li@example.cn")

    html = home(client, operator)
    assert "dashboard-operator" in sections(html)
    assert reverse("frontend:organisation_detail", args=[pending.pk]) in html
    assert reverse("frontend:milestone_detail", args=[milestone.pk]) in html  # overdue
    assert reverse("frontend:contract_detail", args=[final_award.contract.pk]) in html  # to record
    assert reverse("frontend:award_detail", args=[final_award.pk]) in html  # objection
    assert reverse("admin:core_auditevent_changelist") in html
    assert "award.propose" in html or "contract.create" in html  # latest audit events
    assert 'id="dashboard-states-data"' in html and 'id="chart-states"' in html


def _populate(n, agency, editor, approver, bidder_org, bidder):
    for _ in range(n):
        challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
        make_bid(challenge=challenge, lead=bidder_org, actor=bidder, complete=False)


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("frontend:home")).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, agency, editor, approver, bidder_org, bidder
):
    FieldSubscription.objects.create(organisation=bidder_org, field=technical_field(), created_by=bidder)
    _populate(1, agency, editor, approver, bidder_org, bidder)
    at_one = {user: _queries(client, user) for user in (editor, bidder)}
    _populate(14, agency, editor, approver, bidder_org, bidder)
    for user, count in at_one.items():
        client.force_login(user)
        with django_assert_max_num_queries(count):
            response = client.get(reverse("frontend:home"))
        assert "See all" in response.content.decode()  # the lists are capped, not grown
