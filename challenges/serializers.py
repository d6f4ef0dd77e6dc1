"""Shapes of the challenges API. Input serializers check form and types; the services decide."""

from collections.abc import Mapping

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation
from core.api_fields import CodesField, OpaqueIdField, OpaqueRelatedField

from . import services
from .models import Amendment, Challenge, ChallengeAttachment, Indicator, Question, TechnicalField

# Output -------------------------------------------------------------------------------------


class TechnicalFieldSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the caller's language.")

    class Meta:
        model = TechnicalField
        fields = ["code", "name_zh", "name_en", "name"]
        read_only_fields = fields


class IssuerSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "position",
            "name",
            "unit",
            "comparison",
            "target_value",
            "measurement_method",
            "domestic_level",
            "international_level",
            "is_main",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ChallengeAttachment
        fields = ["id", "name", "content_type", "size", "confidential", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: ChallengeAttachment) -> str:
        return reverse("challenges:attachment-download", args=[attachment.pk])


class AmendmentSerializer(serializers.ModelSerializer):
    changes = serializers.SerializerMethodField(
        help_text="Each changed field with its value before and after; confidential values are hidden "
        "from readers without the NDA."
    )

    class Meta:
        model = Amendment
        fields = ["number", "reason", "changes", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changes(self, amendment: Amendment) -> dict:
        return amendment.changes_for(confidential=self.context.get("confidential", False))


class QuestionSerializer(serializers.ModelSerializer):
    """A question and its answer; never who asked."""

    id = OpaqueIdField(read_only=True)

    class Meta:
        model = Question
        fields = ["id", "text", "answer", "asked_at", "answered_at"]
        read_only_fields = fields


class NdaStatusSerializer(serializers.Serializer):
    text = serializers.CharField()
    version = serializers.IntegerField()
    signed = serializers.BooleanField(help_text="One of the caller's organisations signed this challenge's NDA.")
    signed_organisations = serializers.ListField(child=OpaqueIdField())
    can_sign = serializers.BooleanField()


@extend_schema_field(
    {"type": "string", "enum": Challenge.Status.values, "description": "The challenge's state in its lifecycle."},
    component_name="ChallengeStatusEnum",
)
class ChallengeStatusField(serializers.ChoiceField):
    """A named schema component, so it never collides with other apps' `status` enums."""

    def __init__(self, **kwargs):
        super().__init__(choices=Challenge.Status.choices, **kwargs)


class ChallengeListSerializer(serializers.ModelSerializer):
    issuer = IssuerSerializer(read_only=True)
    status = ChallengeStatusField(read_only=True)
    fields = TechnicalFieldSerializer(many=True, read_only=True)
    is_open_for_bids = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "title",
            "issuer",
            "fields",
            "summary",
            "status",
            "government_funding",
            "cofunding_ratio",
            "funding_mode",
            "max_winners",
            "bidding_opens_at",
            "bidding_closes_at",
            "published_at",
            "is_open_for_bids",
        ]
        read_only_fields = fields

    def get_is_open_for_bids(self, challenge: Challenge) -> bool:
        return challenge.is_open_for_bids()


class ChallengeDetailSerializer(ChallengeListSerializer):
    """The whole challenge as the caller may read it: the view passes what they may see in the context."""

    indicators = IndicatorSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    questions = QuestionSerializer(many=True, read_only=True, source="answered_questions")
    attachments = serializers.SerializerMethodField()
    confidential_details = serializers.SerializerMethodField()
    can_view_confidential = serializers.SerializerMethodField()
    nda = serializers.SerializerMethodField()

    class Meta(ChallengeListSerializer.Meta):
        fields = [
            *ChallengeListSerializer.Meta.fields,
            "chokepoint",
            "confidential_details",
            "can_view_confidential",
            "allowed_kinds",
            "allowed_sizes",
            "smes_only",
            "consortium_allowed",
            "max_partners",
            "required_qualifications",
            "bids_per_organisation",
            "execution_months",
            "publicity_days",
            "ip_terms",
            "contact_name",
            "contact_email",
            "contact_phone",
            "return_comment",
            "cancel_reason",
            "reissued_from",
            "bidding_closed_at",
            "created_at",
            "updated_at",
            "indicators",
            "amendments",
            "questions",
            "attachments",
            "nda",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, challenge: Challenge) -> list:
        return AttachmentSerializer(self.context["attachments"], many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_confidential_details(self, challenge: Challenge) -> str | None:
        return challenge.confidential_details if self.context["confidential"] else None

    def get_can_view_confidential(self, challenge: Challenge) -> bool:
        return self.context["confidential"]

    @extend_schema_field(NdaStatusSerializer)
    def get_nda(self, challenge: Challenge) -> dict:
        return NdaStatusSerializer(self.context["nda"]).data


class SubscriptionSerializer(serializers.Serializer):
    organisation = OpaqueIdField()
    fields = TechnicalFieldSerializer(many=True)


# Input --------------------------------------------------------------------------------------


class IndicatorInput(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = services.INDICATOR_FIELDS


_CHALLENGE_FIELDS = list(services.DRAFT_FIELDS)


class ChallengeUpdateInput(serializers.ModelSerializer):
    fields = CodesField(slug_field="code", queryset=TechnicalField.objects.all(), many=True, help_text="Technical field codes.")
    indicators = IndicatorInput(many=True, help_text="The measurable targets; at least one.")
    # Plain strings: the model says which kinds and sizes are allowed.
    allowed_kinds = serializers.ListField(child=serializers.CharField(), required=False)
    allowed_sizes = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Challenge
        fields = [*_CHALLENGE_FIELDS, "fields", "indicators"]


class ChallengeCreateInput(ChallengeUpdateInput):
    issuer = OpaqueRelatedField(queryset=Organisation.objects.all())

    class Meta(ChallengeUpdateInput.Meta):
        fields = ["issuer", *ChallengeUpdateInput.Meta.fields]


class AmendmentChangesInput(serializers.ModelSerializer):
    class Meta:
        model = Challenge
        fields = sorted(services.AMENDABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in services.AMENDABLE_FIELDS}

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # Pass other names through untouched: the service says which fields cannot be amended.
        if isinstance(data, Mapping):
            values.update({name: value for name, value in data.items() if name not in self.fields})
        return values


class AmendmentInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, allow_blank=True)
    changes = AmendmentChangesInput()


class ReturnInput(serializers.Serializer):
    comment = serializers.CharField(max_length=4000, allow_blank=True)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, allow_blank=True)


class QuestionInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000, allow_blank=True)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=20000, allow_blank=True)


class ActingOrganisationInput(serializers.Serializer):
    organisation = OpaqueIdField(
        required=False, allow_null=True, help_text="Defaults to the caller's first applicant organisation."
    )


class AttachmentUploadInput(serializers.Serializer):
    file = serializers.FileField()
    confidential = serializers.BooleanField(default=False)


class SubscriptionInput(serializers.Serializer):
    fields = CodesField(slug_field="code", queryset=TechnicalField.objects.all(), many=True, help_text="Technical field codes.")
    organisation = OpaqueIdField(
        required=False, allow_null=True, help_text="Defaults to the caller's first applicant organisation."
    )
