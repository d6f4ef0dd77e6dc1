import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from submissions import services
from submissions.models import Bid, Partner
from tests.factories import OrganisationFactory, make_challenge, member

from .conftest import SHOTS, log_in

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def saved(page, section: str) -> None:
    expect(page.locator(f"#section-{section} .save-status")).to_contain_text("Saved at")


def test_a_bidder_fills_every_section_uploads_a_file_and_submits(
    page_for, shot, agency, editor, approver, bidder, bidder_org, transactional_db
):
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    partner_org = OrganisationFactory(name="Partner University", kind="university")
    page = page_for("en-US")
    log_in(page, bidder.email, "correct-horse-battery")

    page.goto(f"{page.base}/challenges/{challenge.pk}/bids/new/")
    page.fill("#id_title", "Eight-inch SiC by physical vapour transport")
    page.click("button:has-text('Start the bid')")
    expect(page.locator("h1")).to_contain_text("Eight-inch SiC")
    expect(page.locator("#bid-checklist")).to_contain_text("Commit to every indicator")

    # Each section saves on its own as the bidder goes (htmx, on change) or with its button.
    page.fill("#id_approach-technical_approach", "Physical vapour transport with a new seed holder.")
    page.fill("#id_approach-prior_achievements", "Six-inch line in production since 2022.")
    page.locator("#id_approach-prior_achievements").press("Tab")
    saved(page, "approach")

    page.fill("#id_commitments-0-value", "0.08")
    page.fill("#id_commitments-0-evidence", "Third-party test of five wafers")
    page.locator("#section-indicators button[type=submit]").click()
    saved(page, "indicators")

    page.fill("#id_team-0-name", "Dr. Chen Wei")
    page.fill("#id_team-0-role", "Project leader")
    page.check("#id_team-0-is_leader")
    page.locator("#section-team button[type=submit]").click()
    saved(page, "team")
    expect(page.locator("#id_team-1-name")).to_be_visible()  # a fresh blank row for the next person

    page.fill("#id_budget-requested_funding", "20000000")
    page.fill("#id_budget-own_funding", "20000000")
    page.select_option("#id_lines-0-category", "equipment")
    page.fill("#id_lines-0-description", "Growth furnaces")
    page.fill("#id_lines-0-government_amount", "20000000")
    page.fill("#id_lines-0-own_amount", "20000000")
    page.locator("#section-budget button[type=submit]").click()
    saved(page, "budget")

    page.fill("#id_milestones-0-title", "Final acceptance")
    page.fill("#id_milestones-0-due_month", "24")
    page.fill("#id_milestones-0-tranche_percent", "150")
    page.locator("#section-milestones button[type=submit]").click()
    expect(page.locator("#id_milestones-0-tranche_percent_error")).to_contain_text("less than or equal to 100")
    expect(page.locator("#id_milestones-0-title")).to_have_value("Final acceptance")
    page.locator("#section-milestones").screenshot(path=str(SHOTS / "bid-editor-section-error.png"))
    page.fill("#id_milestones-0-tranche_percent", "100")
    page.locator("#section-milestones button[type=submit]").click()
    saved(page, "milestones")
    expect(page.locator("[data-tranche-total]")).to_contain_text("100%")

    page.fill("#id_partner-credit_code", partner_org.credit_code)
    page.fill("#id_partner-budget_share", "20")
    page.fill("#id_partner-work_split", "Wafer characterisation")
    page.click("button:has-text('Send the invitation')")
    expect(page.locator("#section-partners")).to_contain_text("Partner University")
    expect(page.locator("#bid-checklist")).to_contain_text("Partners have not confirmed yet")

    page.set_input_files("#id_file-file", {"name": "test-plan.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.fill("#id_file-description", "Test plan")
    page.click("button:has-text('Upload')")
    expect(page.locator("#section-files a:has-text('test-plan.pdf')")).to_be_visible()

    page.check("#id_pledge-agree")
    saved(page, "pledge")
    expect(page.locator("#section-pledge")).to_contain_text("Signed by Bidder Admin")

    # The partner's administrator confirms in their own session; the bidder reloads.
    partner = Partner.objects.get(organisation=partner_org)
    services.partner_respond(partner=partner, actor=member(partner_org, Membership.Role.ADMIN), accept=True)
    page.reload()
    expect(page.locator("#bid-checklist")).to_contain_text("Nothing blocks submission")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "bid-editor-desktop")

    phone = page_for("en-US", viewport={"width": 390, "height": 844})
    log_in(phone, bidder.email, "correct-horse-battery")
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "bid-editor-phone")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Submit the bid')")
    expect(page.locator("[role=alert]").first).to_contain_text("Bid submitted as revision 1")
    shot(page, "bid-detail-submitted")
    bid = Bid.objects.get()
    assert (bid.status, bid.current_revision.number) == (Bid.Status.SUBMITTED, 1)
    assert bid.current_revision.content["attachments"][0]["name"] == "test-plan.pdf"

    page.goto(f"{page.base}/my/bids/")
    expect(page.locator("table").first).to_contain_text("Eight-inch SiC")
    expect(page.locator(".countdown").first).to_have_text(re.compile(r"^\d+d \d\d:\d\d:\d\d$"))
    shot(page, "bid-my-bids")
