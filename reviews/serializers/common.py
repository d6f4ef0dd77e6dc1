"""Pieces the reviews serializers share."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fields import OpaqueIdField

from ..models import (
    Assignment,
    Exclusion,
    ExpertProfile,
    Review,
    ReviewItem,
    ReviewRound,
)


def named_choices(choices, component_name: str) -> type[serializers.ChoiceField]:
    """A choice field with its own enum component, so `status` here never collides with the
    `status` enums of other apps in the schema."""
    values = [value for value, _label in choices]
    kind = "integer" if all(isinstance(v, int) for v in values) else "string"

    @extend_schema_field({"type": kind, "enum": values}, component_name=component_name)
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    return NamedChoiceField


TierField = named_choices(ExpertProfile.Tier.choices, "ExpertTierEnum")
RoundKindField = named_choices(ReviewRound.Kind.choices, "ReviewRoundKindEnum")
RoundStatusField = named_choices(ReviewRound.Status.choices, "ReviewRoundStatusEnum")
AggregationField = named_choices(ReviewRound.Aggregation.choices, "ReviewAggregationEnum")
CheckStatusField = named_choices(ReviewItem.Check.choices, "FormalCheckStatusEnum")
AssignmentStatusField = named_choices(Assignment.Status.choices, "AssignmentStatusEnum")
ReviewStatusField = named_choices(Review.Status.choices, "ReviewStatusEnum")
ExclusionReasonField = named_choices(Exclusion.Reason.choices, "ExclusionReasonEnum")


class NamedRefSerializer(serializers.Serializer):
    id = OpaqueIdField()
    name = serializers.CharField()


def reviewer_label(n: int) -> str:
    """Reviewer A … Z, then AA, AB, …"""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Reviewer {letters}"
