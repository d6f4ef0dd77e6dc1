from datetime import timedelta

import pytest
from django.utils import timezone

from core import clock
from core.models import ClockTick
from core.tasks import advance_due_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(monkeypatch):
    calls = []
    monkeypatch.setattr(clock, "_handlers", {})

    @clock.register("count")
    def count(now):
        calls.append(now)
        return 1

    @clock.register("broken")
    def broken(now):
        raise RuntimeError("boom")

    return calls


def test_the_periodic_task_runs_every_handler_and_isolates_failures(registered):
    result = advance_due_work.apply().get()
    assert result["count"] == 1
    assert result["broken"].startswith("error")
    assert len(registered) == 1
    assert ClockTick.objects.get(pk=1).finished_at is not None


def test_a_run_in_progress_is_not_overlapped(registered):
    now = timezone.now()
    ClockTick.objects.create(pk=1, started_at=now, finished_at=now - timedelta(minutes=1))
    assert clock.advance(now + timedelta(seconds=30)) == {"skipped": "another run is in progress"}
    assert registered == []
    # A run that died long ago does not block the clock forever.
    assert clock.advance(now + timedelta(minutes=10))["count"] == 1


def test_the_beat_schedule_runs_it_every_minute():
    from config.celery import app

    entry = app.conf.beat_schedule["advance-due-work"]
    assert entry["task"] == "core.tasks.advance_due_work"
    assert entry["schedule"].minute == set(range(60))
