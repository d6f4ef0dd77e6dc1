import importlib
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from challenges.models import Challenge
from challenges.services import close_due_bidding
from core.opaque import encode
from core.tasks import advance_due_work
from reviews import services
from reviews.models import Assignment, ReviewRound
from tests.factories import OrganisationFactory, make_bid, make_challenge
from tests.reviews.conftest import make_expert

from .conftest import log_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Browser tests flush the database after each test, migration data included: put it back."""
    from django.apps import apps

    importlib.import_module("challenges.migrations.0002_taxonomy_and_search_index").add_fields(apps, None)
    importlib.import_module("reviews.migrations.0002_rubric_templates").add_templates(apps, None)


def running_round(agency, editor, approver, bidder_org, bidder, rival_org, rival, operator) -> ReviewRound:
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    make_bid(challenge=challenge, lead=bidder_org, actor=bidder, submit=True)
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    for n in range(6):
        make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}"))
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    advance_due_work.apply()
    round = challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)
    assert round.status == ReviewRound.Status.IN_PROGRESS
    return round


def score_the_others(round: ReviewRound, mine: Assignment) -> None:
    criteria = list(round.rubric.criteria.all())
    others = Assignment.objects.filter(item__round=round).exclude(pk=mine.pk).select_related("expert__user")
    for n, other in enumerate(others):
        services.assignment_accept(assignment=other, actor=other.expert.user)
        scores = {c.pk: {"value": [9, 6, 7, 4, 8][n % 5], "comment": "Noted"} for c in criteria}
        services.review_save(assignment=other, actor=other.expert.user, scores=scores, submit=True)


def test_an_expert_scores_a_bid_and_the_agency_reads_the_ranking(
    page_for, shot, agency, editor, approver, bidder_org, bidder, rival_org, rival, operator
):
    round = running_round(agency, editor, approver, bidder_org, bidder, rival_org, rival, operator)
    mine = Assignment.objects.filter(item__round=round).select_related("expert__user", "item").order_by("pk").first()
    score_the_others(round, mine)
    criteria = list(round.rubric.criteria.all())
    required = next(c for c in criteria if c.comment_required)

    page = page_for("en-US")
    log_in(page, mine.expert.user.email, PASSWORD)
    page.goto(f"{page.base}/reviews/")
    invitation = page.locator("#invitations-heading + ul li", has_text=mine.item.blind_label)
    invitation.get_by_role("button", name="Accept").click()
    expect(page.locator("#review-heading")).to_have_text("Your review")
    expect(page.locator("#material-heading")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Bidder Ltd")

    for n, criterion in enumerate(criteria):
        page.select_option(f"#id_criterion_{criterion.pk}", str(7 + n % 3))
        page.fill(f"#id_comment_{criterion.pk}", f"Comment on {criterion.name}")
    page.fill(f"#id_comment_{required.pk}", "")
    page.fill("#id_comment", "A credible plan with a strong test programme.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Draft saved.")
    expect(page.locator(f"#id_criterion_{criteria[0].pk}")).to_have_value("7")

    # Submitting without a required comment: the error sits under that criterion, the rest stays.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(f"#id_criterion_{required.pk}-error")).to_contain_text("A comment is required")
    expect(page.locator("#id_comment")).to_have_value("A credible plan with a strong test programme.")
    expect(page.locator(f"#id_comment_{required.pk}")).to_have_class(re.compile("is-invalid"))
    shot(page, "review-form-error")

    phone = page_for("en-US", viewport=PHONE)
    log_in(phone, mine.expert.user.email, PASSWORD)
    phone.goto(f"{phone.base}/reviews/assignments/{encode(mine.pk)}/")
    expect(phone.locator("#review-heading")).to_be_visible()
    shot(phone, "review-form-phone")

    page.fill(f"#id_comment_{required.pk}", "Indicator targets are backed by third-party tests.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".review-card")).to_contain_text("Submitted and locked.")
    expect(page.locator(f"#id_criterion_{criteria[0].pk}")).to_be_disabled()
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    shot(page, "review-form-submitted")

    round.refresh_from_db()
    assert round.status == ReviewRound.Status.COMPLETED

    for viewport, name in [(None, "review-results"), (PHONE, "review-results-phone")]:
        agency_page = page_for("en-US", viewport=viewport)
        log_in(agency_page, approver.email, PASSWORD)
        agency_page.goto(f"{agency_page.base}/reviews/rounds/{encode(round.pk)}/results/")
        expect(agency_page.locator("table.ranking tbody tr")).to_have_count(2)
        expect(agency_page.locator("table.ranking")).to_contain_text("Ties: higher median first")
        agency_page.wait_for_function("Chart.getChart(document.getElementById('score-chart')) !== undefined")
        points = agency_page.evaluate("Chart.getChart(document.getElementById('score-chart')).data.datasets[0].data.length")
        assert points == 6
        expect(agency_page.locator("main")).not_to_contain_text(mine.expert.user.full_name)
        shot(agency_page, name)
