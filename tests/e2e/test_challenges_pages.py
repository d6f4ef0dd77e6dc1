import importlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import Challenge
from tests.factories import indicator_data, make_challenge

from .conftest import log_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def taxonomy(transactional_db):
    """Browser tests flush the database after each test, migration data included: put the fields back."""
    from django.apps import apps

    migration = importlib.import_module("challenges.migrations.0002_taxonomy_and_search_index")
    migration.add_fields(apps, None)


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_editor_drafts_an_approver_approves_and_the_public_finds_it(page_for, shot, editor, approver, transactional_db):
    page = page_for("en-US")
    log_in(page, editor.email, PASSWORD)
    page.click("nav >> text=My challenges")
    page.click("text=New challenge")
    page.fill("#id_title", "Radiation-hardened FPGA 抗辐照FPGA")
    page.check("label:has-text('Aerospace')")
    page.fill("#id_summary", "A domestic rad-hard FPGA for satellites.")
    page.fill("#id_chokepoint", "Every satellite flies an imported FPGA under export licence.")
    page.fill("#id_government_funding", "-3")
    page.fill("#id_bidding_opens_at", local(timezone.now() - timedelta(hours=1)))
    page.fill("#id_bidding_closes_at", local(timezone.now() + timedelta(days=40)))
    page.fill("#id_indicators-0-name", "Total ionising dose")
    page.fill("#id_indicators-0-unit", "krad(Si)")
    page.select_option("#id_indicators-0-comparison", "gte")
    page.fill("#id_indicators-0-target_value", "300")
    page.fill("#id_indicators-0-domestic_level", "100")
    page.fill("#id_indicators-0-international_level", "300")
    page.click("text=Add another indicator")
    page.fill("#id_indicators-2-name", "Logic cells")
    page.fill("#id_indicators-2-target_value", "500000")
    page.click("button:has-text('Save the draft')")
    # Negative money: the error sits next to the field and the typed values stay.
    assert "greater than or equal to 0.01" in page.inner_text("#id_government_funding-error")
    assert page.input_value("#id_title") == "Radiation-hardened FPGA 抗辐照FPGA"
    assert page.input_value("#id_indicators-2-name") == "Logic cells"
    shot(page, "challenges-form-error")
    page.fill("#id_government_funding", "30000000")
    page.click("button:has-text('Save the draft')")
    assert "Draft saved" in page.inner_text("[role=alert]")
    challenge = Challenge.objects.get()
    assert [i.name for i in challenge.indicators.all()] == ["Total ionising dose", "Logic cells"]
    page.click("button:has-text('Submit for approval')")
    assert "Submitted for approval" in page.inner_text("[role=alert]")

    boss = page_for("en-US")
    log_in(boss, approver.email, PASSWORD)
    boss.goto(f"{boss.base}/agency/challenges/")
    boss.click("text=Radiation-hardened FPGA")
    boss.click("button:has-text('Approve and publish')")
    assert "Approved and published" in boss.inner_text("[role=alert]")

    public = page_for("en-US")
    public.goto(public.base + "/")
    public.click("nav >> text=Challenges")
    public.fill("#id_q", "抗辐照")
    public.click("button:has-text('Search')")
    assert "1 challenge" in public.inner_text("main")
    public.click("text=Radiation-hardened FPGA")
    assert "≥ 300 krad(Si)" in public.inner_text("table")
    # app.js has replaced the server's "1 month, 1 week" with a ticking countdown.
    assert re.fullmatch(r"\d+d \d\d:\d\d:\d\d", public.locator(".countdown").first.inner_text())


def test_list_and_detail_look_right_on_desktop_and_phone(page_for, shot, agency, editor, approver, bidder, transactional_db):
    from challenges import services
    from tests.factories import technical_field

    published = make_challenge(
        issuer=agency,
        editor=editor,
        approver=approver,
        status="published",
        fields=[technical_field(), technical_field("advanced-materials")],
        indicators=[
            indicator_data(),
            indicator_data(name="Wafer diameter", unit="mm", comparison="gte", target_value=200),
        ],
        ip_terms="Background IP stays with its owner; foreground IP is shared.",
        contact_name="Ms Li",
        contact_email="li@bureau.example.cn",
    )
    question = services.question_ask(challenge=published, actor=bidder, text="Are 6-inch wafers acceptable for tests?")
    services.question_answer(question=question, actor=editor, answer="Yes for tests; delivery must be 8-inch.")
    services.challenge_amend(
        challenge=published,
        actor=editor,
        reason="More time for consortia to form",
        changes={"bidding_closes_at": published.bidding_closes_at + timedelta(days=14)},
    )
    for n in range(3):
        make_challenge(
            issuer=agency,
            editor=editor,
            approver=approver,
            status="published",
            title=f"Industrial control kernel {n + 1} 工业控制内核",
            government_funding=5000000 * (n + 1),
            fields=[technical_field("industrial-software")],
        )

    for locale, name in (("en-US", "en"), ("zh-CN", "zh")):
        desktop = page_for(locale)
        desktop.goto(desktop.base + "/challenges/")
        shot(desktop, f"challenges-list-{name}")
        desktop.goto(f"{desktop.base}/challenges/{published.pk}/")
        shot(desktop, f"challenges-detail-{name}")

    phone = page_for("en-US", viewport={"width": 390, "height": 844})
    phone.goto(phone.base + "/challenges/?open_now=on")
    assert phone.locator("details[open]").count() == 1
    shot(phone, "challenges-list-phone")
    log_in(phone, bidder.email, PASSWORD)
    phone.goto(f"{phone.base}/challenges/{published.pk}/")
    shot(phone, "challenges-detail-phone")
    # Nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
