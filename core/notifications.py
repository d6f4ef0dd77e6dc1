"""The one way any feature notifies people: an in-app entry and, optionally, an email."""

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import mail
from .models import Notification


def notify(
    *,
    recipients: Iterable,
    verb: str,
    key: str,
    title,
    body="",
    context: Mapping | None = None,
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify each recipient once per `key`, in their own language.

    `title` and `body` are lazy translations with %(name)s placeholders filled from
    `context`. The email copy is queued in the ledger and sent after commit.
    """
    created = []
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            values = {k: str(v) for k, v in (context or {}).items()}
            note = Notification(
                recipient=user,
                verb=verb,
                key=key[:160],
                title=(str(title) % values)[:250],
                body=str(body) % values,
                url=url,
            )
            try:
                with transaction.atomic():
                    note.save()
            except IntegrityError:
                continue  # this person was already notified of this event
            if email:
                link = f"\n\n{_('Open')}: {settings.SITE_URL}{url}" if url else ""
                mail.queue(key=f"notification:{note.pk}", to=user.email, subject=note.title, body=note.body + link)
        created.append(note)
    return created


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
