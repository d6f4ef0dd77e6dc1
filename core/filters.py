"""The API's filter backend: a filter given a value it cannot read is a 400, not "no filter".

django-filter reads a blank value as "not given" and an unreadable yes/no as "unknown"; on a
page form that is kind, but an API client who sent `?challenge=` or `?open_now=perhaps` has a
bug, and answering with everything hides it.
"""

from django.utils.translation import gettext as _
from django_filters import BooleanFilter, MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_WORDS = {"true", "false", "1", "0", "yes", "no", "on", "off"}


def check_query(params, filters: dict) -> None:
    errors: dict[str, list[str]] = {}
    for name, declared in filters.items():
        values = params.getlist(name)
        if not values:
            continue
        if not isinstance(declared, MultipleChoiceFilter) and len(values) > 1:
            errors[name] = [_("Give this filter once.")]
        elif any(value.strip() == "" for value in values):
            errors[name] = [_("Give a value, or leave the filter out.")]
        elif isinstance(declared, BooleanFilter) and values[0].lower() not in BOOLEAN_WORDS:
            errors[name] = [_("Give true or false.")]
    if errors:
        raise ValidationError(errors)


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            check_query(request.query_params, filterset.filters)
        return filterset
