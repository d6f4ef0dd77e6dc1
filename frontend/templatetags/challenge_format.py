"""Formatting for challenge pages: money in the reader's convention, plain numbers, amendment values."""

from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import Organisation
from challenges.models import Challenge

register = template.Library()

TEN_THOUSAND = Decimal(10000)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _grouped(amount: Decimal, places: int) -> str:
    """Thousands separators and at most `places` decimals, without trailing zeros."""
    text = f"{amount:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def yuan(value) -> str:
    """20000000 → "2,000万元" in Chinese, "CNY 20,000,000" in English."""
    amount = _decimal(value)
    if amount is None:
        return ""
    if (translation.get_language() or "").startswith("zh"):
        if abs(amount) >= TEN_THOUSAND:
            return f"{_grouped(amount / TEN_THOUSAND, 2)}万元"
        return f"{_grouped(amount, 2)}元"
    return f"CNY {_grouped(amount, 2)}"


@register.filter
def num(value) -> str:
    """A stored decimal as people write it: 0.100000 → 0.1, 20.000000 → 20."""
    amount = _decimal(value)
    if amount is None:
        return ""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def ratio(value) -> str:
    """The co-funding ratio as applicant's money to government money: 1.00 → 1:1."""
    amount = _decimal(value)
    return f"{num(amount)}:1" if amount is not None else ""


@register.filter
def challenge_field_label(name: str) -> str:
    try:
        return capfirst(Challenge._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@register.filter
def amendment_value(value) -> str:
    """A before/after value from an amendment record: dates in local time, empty made visible."""
    if value in (None, ""):
        return _("(empty)")
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value[:11] else None
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
    return str(value)


def _labels(values, choices) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in values or [])


@register.filter
def organisation_kinds(values) -> str:
    return _labels(values, Organisation.Kind.choices) or _("Every kind except agencies")


@register.filter
def organisation_sizes(values) -> str:
    return _labels(values, Organisation.Size.choices) or _("Every size")


@register.filter
def counting_down(challenge: Challenge) -> bool:
    """Whether the deadline countdown means anything: published and not yet closed."""
    return challenge.status == Challenge.Status.PUBLISHED and challenge.bidding_closes_at > timezone.now()


@register.filter
def iso(value) -> str:
    """A moment for `datetime=` and `data-deadline=`: local time, offset, whole seconds (every browser parses it)."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else ""
