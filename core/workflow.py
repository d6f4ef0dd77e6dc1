"""Lifecycles as data: one table of transitions per model, one guarded path to apply them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from . import audit
from .errors import InvalidTransition


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    # A `rules` permission checked against the locked object; None for system moves.
    permission: str | None = None
    # The verb shown in error messages ("verify"); a lazy translation.
    label: object = None


@dataclass(frozen=True)
class Lifecycle:
    transitions: tuple[Transition, ...]
    state_field: str = "status"
    by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {t.name: t for t in self.transitions})

    def __getitem__(self, name: str) -> Transition:
        return self.by_name[name]

    def available(self, state: str) -> list[str]:
        return [t.name for t in self.transitions if state in t.sources]


def apply(
    obj: models.Model,
    *,
    lifecycle: Lifecycle,
    name: str,
    actor=None,
    changes: Callable[[models.Model], None] | None = None,
    organisation=None,
    audit_fields: list[str] | None = None,
) -> models.Model:
    """Lock the row, check permission and state, change it, save it and audit it.

    Returns the locked, saved instance; follow-up work belongs in `transaction.on_commit`.
    """
    step = lifecycle[name]
    with transaction.atomic():
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        # Permission first: someone without the right must not learn the state from a 409.
        if step.permission and (actor is None or not actor.has_perm(step.permission, locked)):
            raise PermissionDenied
        state = getattr(locked, lifecycle.state_field)
        if state not in step.sources:
            raise InvalidTransition(obj=locked, action=step.label or name, state_field=lifecycle.state_field)
        before = audit.snapshot(locked, audit_fields)
        setattr(locked, lifecycle.state_field, step.target)
        if changes:
            changes(locked)
        locked.full_clean()
        locked.save()
        audit.record(
            action=f"{locked._meta.model_name}.{name}",
            actor=actor,
            obj=locked,
            organisation=organisation,
            before=before,
            after=audit.snapshot(locked, audit_fields),
        )
    return locked
