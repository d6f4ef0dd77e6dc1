"""The whole journey through the pages: draft → approval → bid → review → decision → publicity →
contract → delivery and acceptance → payment. The clock and the slower side steps (a second bid,
most reviews, the acceptance panel) go through the services; everything a user decides is clicked."""

import importlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from awards import services as award_services
from awards.models import Award, Contract, Decision, Disbursement
from challenges.models import Challenge
from challenges.services import close_due_bidding
from core.opaque import encode
from core.tasks import advance_due_work
from reviews import services as review_services
from reviews.models import Assignment, ReviewRound
from submissions.models import Bid
from tests.factories import OrganisationFactory, make_bid
from tests.reviews.conftest import make_expert

from .conftest import log_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TITLE = "Radiation-hardened FPGA 抗辐照FPGA"


@pytest.fixture(autouse=True)
def reference_data(transactional_db, settings):
    """Browser tests flush the database after each test, migration data included: put it back."""
    from django.apps import apps

    importlib.import_module("challenges.migrations.0002_taxonomy_and_search_index").add_fields(apps, None)
    importlib.import_module("reviews.migrations.0002_rubric_templates").add_templates(apps, None)
    settings.ACCEPTANCE_EXPERTS = 3


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def saved(page, section: str) -> None:
    expect(page.locator(f"#section-{section} .save-status")).to_contain_text("Saved at")


def alert(page):
    return expect(page.locator("[role=alert]").first)


def session(page_for, user):
    page = page_for("en-US")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, user.email, PASSWORD)
    return page


def score(assignment: Assignment, value: int) -> None:
    criteria = list(assignment.item.round.rubric.criteria.all())
    user = assignment.expert.user
    if assignment.status == Assignment.Status.INVITED:
        review_services.assignment_accept(assignment=assignment, actor=user)
    review_services.review_save(
        assignment=assignment,
        actor=user,
        scores={c.pk: {"value": value, "comment": "Checked"} for c in criteria},
        submit=True,
    )


