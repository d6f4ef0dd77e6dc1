import smtplib

from celery import shared_task

from . import clock, mail
from .task_base import DB_ERRORS, PlatformTask


@shared_task(base=PlatformTask)
def advance_due_work() -> dict:
    """Advance everything that is due. Idempotent: running it twice or late is harmless."""
    return clock.advance()


@shared_task(
    base=PlatformTask,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, *DB_ERRORS),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_email(email_id: int) -> bool:
    """Send one queued email; a second run finds it claimed or sent and does nothing."""
    email = mail.claim(email_id)
    if email is None:
        return False
    mail.deliver(email)
    return True


@shared_task(base=PlatformTask)
def requeue_stalled_email() -> dict:
    """Re-send the message for pending emails whose task never reached a worker, and flag
    the ones a dead worker left half-sent (sent at most once: those are never re-sent)."""
    ids = mail.stalled_ids()
    for pk in ids:
        send_email.delay(pk)
    return {"requeued": len(ids), "uncertain": len(mail.flag_uncertain())}
