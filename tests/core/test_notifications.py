import pytest
from django.core import mail as outbox
from django.utils.translation import gettext_lazy as _

from core import mail
from core.models import Notification, OutboundEmail
from core.notifications import notify
from core.tasks import send_email

pytestmark = pytest.mark.django_db


def _notify(users, key="event:1"):
    return notify(
        recipients=users,
        verb="test.event",
        key=key,
        title=_("Organisation to verify: %(name)s"),
        body="Body for %(name)s",
        context={"name": "ACME"},
        url="/somewhere/",
    )


def test_notify_creates_one_entry_and_emails_after_commit(bidder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify([bidder])
    assert len(callbacks) == 1
    note = Notification.objects.get(recipient=bidder)
    assert note.title == "Organisation to verify: ACME"
    assert len(outbox.outbox) == 1
    assert outbox.outbox[0].subject == "Organisation to verify: ACME"
    assert "/somewhere/" in outbox.outbox[0].body


def test_the_same_event_notifies_once(bidder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify([bidder, bidder])
        _notify([bidder])
    assert Notification.objects.filter(recipient=bidder).count() == 1
    assert len(outbox.outbox) == 1


def test_the_email_task_running_twice_sends_once(bidder):
    email = mail.queue(key="k", to=bidder.email, subject="s", body="b")
    assert send_email.apply(args=[email.pk]).get() is True
    assert send_email.apply(args=[email.pk]).get() is False
    assert len(outbox.outbox) == 1
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT and email.attempts == 1


def test_a_failed_send_goes_back_to_pending_for_retry(bidder, settings):
    settings.EMAIL_BACKEND = "tests.core.test_notifications.BrokenBackend"
    email = mail.queue(key="k2", to=bidder.email, subject="s", body="b")
    with pytest.raises(ConnectionError):
        mail.deliver(mail.claim(email.pk))
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.PENDING and "refused" in email.last_error


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("refused")


def test_recipients_get_their_own_language(bidder, operator):
    operator.language = "zh-hans"
    operator.save()
    _notify([bidder, operator])
    assert Notification.objects.get(recipient=bidder).title.startswith("Organisation to verify")
    assert Notification.objects.get(recipient=operator).title.startswith("待核验")


def test_notification_page_and_unread_count(client, api, bidder, rival):
    _notify([bidder])
    client.force_login(bidder)
    page = client.get("/notifications/")
    assert "Organisation to verify: ACME" in page.content.decode()
    data = api.as_user(bidder).get("/api/v1/notifications/").json()
    assert data["unread"] == 1 and data["results"][0]["title"].endswith("ACME")
    assert api.post("/api/v1/notifications/read", {}, format="json").json() == {"marked": 1}
    assert api.as_user(rival).get("/api/v1/notifications/").json()["count"] == 0


def test_notification_page_query_count_is_constant(client, bidder, django_assert_max_num_queries):
    for i in range(30):
        _notify([bidder], key=f"event:{i}")
    client.force_login(bidder)
    with django_assert_max_num_queries(9):
        assert client.get("/notifications/").status_code == 200


def test_service_notifications_are_translated_for_chinese_readers(agency, editor, approver, bidder_org, bidder):
    from tests.factories import make_bid, make_challenge

    bidder.language = "zh-hans"
    bidder.save()
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    make_bid(challenge=challenge, lead=bidder_org, actor=bidder, submit=True)
    assert Notification.objects.get(recipient=bidder, verb="bid.submitted").title.startswith("揭榜申请已提交")
