"""The asynchronous path end to end: a real worker process, the real broker, the real database."""

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.models import ClockTick, OutboundEmail
from core.notifications import notify
from core.tasks import advance_due_work, send_email

from .conftest import wait_for

pytestmark = pytest.mark.integration


def _mail_files(worker):
    return [p for p in worker.mail_dir.iterdir() if p.is_file()]


def test_a_notification_email_is_sent_by_the_worker_exactly_once(worker, bidder):
    with transaction.atomic():
        notify(
            recipients=[bidder],
            verb="test.event",
            key="integration:1",
            title=_("Organisation to verify: %(name)s"),
            context={"name": "ACME"},
        )
    email = OutboundEmail.objects.get(to=bidder.email)
    assert wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).state == OutboundEmail.State.SENT, 30), worker.log.read_text()
    assert wait_for(lambda: len(_mail_files(worker)) == 1, 10)
    assert "Organisation to verify: ACME" in _mail_files(worker)[0].read_text()

    # The same task delivered again (a redelivery after a crash) sends nothing more.
    assert send_email.delay(email.pk).get(timeout=30) is False
    assert len(_mail_files(worker)) == 1


def test_the_clock_task_runs_on_the_worker(worker):
    result = advance_due_work.delay().get(timeout=30)
    assert "skipped" not in result
    assert ClockTick.objects.get(pk=1).finished_at is not None


def test_healthz_sees_the_worker(worker, client):
    body = client.get("/healthz").json()
    assert body["worker"] == "ok" and body["workers"] >= 1
