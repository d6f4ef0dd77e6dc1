"""Shapes of rounds for operators and the issuing agency: settings, pairs, exclusions, progress, ranking."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fields import OpaqueIdField

from .. import selectors
from ..models import (
    Assignment,
    Criterion,
    Exclusion,
    ReviewItem,
    ReviewRound,
    Rubric,
)
from ..services.rounds import CONFIGURABLE
from .common import (
    AggregationField,
    AssignmentStatusField,
    CheckStatusField,
    ExclusionReasonField,
    NamedRefSerializer,
    RoundKindField,
    RoundStatusField,
    reviewer_label,
)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "position", "name", "guidance", "weight", "min_score", "max_score", "comment_required"]
        read_only_fields = fields


class RubricSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    criteria = CriterionSerializer(many=True)


class RoundChallengeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class ReviewRoundSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    challenge = RoundChallengeSerializer()
    kind = RoundKindField()
    status = RoundStatusField()

    class Meta:
        model = ReviewRound
        fields = [
            "id",
            "challenge",
            "kind",
            "position",
            "name",
            "status",
            "blind",
            "experts_per_item",
            "soft_deadline",
            "hard_deadline",
            "started_at",
            "completed_at",
        ]
        read_only_fields = fields


class RoundItemSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    check_status = CheckStatusField()
    check_problems = serializers.ListField(child=serializers.DictField())

    class Meta:
        model = ReviewItem
        fields = ["id", "label", "blind_label", "check_status", "check_problems", "check_reason"]
        read_only_fields = fields


class ReviewRoundDetailSerializer(ReviewRoundSerializer):
    aggregation = AggregationField()
    rubric = RubricSerializer(allow_null=True)
    items = RoundItemSerializer(many=True)

    class Meta(ReviewRoundSerializer.Meta):
        fields = [
            *ReviewRoundSerializer.Meta.fields,
            *(f for f in CONFIGURABLE if f not in ReviewRoundSerializer.Meta.fields),
            "items",
        ]
        read_only_fields = fields


class RoundConfigureInput(serializers.ModelSerializer):
    """Any of the round's settings; the service checks the round has not started."""

    aggregation = AggregationField(required=False)
    rubric = serializers.PrimaryKeyRelatedField(queryset=Rubric.objects.all(), allow_null=True, required=False)

    class Meta:
        model = ReviewRound
        fields = list(CONFIGURABLE)
        extra_kwargs = {name: {"required": False} for name in CONFIGURABLE}


class AssignResultSerializer(serializers.Serializer):
    step = serializers.CharField()
    items = serializers.IntegerField()
    experts = serializers.IntegerField()
    assignments = serializers.IntegerField()
    total_affinity = serializers.IntegerField()


class PairItemSerializer(serializers.Serializer):
    id = OpaqueIdField()
    label = serializers.CharField()
    blind_label = serializers.CharField()


class PairExpertSerializer(serializers.Serializer):
    id = OpaqueIdField()
    full_name = serializers.CharField(source="user.full_name")
    affiliation = NamedRefSerializer(allow_null=True)


class AssignmentPairSerializer(serializers.ModelSerializer):
    """The operator's view of one pair: who reviews what, and how well they match."""

    id = OpaqueIdField(read_only=True)
    replaces = OpaqueIdField(source="replaces_id", read_only=True, allow_null=True)
    item = PairItemSerializer()
    expert = PairExpertSerializer()
    status = AssignmentStatusField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "item",
            "expert",
            "affinity",
            "locked",
            "status",
            "replaces",
            "invited_at",
            "answer_by",
            "responded_at",
            "decline_reason",
        ]
        read_only_fields = fields


class AssignmentAddInput(serializers.Serializer):
    item = OpaqueIdField()
    expert = OpaqueIdField()


class InvitedSerializer(serializers.Serializer):
    invited = serializers.IntegerField()


class ExclusionSerializer(serializers.ModelSerializer):
    item = PairItemSerializer()
    expert = PairExpertSerializer()
    reason = ExclusionReasonField()
    reason_display = serializers.CharField(source="get_reason_display")

    class Meta:
        model = Exclusion
        fields = ["id", "item", "expert", "reason", "reason_display", "detail"]
        read_only_fields = fields


class ProgressSerializer(serializers.Serializer):
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Assignments by status.")
    items = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Reviews still open after the soft deadline.")
    progress = serializers.DictField(help_text="The round's own progress report (steps, shortages, solver).")


class AnonymousTotalSerializer(serializers.Serializer):
    reviewer = serializers.CharField(help_text="An anonymous label, “Reviewer A”, …; never a name.")
    total = serializers.DecimalField(max_digits=6, decimal_places=2)


class RankedItemSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    spread = serializers.DecimalField(source="score_spread", max_digits=6, decimal_places=2, allow_null=True)
    std = serializers.DecimalField(source="score_std", max_digits=6, decimal_places=2, allow_null=True)
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = ReviewItem
        fields = ["id", "label", "rank", "score", "spread", "std", "flagged", "review_count", "reviews"]
        read_only_fields = fields

    @extend_schema_field(AnonymousTotalSerializer(many=True))
    def get_reviews(self, item) -> list[dict]:
        totals = selectors.review_totals(item)
        return AnonymousTotalSerializer(
            [{"reviewer": reviewer_label(n), "total": total} for n, total in enumerate(totals)], many=True
        ).data


class ResultsSerializer(serializers.Serializer):
    round = ReviewRoundSerializer()
    aggregation = AggregationField()
    tie_rule = serializers.CharField()
    items = RankedItemSerializer(many=True)


class ItemCheckInput(serializers.Serializer):
    passed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, max_length=2000)
