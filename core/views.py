"""Health: whether the database, the broker and a worker answer."""

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import ClockTick


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _broker() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _workers() -> int:
    from config.celery import app

    try:
        return len(app.control.ping(timeout=1.0) or [])
    except Exception:
        return 0


def _clock() -> dict:
    tick = ClockTick.objects.filter(pk=1).first()
    if tick is None or tick.finished_at is None:
        return {"last_run": None, "age_seconds": None}
    return {
        "last_run": tick.finished_at.isoformat(),
        "age_seconds": int((timezone.now() - tick.finished_at).total_seconds()),
    }


@never_cache
@require_GET
def healthz(request):
    database = _database()
    broker = _broker() if database == "ok" else "unknown"
    workers = _workers() if broker == "ok" else 0
    healthy = database == "ok" and broker == "ok"
    body = {
        "status": "ok" if healthy and workers else ("degraded" if healthy else "error"),
        "database": database,
        "broker": broker,
        "worker": "ok" if workers else "unreachable",
        "workers": workers,
        "clock": _clock() if database == "ok" else None,
    }
    return JsonResponse(body, status=200 if healthy else 503)
