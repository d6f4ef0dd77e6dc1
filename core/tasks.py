import smtplib

from celery import shared_task

from . import clock, mail


@shared_task(acks_late=True)
def advance_due_work() -> dict:
    """Advance everything that is due. Idempotent: running it twice or late is harmless."""
    return clock.advance()


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
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


@shared_task(acks_late=True)
def requeue_stalled_email() -> int:
    """Re-send the message for pending emails whose task never reached a worker."""
    ids = mail.stalled_ids()
    for pk in ids:
        send_email.delay(pk)
    return len(ids)