def test_a_challenge_from_draft_to_paid_milestone(
    page_for, shot, agency, editor, approver, bidder_org, bidder, rival_org, rival, operator
):
    # 1. The editor drafts the challenge with the form and submits it for approval.
    page = session(page_for, editor)
    page.click("nav >> text=My challenges")
    page.click("text=New challenge")
    page.fill("#id_title", TITLE)
    page.check("label:has-text('Aerospace')")
    page.fill("#id_summary", "A domestic rad-hard FPGA for satellites.")
    page.fill("#id_chokepoint", "Every satellite flies an imported FPGA under export licence.")
    page.fill("#id_confidential_details", "Radiation test reports of the current imported part.")
    page.fill("#id_nda_text", "The bidder keeps the confidential details secret for five years.")
    page.fill("#id_government_funding", "30000000")
    page.fill("#id_bidding_opens_at", local(timezone.now() - timedelta(hours=1)))
    page.fill("#id_bidding_closes_at", local(timezone.now() + timedelta(days=40)))
    page.fill("#id_indicators-0-name", "Total ionising dose")
    page.fill("#id_indicators-0-unit", "krad(Si)")
    page.select_option("#id_indicators-0-comparison", "gte")
    page.fill("#id_indicators-0-target_value", "300")
    page.fill("#id_indicators-0-domestic_level", "100")
    page.fill("#id_indicators-0-international_level", "300")
    page.click("button:has-text('Save the draft')")
    alert(page).to_contain_text("Draft saved")
    page.click("button:has-text('Submit for approval')")
    alert(page).to_contain_text("Submitted for approval")
    shot(page, "journey-01-submitted")
    challenge = Challenge.objects.get()

    # 2. The approver approves and publishes it.
    boss = session(page_for, approver)
    boss.goto(f"{boss.base}/agency/challenges/")
    boss.click(f"text={TITLE}")
    boss.click("button:has-text('Approve and publish')")
    alert(boss).to_contain_text("Approved and published")
    shot(boss, "journey-02-published")

    # 3. An applicant finds it by search, signs the NDA and reads the confidential part.
    applicant = session(page_for, bidder)
    applicant.goto(applicant.base + "/challenges/")
    applicant.fill("#id_q", "抗辐照")
    applicant.click("button:has-text('Search')")
    expect(applicant.locator("main")).to_contain_text("1 challenge")
    applicant.click(f"text={TITLE}")
    applicant.check("input[name=agree]")
    applicant.click("button:has-text('Sign the NDA')")
    expect(applicant.locator("#nda")).to_contain_text("Radiation test reports")
    shot(applicant, "journey-03-nda-signed")

    # 4. ... fills the bid, section by section, attaches a file and submits.
    applicant.goto(f"{applicant.base}/challenges/{challenge.pk}/bids/new/")
    applicant.fill("#id_title", "Rad-hard FPGA on a 28 nm SOI process")
    applicant.click("button:has-text('Start the bid')")
    expect(applicant.locator("h1")).to_contain_text("Rad-hard FPGA")
    applicant.fill("#id_approach-technical_approach", "SOI process with triple-modular redundancy.")
    applicant.fill("#id_approach-prior_achievements", "Two radiation-tolerant ASICs in orbit.")
    applicant.locator("#id_approach-prior_achievements").press("Tab")
    saved(applicant, "approach")
    applicant.fill("#id_commitments-0-value", "320")
    applicant.fill("#id_commitments-0-evidence", "Cobalt-60 test at a national lab")
    applicant.locator("#section-indicators button[type=submit]").click()
    saved(applicant, "indicators")
    applicant.fill("#id_team-0-name", "Dr. Chen Wei")
    applicant.fill("#id_team-0-role", "Project leader")
    applicant.check("#id_team-0-is_leader")
    applicant.locator("#section-team button[type=submit]").click()
    saved(applicant, "team")
    applicant.fill("#id_budget-requested_funding", "20000000")
    applicant.fill("#id_budget-own_funding", "20000000")
    applicant.select_option("#id_lines-0-category", "equipment")
    applicant.fill("#id_lines-0-description", "Radiation test campaign")
    applicant.fill("#id_lines-0-government_amount", "20000000")
    applicant.fill("#id_lines-0-own_amount", "20000000")
    applicant.locator("#section-budget button[type=submit]").click()
    saved(applicant, "budget")
    applicant.fill("#id_milestones-0-title", "Final acceptance")
    applicant.fill("#id_milestones-0-due_month", "24")
    applicant.fill("#id_milestones-0-tranche_percent", "100")
    applicant.locator("#section-milestones button[type=submit]").click()
    saved(applicant, "milestones")
    applicant.set_input_files("#id_file-file", {"name": "test-plan.pdf", "mimeType": "application/pdf", "buffer": PDF})
    applicant.fill("#id_file-description", "Test plan")
    applicant.click("button:has-text('Upload')")
    expect(applicant.locator("#section-files a:has-text('test-plan.pdf')")).to_be_visible()
    applicant.check("#id_pledge-agree")
    saved(applicant, "pledge")
    applicant.reload()
    expect(applicant.locator("#bid-checklist")).to_contain_text("Nothing blocks submission")
    applicant.click("button:has-text('Submit the bid')")
    alert(applicant).to_contain_text("Bid submitted as revision 1")
    shot(applicant, "journey-04-bid-submitted")
    bid = Bid.objects.get(lead=bidder_org)

    # 5. A second applicant bids too (services), and six experts from six labs join the pool.
    challenge.refresh_from_db()
    make_bid(challenge=challenge, lead=rival_org, actor=rival, submit=True, title="Rival approach")
    for n in range(6):
        make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}"))

    # 6. The deadline passes: the clock closes bidding, checks the bids, assigns and invites experts.
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    advance_due_work.apply()
    round = challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)
    assert round.status == ReviewRound.Status.IN_PROGRESS

    # 7. The operator reviews the formal check on the round page: both bids passed automatically.
    ops = session(page_for, operator)
    ops.goto(f"{ops.base}/reviews/rounds/{encode(round.pk)}/")
    expect(ops.locator("#check tbody tr")).to_have_count(2)
    expect(ops.locator("#check")).not_to_contain_text("Failed")
    shot(ops, "journey-05-round")

    # 8. An expert accepts and scores the winning bid through the review pages; the rest by service.
    assignments = Assignment.objects.filter(item__round=round).select_related("expert__user", "item__round")
    mine = next(a for a in assignments.order_by("pk") if bidder_org.pk in a.item.organisation_ids)
    for other in assignments.exclude(pk=mine.pk):
        score(other, 9 if bidder_org.pk in other.item.organisation_ids else 5)
    expert = session(page_for, mine.expert.user)
    expert.goto(f"{expert.base}/reviews/")
    expert.locator("#invitations-heading + ul li", has_text=mine.item.blind_label).get_by_role("button", name="Accept").click()
    expect(expert.locator("#review-heading")).to_have_text("Your review")
    for criterion in round.rubric.criteria.all():
        expert.select_option(f"#id_criterion_{criterion.pk}", "9")
        expert.fill(f"#id_comment_{criterion.pk}", f"Strong on {criterion.name}")
    expert.fill("#id_comment", "A credible plan with flight heritage.")
    expert.get_by_role("button", name="Submit").click()
    expect(expert.locator(".review-card")).to_contain_text("Submitted and locked.")
    shot(expert, "journey-06-review-submitted")
    round.refresh_from_db()
    assert round.status == ReviewRound.Status.COMPLETED

    # 9. The approver proposes the top-ranked bid on the decision page: publicity opens.
    boss.goto(f"{boss.base}/challenges/{challenge.pk}/decide/")
    boss.check(f"#bid-{bid.pk}")
    boss.click("button:has-text('Propose and open publicity')")
    alert(boss).to_be_visible()
    shot(boss, "journey-07-decided")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.IN_PUBLICITY

    # 10. The public notice, for anyone, in Chinese and in English.
    for locale, name in (("zh-CN", "zh"), ("en-US", "en")):
        public = page_for(locale)
        public.goto(f"{public.base}/awards/")
        expect(public.locator("html")).to_have_attribute("lang", re.compile(f"^{name}"))
        expect(public.locator("main")).to_contain_text(TITLE)
        expect(public.locator("main")).to_contain_text("Bidder Ltd")
        shot(public, f"journey-08-notice-{name}")

    # 11. Publicity ends without objection: the award is final and the contract drafted. The agency
    # splits it into a tranche on signing and a final tranche (service), then both sides sign.
    Decision.objects.update(publicity_ends_at=timezone.now() - timedelta(seconds=1))
    advance_due_work.apply()
    award = Award.objects.get(bid=bid)
    assert award.status == Award.Status.FINAL
    today = timezone.localdate()
    contract = award_services.contract_update(
        contract=award.contract,
        actor=approver,
        milestones=[
            {"title": "Signing", "due_date": today, "tranche_amount": Decimal("6000000")},
            {"title": "Flight model", "due_date": today + timedelta(days=30), "tranche_amount": Decimal("14000000")},
        ],
        first_tranche_on_signing=True,
    )
    boss.goto(f"{boss.base}/contracts/{encode(contract.pk)}/")
    boss.click(f"button:has-text('Sign version {contract.version} for the agency')")
    alert(boss).to_be_visible()
    applicant.goto(f"{applicant.base}/contracts/{encode(contract.pk)}/")
    applicant.click(f"button:has-text('Sign version {contract.version} for the winner')")
    alert(applicant).to_be_visible()
    shot(applicant, "journey-09-contract-signed")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED

    # 12. The winner delivers the flight model on the milestone page; the panel scores it (services).
    final = contract.milestones.get(position=1)
    applicant.goto(f"{applicant.base}/milestones/{encode(final.pk)}/")
    applicant.fill("textarea[name=report]", "Flight model delivered with the Co-60 test report.")
    applicant.fill(f"input[name=indicator_{challenge.indicators.get().pk}]", "320")
    applicant.click("button:has-text('Submit for acceptance')")
    alert(applicant).to_be_visible()
    shot(applicant, "journey-10-delivered")
    final.refresh_from_db()
    panel = Assignment.objects.filter(item__round=final.acceptance_round).select_related("expert__user", "item__round")
    assert panel.count() == 3
    for assignment in panel:
        score(assignment, 8)

    # 13. The approver records the pass on the milestone page.
    boss.goto(f"{boss.base}/milestones/{encode(final.pk)}/")
    boss.check("input[name=outcome][value=pass]")
    boss.fill("textarea[name=reason]", "Total dose 320 krad(Si): target met.")
    boss.click("button:has-text('Record the decision')")
    alert(boss).to_be_visible()
    shot(boss, "journey-11-accepted")
    final.refresh_from_db()
    assert final.status == "passed"

    # 14. The approver approves both tranches; the operator records the payments on the contract page.
    boss.goto(f"{boss.base}/contracts/{encode(contract.pk)}/")
    for _ in range(2):
        boss.locator("button:has-text('Approve')").first.click()
        alert(boss).to_be_visible()
    assert not Disbursement.objects.filter(award=award, status="pending").exists()
    ops.goto(f"{ops.base}/contracts/{encode(contract.pk)}/")
    for n in range(2):
        ops.locator("input[name$=reference]").first.fill(f"BANK-2026-{n}")
        ops.locator("button:has-text('Mark paid')").first.click()
        alert(ops).to_be_visible()
    expect(ops.locator("main")).to_contain_text("BANK-2026-1")
    shot(ops, "journey-12-paid")
    assert sum(d.amount for d in Disbursement.objects.filter(award=award, status="paid")) == award.amount
    assert Award.objects.get(pk=award.pk).status == Award.Status.COMPLETED
