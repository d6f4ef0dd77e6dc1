"""Outgoing email: queued as a ledger row, sent by a worker exactly once."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import OutboundEmail

State = OutboundEmail.State
# A pending email older than this lost its queued message (say, a broker restart).
STALL_AFTER = timedelta(minutes=10)
# A row claimed longer ago than this and still "sending" lost its worker mid-send: the
# message may have reached the mail server or not, so it is flagged, never sent again.
UNCERTAIN_AFTER = timedelta(minutes=15)


def queue(*, key: str, to: str, subject: str, body: str) -> OutboundEmail:
    """Record the email once per key and hand it to a worker after commit."""
    email, created = OutboundEmail.objects.get_or_create(
        key=key[:200], defaults={"to": to, "subject": subject[:250], "body": body}
    )
    if created:
        from .tasks import send_email

        transaction.on_commit(lambda: send_email.delay(email.pk))
    return email


def claim(email_id: int) -> OutboundEmail | None:
    """pending → sending; the row count says whether this run won the claim."""
    won = OutboundEmail.objects.filter(pk=email_id, state=State.PENDING).update(state=State.SENDING, claimed_at=timezone.now())
    return OutboundEmail.objects.get(pk=email_id) if won else None


def deliver(email: OutboundEmail) -> None:
    """Send a claimed email; on failure put it back to pending so a retry can claim it."""
    domain = settings.SITE_URL.split("//")[-1].split(":")[0]
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        to=[email.to],
        # A stable Message-ID lets a receiving server drop a duplicate as well.
        headers={"Message-ID": f"<email-{email.pk}@{domain}>"},
    )
    try:
        message.send()
    except Exception as exc:
        OutboundEmail.objects.filter(pk=email.pk, state=State.SENDING).update(
            state=State.PENDING, attempts=email.attempts + 1, last_error=repr(exc)[:250]
        )
        raise
    OutboundEmail.objects.filter(pk=email.pk).update(state=State.SENT, sent_at=timezone.now(), attempts=email.attempts + 1)


def stalled_ids(now=None) -> list[int]:
    cutoff = (now or timezone.now()) - STALL_AFTER
    stalled = OutboundEmail.objects.filter(state=State.PENDING, created_at__lt=cutoff)
    return list(stalled.values_list("pk", flat=True)[:500])


def flag_uncertain(now=None) -> list[OutboundEmail]:
    """sending → uncertain for rows whose worker died; the operators are told, once per row."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext_lazy

    from . import audit
    from .notifications import notify

    cutoff = (now or timezone.now()) - UNCERTAIN_AFTER
    flagged = []
    for pk in OutboundEmail.objects.filter(state=State.SENDING, claimed_at__lt=cutoff).values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            if not OutboundEmail.objects.filter(pk=pk, state=State.SENDING, claimed_at__lt=cutoff).update(state=State.UNCERTAIN):
                continue  # the worker finished after all, or another sweep took it
            email = OutboundEmail.objects.get(pk=pk)
            audit.record(action="email.uncertain", obj=email, after={"key": email.key, "to": email.to})
            notify(
                recipients=get_user_model().objects.filter(is_operator=True, is_active=True),
                verb="email.uncertain",
                key=f"email.uncertain:{email.pk}",
                title=gettext_lazy("Email may not have been sent: %(subject)s"),
                body=gettext_lazy(
                    "A worker stopped while sending this email to %(to)s. It may or may not have arrived; "
                    "it will not be sent again automatically."
                ),
                context={"subject": email.subject, "to": email.to},
            )
        flagged.append(email)
    return flagged
