"""The platform clock: apps register what to advance when its time has come.

Deadlines are rows, not queued timers. Each handler takes `now`, advances every
object that is due, returns how many it advanced, and does nothing the second time.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import ClockTick

log = logging.getLogger(__name__)
Handler = Callable[[datetime], int]
_handlers: dict[str, Handler] = {}
# A run that has not finished in this long is presumed dead and may be overtaken.
RUN_TIMEOUT = timedelta(minutes=5)


def register(name: str) -> Callable[[Handler], Handler]:
    def decorator(func: Handler) -> Handler:
        _handlers[name] = func
        return func

    return decorator


def handlers() -> dict[str, Handler]:
    return dict(_handlers)


def _claim(now: datetime) -> bool:
    """Only one run at a time: a conditional update decides who runs."""
    ClockTick.objects.get_or_create(pk=1)
    free = Q(started_at__isnull=True) | Q(finished_at__gte=F("started_at")) | Q(started_at__lt=now - RUN_TIMEOUT)
    return bool(ClockTick.objects.filter(free, pk=1).update(started_at=now))


def advance(now: datetime | None = None) -> dict[str, int | str]:
    """Run every registered handler once; one failing handler does not stop the others."""
    now = now or timezone.now()
    if not _claim(now):
        return {"skipped": "another run is in progress"}
    results: dict[str, int | str] = {}
    for name, handler in sorted(_handlers.items()):
        try:
            with transaction.atomic():
                results[name] = handler(now)
        except Exception as exc:  # isolate handlers; the next tick retries
            log.exception("clock handler %s failed", name)
            results[name] = f"error: {exc.__class__.__name__}"
    ClockTick.objects.filter(pk=1).update(finished_at=timezone.now(), results=results)
    return results
