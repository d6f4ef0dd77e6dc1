"""Web hardening: CSRF on every form, session rotation, login lockout (django-axes), password rules.

Already covered elsewhere and not repeated here: the API token lockout (tests/core/test_api.py),
`check --deploy` and the security headers (tests/core/test_settings.py)."""

from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .matrix import OK, TABLE
from .world import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

PASSWORD = "correct-horse-battery"
FORM_POSTS = [e for e in TABLE if e.name.startswith("frontend:") and e.method == "POST"]


def _allowed_role(entry) -> str:
    """A role the matrix lets through, so that only the missing token can explain a refusal."""
    return next((role for role in ROLES if entry.expect[role] == OK), "applicant")


@pytest.fixture(scope="module")
def strict_client():
    """One client for all forms (a new one would load the middleware again); cookies reset per use."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("entry", FORM_POSTS, ids=[e.name for e in FORM_POSTS])
def test_a_form_post_without_its_csrf_token_is_refused(world, strict_client, entry):
    client = strict_client
    client.cookies = SimpleCookie()
    role = _allowed_role(entry)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    data = entry.data(world) if entry.data else {}
    response = client.post(reverse(entry.name, kwargs=entry.kwargs(world)), data)
    assert response.status_code == 403, f"{entry.name} as {role}"
    assert b"CSRF" in response.content


def test_an_api_write_in_a_browser_session_needs_the_csrf_token_too(world):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["applicant"]
    response = client.post(reverse("core:notification-read"), {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# Sessions ---------------------------------------------------------------------------------------


def _log_in(client, user, password=PASSWORD):
    return client.post(reverse("frontend:login"), {"username": user.email, "password": password})


def test_logging_in_gives_a_new_session_key_and_drops_the_old_one(client, bidder):
    session = client.session
    session["seen_before_login"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert _log_in(client, bidder).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(bidder.pk)


def test_logging_out_ends_the_session_on_the_server(client, bidder):
    _log_in(client, bidder)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert client.post(reverse("frontend:logout")).status_code == 302

    assert not Session.objects.filter(session_key=before).exists()
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert client.get(reverse("frontend:profile"))["Location"].startswith(reverse("frontend:login"))


def test_logout_by_get_is_refused_and_keeps_the_user_logged_in(client, bidder):
    client.force_login(bidder)
    assert client.get(reverse("frontend:logout")).status_code == 405
    assert client.get(reverse("frontend:profile")).status_code == 200


# Login lockout (django-axes) ------------------------------------------------------------------


def _fail(client, user, times: int):
    for _ in range(times):
        assert _log_in(client, user, "wrong-password").status_code == 200  # the form again, with its error


def _lock_out(client, user):
    """Fail up to the limit: the failure that reaches it is already answered with the lockout."""
    _fail(client, user, settings.AXES_FAILURE_LIMIT - 1)
    response = _log_in(client, user, "wrong-password")
    assert response.status_code == 429
    return response


def test_the_login_page_locks_out_after_the_configured_failures_even_with_the_right_password(client, bidder):
    _lock_out(client, bidder)

    response = _log_in(client, bidder)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Our page (AXES_LOCKOUT_TEMPLATE) in the site's layout, not axes' bare text: it says why and for
    # how long, and leads to the password reset.
    assert {"frontend/accounts/locked_out.html", "frontend/base.html"} <= {t.name for t in response.templates}
    page = response.content.decode()
    assert "Account locked for now" in page
    assert "Too many failed attempts. Try again later." in page
    assert "for a while" in page
    assert f'href="{reverse("frontend:password_reset")}"' in page
    assert '<main id="main"' in page


def test_the_lockout_page_is_translated(client, bidder):
    _lock_out(client, bidder)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = _log_in(client, bidder)

    assert response.status_code == 429
    assert '<html lang="zh-CN"' in response.content.decode()
    assert "失败次数过多，请稍后再试。" in response.content.decode()  # already in the catalogue


def test_one_failure_less_than_the_limit_still_lets_the_right_password_in(client, bidder):
    _fail(client, bidder, settings.AXES_FAILURE_LIMIT - 1)
    assert _log_in(client, bidder).status_code == 302


def test_a_successful_login_resets_the_failure_count(client, bidder):
    _fail(client, bidder, settings.AXES_FAILURE_LIMIT - 1)
    assert _log_in(client, bidder).status_code == 302
    client.post(reverse("frontend:logout"))

    _fail(client, bidder, settings.AXES_FAILURE_LIMIT - 1)

    assert _log_in(client, bidder).status_code == 302


def test_the_lockout_ends_after_the_cool_off_period(client, bidder):
    _lock_out(client, bidder)

    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(minutes=1))

    assert _log_in(client, bidder).status_code == 302


def test_a_lockout_is_per_account_and_address_so_others_can_still_log_in(client, bidder, rival):
    _lock_out(client, bidder)
    assert _log_in(Client(), rival).status_code == 302


# Password rules -------------------------------------------------------------------------------

WEAK = [
    pytest.param("Xy7-abc", "too short", id="short"),
    pytest.param("password123", "too common", id="common"),
    pytest.param("4829105736", "entirely numeric", id="numeric"),
    pytest.param("adalovelace", "too similar", id="like-the-email"),
]


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_sign_up_refuses_a_weak_password_with_the_reason(client, password, message):
    response = client.post(
        reverse("frontend:signup"),
        {"full_name": "Ada", "email": "ada.lovelace@example.cn", "language": "en", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode().lower()
    assert not get_user_model().objects.filter(email="ada.lovelace@example.cn").exists()


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_reset_refuses_a_weak_password_with_the_reason(client, password, message):
    user = get_user_model().objects.create_user(email="ada.lovelace@example.cn", password=PASSWORD, full_name="Ada")
    link = reverse(
        "frontend:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    form_url = client.get(link)["Location"]  # Django swaps the token for a session-held one

    response = client.post(form_url, {"new_password1": password, "new_password2": password})

    assert response.status_code == 200
    assert message in response.content.decode().lower()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# Changing the password (logged in) ----------------------------------------------------------------


def _change(client, old: str, new: str, again: str | None = None):
    data = {"old_password": old, "new_password1": new, "new_password2": new if again is None else again}
    return client.post(reverse("frontend:password_change"), data)


def test_the_password_change_page_is_for_logged_in_users_and_linked_from_the_menu(client, bidder):
    assert client.get(reverse("frontend:password_change"))["Location"].startswith(reverse("frontend:login"))
    client.force_login(bidder)

    page = client.get(reverse("frontend:profile")).content.decode()

    assert f'href="{reverse("frontend:password_change")}"' in page
    assert client.get(reverse("frontend:password_change")).status_code == 200


def test_changing_the_password_keeps_this_session_and_is_audited(client, bidder):
    from core.models import AuditEvent

    _log_in(client, bidder)

    response = _change(client, PASSWORD, "a-much-longer-passphrase")

    assert response.status_code == 302 and response["Location"] == reverse("frontend:password_change_done")
    bidder.refresh_from_db()
    assert bidder.check_password("a-much-longer-passphrase")
    assert client.get(reverse("frontend:profile")).status_code == 200  # still logged in here (under a new key)
    event = AuditEvent.objects.filter(action="user.password_change").get()
    assert event.actor_id == bidder.pk
    assert "a-much-longer-passphrase" not in str(event.__dict__)
    # The old password no longer logs in; the new one does.
    other = Client()
    assert _log_in(other, bidder).status_code == 200
    assert _log_in(other, bidder, "a-much-longer-passphrase").status_code == 302


def test_another_session_of_the_same_user_ends_when_the_password_changes(client, bidder):
    elsewhere = Client()
    elsewhere.force_login(bidder)
    client.force_login(bidder)

    assert _change(client, PASSWORD, "a-much-longer-passphrase").status_code == 302

    assert elsewhere.get(reverse("frontend:profile"))["Location"].startswith(reverse("frontend:login"))


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_change_refuses_a_weak_password_with_the_reason(client, password, message):
    user = get_user_model().objects.create_user(email="ada.lovelace@example.cn", password=PASSWORD, full_name="Ada")
    client.force_login(user)

    response = _change(client, PASSWORD, password)

    assert response.status_code == 400
    assert message in response.content.decode().lower()
    assert 'aria-invalid="true"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_refuses_a_wrong_old_password(client, bidder):
    from core.models import AuditEvent

    client.force_login(bidder)

    response = _change(client, "not-my-password", "a-much-longer-passphrase")

    assert response.status_code == 400
    assert "your old password was entered incorrectly" in response.content.decode().lower()
    bidder.refresh_from_db()
    assert bidder.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_password_change_refuses_two_different_new_passwords(client, bidder):
    client.force_login(bidder)

    response = _change(client, PASSWORD, "a-much-longer-passphrase", again="another-long-passphrase")

    assert response.status_code == 400
    assert "didn" in response.content.decode().lower()  # the two password fields didn't match
    bidder.refresh_from_db()
    assert bidder.check_password(PASSWORD)


def test_password_change_needs_the_csrf_token(bidder):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bidder)

    response = _change(client, PASSWORD, "a-much-longer-passphrase")

    assert response.status_code == 403
    assert b"CSRF" in response.content
    bidder.refresh_from_db()
    assert bidder.check_password(PASSWORD)
