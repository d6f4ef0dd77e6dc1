"""Search, filters and sorting for challenge lists: one definition for the page and the API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Organisation

from .models import Challenge, TechnicalField

MAX_TERMS = 8


class SaneDateTimeField(django_filters.fields.IsoDateTimeField):
    # Year 1 or 9999 in Beijing time is out of range in UTC: the query itself would crash.
    def clean(self, value):
        value = super().clean(value)
        if value is not None and not 1900 <= value.year <= 9000:
            raise forms.ValidationError(_("Enter a date between the years 1900 and 9000."), code="out_of_range")
        return value


class SaneDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = SaneDateTimeField


class NewestFirstOrdering(django_filters.OrderingFilter):
    """`newest` lists the latest published first, `-newest` the oldest first; other keys sort ascending."""

    latest_first = frozenset({"published_at"})

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        name = value.removeprefix("-")
        if name not in self.latest_first:
            return value
        return name if value.startswith("-") else f"-{name}"

    def build_choices(self, fields, labels):
        return [(key, _("Oldest") if key == "-newest" else label) for key, label in super().build_choices(fields, labels)]


class ChallengeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # Field codes; the schema generator cannot follow `fields__code` plus `to_field_name` by itself.
    field = extend_schema_field(OpenApiTypes.STR)(
        django_filters.ModelMultipleChoiceFilter(
            label=_("Technical field"),
            to_field_name="code",
            queryset=TechnicalField.objects.all(),
            method="filter_fields",
        )
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Challenge.Status.choices)
    issuer = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=Organisation.objects.filter(kind=Organisation.Kind.AGENCY)
    )
    funding_min = django_filters.NumberFilter(
        label=_("Funding at least (CNY)"), field_name="government_funding", lookup_expr="gte"
    )
    funding_max = django_filters.NumberFilter(
        label=_("Funding at most (CNY)"), field_name="government_funding", lookup_expr="lte"
    )
    closes_after = SaneDateTimeFilter(label=_("Deadline after"), field_name="bidding_closes_at", lookup_expr="gte")
    closes_before = SaneDateTimeFilter(label=_("Deadline before"), field_name="bidding_closes_at", lookup_expr="lte")
    open_now = django_filters.BooleanFilter(label=_("Open for bids now"), method="filter_open_now")
    ordering = NewestFirstOrdering(
        label=_("Sort by"),
        fields=(("bidding_closes_at", "deadline"), ("government_funding", "funding"), ("published_at", "newest")),
        field_labels={
            "bidding_closes_at": _("Deadline"),
            "government_funding": _("Funding"),
            "published_at": _("Newest"),
        },
    )

    class Meta:
        model = Challenge
        fields = []

    def search(self, queryset, name, value):
        """Every term must appear in the title, summary or field names, in any language.

        Substring matching needs no word segmentation, so Chinese works as English does;
        on PostgreSQL a trigram index serves the LIKE.
        """
        terms = [t for t in value.lower().split() if t][:MAX_TERMS]
        condition = Q()
        for term in terms:
            condition &= Q(search_text__contains=term)
        return queryset.filter(condition)

    def filter_open_now(self, queryset, name, value):
        now = timezone.now()
        is_open = Q(status=Challenge.Status.PUBLISHED, bidding_opens_at__lte=now, bidding_closes_at__gt=now)
        return queryset.filter(is_open) if value else queryset.exclude(is_open)

    def filter_fields(self, queryset, name, value):
        """Any of the chosen fields. EXISTS instead of a join, so rows never repeat and no
        DISTINCT over wide text columns is needed."""
        if not value:
            return queryset
        through = Challenge.fields.through.objects.filter(challenge=OuterRef("pk"), technicalfield__in=value)
        return queryset.filter(Exists(through))
