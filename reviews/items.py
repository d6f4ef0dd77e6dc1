"""The reviewable-item interface: the engine reviews anything a higher app registers.

An adapter describes a subject (what conflicts and affinity need) and renders what a
reviewer may read, blind or not. Bids register here now; milestone deliveries will.
"""

from dataclasses import dataclass, field
from typing import Protocol

from django.db import models


@dataclass
class Description:
    label: str
    blind_label: str
    organisation_ids: list[int]
    field_ids: list[int]
    keywords: list[str]
    # Names that must never reach a blind reviewer (organisations, people).
    identifying_names: list[str] = field(default_factory=list)


class Adapter(Protocol):
    def describe(self, subject: models.Model) -> Description: ...

    def content(self, subject: models.Model, *, blind: bool) -> dict: ...

    def attachments(self, subject: models.Model) -> list: ...


_adapters: dict[str, Adapter] = {}


def register(model: type[models.Model], adapter: Adapter) -> None:
    _adapters[model._meta.label_lower] = adapter


def adapter_for(model_label: str) -> Adapter:
    return _adapters[model_label]
