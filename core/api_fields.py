"""API fields for opaque ids (core.opaque): ids go out as opaque strings and come in as them.

Use OpaqueIdField for a plain id (`id`, `assignment`, `source="milestone_id"`), OpaqueRelatedField
where a request names an object to look up, and OpaqueIdFilter for a query parameter.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from . import opaque

INVALID = _("Not a valid id.")


def _decode(data) -> int:
    if not isinstance(data, str):
        raise ValueError
    return opaque.decode(data)


@extend_schema_field(OpenApiTypes.STR)
class OpaqueIdField(serializers.Field):
    """An integer id shown as its opaque string; input is decoded back to the integer."""

    default_error_messages = {"invalid": INVALID}

    def to_representation(self, value) -> str:
        return opaque.encode(getattr(value, "pk", value))

    def to_internal_value(self, data) -> int:
        try:
            return _decode(data)
        except ValueError:
            self.fail("invalid")


@extend_schema_field(OpenApiTypes.STR)
class OpaqueRelatedField(serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField spoken in opaque ids; an unknown id is the usual "does not exist"."""

    default_error_messages = {"invalid": INVALID}

    def to_internal_value(self, data):
        try:
            pk = _decode(data)
        except ValueError:
            self.fail("invalid")
        return super().to_internal_value(pk)

    def to_representation(self, value) -> str:
        return opaque.encode(value.pk)


class OpaqueIdFormField(forms.CharField):
    default_error_messages = {"invalid": INVALID}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return opaque.decode(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class OpaqueIdFilter(django_filters.Filter):
    """A query parameter naming an object by its opaque id; a bad one is a 400."""

    field_class = OpaqueIdFormField


class ListOnlyManyRelatedField(serializers.ManyRelatedField):
    """DRF iterates whatever it is given, so a JSON object would pass as the list of its keys."""

    def to_internal_value(self, data):
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class CodesField(serializers.SlugRelatedField):
    """Objects named by a slug; with many=True only a JSON list is read."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return ListOnlyManyRelatedField(**list_kwargs)
