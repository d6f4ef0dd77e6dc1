"""The reviewer's side. What a reviewer receives is built from the reviewable-item adapter and
`selectors.item_title`: never `item.label`, organisation or subject ids, or file names other than the adapter's."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fields import OpaqueIdField

from .. import selectors
from ..models import (
    Assignment,
    Review,
    ReviewRound,
)
from .common import (
    AssignmentStatusField,
    ReviewStatusField,
    RoundKindField,
    reviewer_label,
)
from .rounds import CriterionSerializer


class ReviewerRoundSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    kind = RoundKindField()

    class Meta:
        model = ReviewRound
        fields = ["id", "name", "kind", "blind", "show_scores_after_submit", "soft_deadline", "hard_deadline"]
        read_only_fields = fields


class ReviewerChallengeSerializer(serializers.Serializer):
    title = serializers.CharField()


class ReviewSummarySerializer(serializers.ModelSerializer):
    status = ReviewStatusField()

    class Meta:
        model = Review
        fields = ["status", "total", "submitted_at", "updated_at"]
        read_only_fields = fields


class MyAssignmentSerializer(serializers.ModelSerializer):
    """One line of the expert's list: the item's title is blind in a blind round."""

    id = OpaqueIdField(read_only=True)
    title = serializers.SerializerMethodField()
    status = AssignmentStatusField()
    round = ReviewerRoundSerializer(source="item.round")
    challenge = ReviewerChallengeSerializer(source="item.round.challenge")
    review = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "title", "status", "round", "challenge", "invited_at", "answer_by", "responded_at", "review"]
        read_only_fields = fields

    def get_title(self, assignment) -> str:
        return selectors.item_title(assignment.item)

    @extend_schema_field(ReviewSummarySerializer(allow_null=True))
    def get_review(self, assignment):
        review = getattr(assignment, "review", None)
        return ReviewSummarySerializer(review).data if review is not None else None


class ScoreValueSerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True, required=False, default="")


def scores_of(review: Review) -> dict[str, dict]:
    return {str(s.criterion_id): {"value": s.value, "comment": s.comment} for s in review.scores.all()}


class ReviewSerializer(serializers.ModelSerializer):
    """The caller's own review of an assignment."""

    assignment = OpaqueIdField(source="assignment_id")
    title = serializers.SerializerMethodField()
    status = ReviewStatusField()
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["assignment", "title", "status", "comment", "total", "scores", "submitted_at", "updated_at"]
        read_only_fields = fields

    def get_title(self, review) -> str:
        return selectors.item_title(review.assignment.item)

    @extend_schema_field(serializers.DictField(child=ScoreValueSerializer()))
    def get_scores(self, review) -> dict:
        return scores_of(review)


class OtherReviewSerializer(serializers.Serializer):
    reviewer = serializers.CharField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    scores = serializers.DictField(child=serializers.IntegerField())


class AttachmentRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class AssignmentDetailSerializer(MyAssignmentSerializer):
    """What the expert may read: the adapter's content (blind or open), the rubric, their own
    review and, if the round allows, the others' scores without names. Context: `readable`,
    `content`, `others`."""

    content = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    my_review = serializers.SerializerMethodField()
    other_reviews = serializers.SerializerMethodField()

    class Meta(MyAssignmentSerializer.Meta):
        fields = [
            *MyAssignmentSerializer.Meta.fields,
            "decline_reason",
            "content",
            "attachments",
            "criteria",
            "my_review",
            "other_reviews",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_content(self, assignment):
        content = self.context.get("content")
        if content is None:
            return None
        # Files are reached by their position through the download endpoint, not by id.
        return {key: value for key, value in content.items() if key != "attachments"}

    @extend_schema_field(AttachmentRefSerializer(many=True))
    def get_attachments(self, assignment) -> list[dict]:
        content = self.context.get("content") or {}
        rows = [
            {
                "number": n,
                "name": a["name"],
                "content_type": a.get("content_type", ""),
                "size": a.get("size", 0),
                "url": reverse("reviews:assignment-attachment", args=[assignment.pk, n]),
            }
            for n, a in enumerate(content.get("attachments", []), start=1)
        ]
        return AttachmentRefSerializer(rows, many=True).data

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, assignment) -> list[dict]:
        rubric = assignment.item.round.rubric
        if rubric is None or assignment.status not in Assignment.LIVE_STATES:
            return []
        return CriterionSerializer(rubric.criteria.all(), many=True).data

    @extend_schema_field(ReviewSerializer(allow_null=True))
    def get_my_review(self, assignment):
        review = getattr(assignment, "review", None)
        if review is None or self.context.get("content") is None:
            return None
        review.assignment = assignment
        return ReviewSerializer(review).data

    @extend_schema_field(OtherReviewSerializer(many=True))
    def get_other_reviews(self, assignment) -> list[dict]:
        rows = [
            {
                "reviewer": reviewer_label(n),
                "total": review.total,
                "scores": {str(s.criterion_id): s.value for s in review.scores.all()},
            }
            for n, review in enumerate(self.context.get("others") or [])
        ]
        return OtherReviewSerializer(rows, many=True).data


class ReviewInput(serializers.Serializer):
    scores = serializers.DictField(child=ScoreValueSerializer(), required=False, help_text="Criterion id → {value, comment}.")
    comment = serializers.CharField(allow_blank=True, required=False, max_length=20000)

    def validate_scores(self, value: dict) -> dict[int, dict]:
        try:
            return {int(key): dict(given) for key, given in value.items()}
        except (TypeError, ValueError):
            raise serializers.ValidationError(_("Keys must be criterion ids.")) from None


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)
