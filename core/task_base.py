"""The base of the platform's Celery tasks: retry a transient database error, then alert.

A lost connection or a lock timeout usually passes; the task runs again with backoff on a
fresh connection. If it still fails after the last retry, every operator gets an in-app
notification (and its email), the audit trail records it, and the log says so.
"""

import logging

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction

log = logging.getLogger(__name__)
DB_ERRORS = (OperationalError, InterfaceError)


class PlatformTask(Task):
    autoretry_for = DB_ERRORS
    max_retries = settings.CELERY_DB_RETRIES
    retry_backoff = settings.CELERY_DB_RETRY_BACKOFF
    retry_backoff_max = 600
    retry_jitter = True
    acks_late = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if isinstance(exc, DB_ERRORS):
            alert_operators(self.name, task_id, exc, retries=self.request.retries)
        super().on_failure(exc, task_id, args, kwargs, einfo)


def alert_operators(task_name: str, task_id: str, exc: BaseException, *, retries: int) -> None:
    """Tell the operators a task gave up. Never raises: the database may still be unwell."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext_lazy

    from . import audit
    from .notifications import notify

    log.error("task %s[%s] failed after %s retries: %r", task_name, task_id, retries, exc)
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
    detail = {"task": task_name, "task_id": task_id, "retries": retries, "error": repr(exc)[:500]}
    try:
        with transaction.atomic():
            audit.record(action="task.failed", after=detail)
            operators = get_user_model().objects.filter(is_operator=True, is_active=True)
            notify(
                recipients=operators,
                verb="task.failed",
                key=f"task.failed:{task_id}",
                title=gettext_lazy("Background task failed: %(task)s"),
                body=gettext_lazy("It gave up after %(retries)s retries: %(error)s. Check the database, then run it again."),
                context=detail,
            )
    except Exception:
        log.exception("could not alert the operators about task %s[%s]", task_name, task_id)
