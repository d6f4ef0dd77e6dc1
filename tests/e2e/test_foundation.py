import pytest

from accounts.models import Organisation

from .conftest import log_in

pytestmark = pytest.mark.e2e


def test_public_home_in_chinese_and_english(page_for, shot, transactional_db):
    chinese = page_for("zh-CN")
    chinese.goto(chinese.base + "/")
    assert chinese.locator("html").get_attribute("lang") == "zh-CN"
    assert "登录" in chinese.locator("nav").inner_text()
    shot(chinese, "foundation-home-zh")

    english = page_for("en-US")
    english.goto(english.base + "/")
    assert "Log in" in english.locator("nav").inner_text()
    shot(english, "foundation-home-en")


def test_switching_language_with_the_switcher(page_for, transactional_db):
    page = page_for("en-US")
    page.goto(page.base + "/")
    with page.expect_navigation():
        page.select_option("#language-switch", "zh-hans")
    assert "登录" in page.locator("nav").inner_text()


def test_operator_logs_in_and_verifies_an_organisation(page_for, shot, operator, transactional_db):
    from tests.factories import OrganisationFactory

    pending = OrganisationFactory(pending=True, name="Pending Photonics")
    page = page_for("en-US")
    log_in(page, operator.email, "correct-horse-battery")
    page.click("text=Verify organisations")
    page.click("text=Pending Photonics")
    shot(page, "foundation-operator-verifies")
    page.click("button:has-text('Verify')")
    page.wait_for_load_state()
    assert "is verified" in page.locator("[role=alert]").first.inner_text()
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.VERIFIED


def test_login_error_is_shown_next_to_the_form(page_for, bidder, transactional_db):
    page = page_for("en-US", viewport={"width": 390, "height": 844})
    log_in(page, bidder.email, "wrong-password")
    assert "correct email" in page.locator("form .alert").inner_text().lower() or page.locator(".alert-danger").count()
    assert page.input_value("input[name=username]") == bidder.email
