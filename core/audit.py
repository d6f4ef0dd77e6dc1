"""The audit trail: every service writes through `record`; `verify_chain` checks it."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from . import context
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def plain(value: Any) -> Any:
    """The value exactly as it will read back from the JSON column."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def event_hash(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "actor": event.actor_id,
        "organisation": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of a model instance, for before/after states."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return plain({name: getattr(obj, _attname(obj, name)) for name in names})


def _attname(obj: models.Model, name: str) -> str:
    """`affiliation` → `affiliation_id`: record a foreign key by its id, not the object."""
    try:
        return obj._meta.get_field(name).attname
    except Exception:
        return name


def record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    organisation=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    with transaction.atomic():
        # The UPDATE takes the write lock first (a row lock on PostgreSQL, the database
        # lock on SQLite), so concurrent writers queue here and each sees the true tip.
        AuditHead.objects.get_or_create(pk=1)
        AuditHead.objects.filter(pk=1).update(seq=F("seq") + 1)
        head = AuditHead.objects.get(pk=1)
        event = AuditEvent(
            seq=head.seq,
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            organisation=organisation,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            before=plain(before),
            after=plain(after),
            request_id=context.request_id.get(),
            prev_hash=head.hash,
        )
        event.hash = event_hash(event)
        event.save()
        AuditHead.objects.filter(pk=1).update(hash=event.hash)
    return event


def verify_chain(batch_size: int = 2000) -> AuditEvent | None:
    """Return the first event whose hash or link is wrong, or None if the chain holds."""
    expected_prev, expected_seq = GENESIS, 1
    for event in _in_order(batch_size):
        if event.seq != expected_seq or event.prev_hash != expected_prev or event.hash != event_hash(event):
            return event
        expected_prev, expected_seq = event.hash, event.seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        # Rows were removed from the end: report the tip the head still points to.
        return AuditEvent(seq=head.seq, action="<missing>", hash=head.hash)
    return None


def _in_order(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
