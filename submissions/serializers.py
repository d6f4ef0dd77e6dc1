"""Shapes of the bids API. Input serializers check types and lengths only; every rule is in services."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fields import OpaqueIdField
from core.files import check_upload

from . import selectors
from .models import Bid, BidAttachment, BidRevision, BudgetLine, Commitment, KeyPerson, Partner, PlannedMilestone

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


def named_choices(choices, component_name: str) -> type[serializers.ChoiceField]:
    """A choice field whose enum is its own schema component, so it never collides with other
    apps' enums of the same field name (`status`, `category`)."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]}, component_name=component_name)
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    return NamedChoiceField


BidStatusField = named_choices(Bid.Status.choices, "BidStatusEnum")
PartnerStatusField = named_choices(Partner.Status.choices, "BidPartnerStatusEnum")
BudgetCategoryField = named_choices(BudgetLine.Category.choices, "BidBudgetCategoryEnum")


# Output -------------------------------------------------------------------------------------------


class BidOrganisationSerializer(serializers.Serializer):
    id = OpaqueIdField()
    name = serializers.CharField()


class BidChallengeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    bidding_closes_at = serializers.DateTimeField()


class BidRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BidRevision
        fields = ["number", "submitted_at", "sha256"]
        read_only_fields = fields


class BidRevisionContentSerializer(BidRevisionSerializer):
    content = serializers.SerializerMethodField()

    class Meta(BidRevisionSerializer.Meta):
        fields = [*BidRevisionSerializer.Meta.fields, "content"]
        read_only_fields = fields

    def get_content(self, revision) -> dict:
        return selectors.revision_content_for(self.context["request"].user, revision)


class BidSerializer(serializers.ModelSerializer):
    """A bid in lists: no sections, no per-bid queries."""

    challenge = BidChallengeSerializer(read_only=True)
    lead = BidOrganisationSerializer(read_only=True)
    status = BidStatusField(read_only=True)
    revision = serializers.IntegerField(source="current_revision.number", read_only=True, allow_null=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "challenge",
            "lead",
            "title",
            "status",
            "requested_funding",
            "own_funding",
            "revision",
            "submitted_at",
            "withdrawn_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BidPartnerSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    organisation = BidOrganisationSerializer(read_only=True)
    status = PartnerStatusField(read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "organisation", "status", "work_split", "budget_share", "invited_at", "responded_at"]
        read_only_fields = fields


class BidCommitmentSerializer(serializers.ModelSerializer):
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)

    class Meta:
        model = Commitment
        fields = ["indicator", "indicator_name", "unit", "value", "evidence"]
        read_only_fields = fields


class BidKeyPersonSerializer(serializers.ModelSerializer):
    organisation = OpaqueIdField(source="organisation_id", read_only=True, allow_null=True)

    class Meta:
        model = KeyPerson
        fields = ["name", "role", "title", "organisation", "expertise", "is_leader"]
        read_only_fields = fields


class BidBudgetLineSerializer(serializers.ModelSerializer):
    organisation = OpaqueIdField(source="organisation_id", read_only=True)
    category = BudgetCategoryField(read_only=True)

    class Meta:
        model = BudgetLine
        fields = ["organisation", "category", "description", "government_amount", "own_amount"]
        read_only_fields = fields


class BidMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlannedMilestone
        fields = ["title", "deliverables", "due_month", "tranche_percent"]
        read_only_fields = fields


class BidAttachmentSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = BidAttachment
        fields = ["id", "name", "description", "content_type", "size", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return reverse("submissions:attachment-download", args=[attachment.pk])


class BidProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class BidDetailSerializer(BidSerializer):
    """The working copy. Budget lines and the checklist depend on who asks (context: request, checklist)."""

    current_revision = BidRevisionSerializer(read_only=True, allow_null=True)
    partners = BidPartnerSerializer(many=True, read_only=True)
    commitments = BidCommitmentSerializer(many=True, read_only=True)
    team = BidKeyPersonSerializer(many=True, read_only=True)
    budget_lines = serializers.SerializerMethodField()
    milestones = BidMilestoneSerializer(many=True, read_only=True)
    attachments = BidAttachmentSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()

    class Meta(BidSerializer.Meta):
        fields = [
            *BidSerializer.Meta.fields,
            "technical_approach",
            "team_description",
            "prior_achievements",
            "integrity_pledged_at",
            "current_revision",
            "partners",
            "commitments",
            "team",
            "budget_lines",
            "milestones",
            "attachments",
            "checklist",
        ]
        read_only_fields = fields

    @extend_schema_field(BidBudgetLineSerializer(many=True))
    def get_budget_lines(self, bid) -> list:
        lines = selectors.budget_lines_for(self.context["request"].user, bid)
        return BidBudgetLineSerializer(lines, many=True).data

    @extend_schema_field(BidProblemSerializer(many=True, allow_null=True))
    def get_checklist(self, bid) -> list | None:
        """What still blocks submission; null for anyone but the lead's members."""
        problems = self.context.get("checklist")
        return None if problems is None else BidProblemSerializer(problems, many=True).data


# Input --------------------------------------------------------------------------------------------


class BidCreateSerializer(serializers.Serializer):
    challenge = serializers.UUIDField()
    lead = OpaqueIdField(required=False, help_text=_("Default: your first applicant organisation."))
    title = serializers.CharField(max_length=200)


class BidCommitmentInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=6)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class BidKeyPersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    role = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    organisation = OpaqueIdField(source="organisation_id", required=False, allow_null=True, default=None)
    expertise = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    is_leader = serializers.BooleanField(required=False, default=False)


class BidBudgetLineInputSerializer(serializers.Serializer):
    organisation = OpaqueIdField(
        source="organisation_id", required=False, help_text=_("The lead or a partner; default: the lead.")
    )
    category = BudgetCategoryField()
    description = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    government_amount = serializers.DecimalField(**MONEY, required=False, default=Decimal("0"))
    own_amount = serializers.DecimalField(**MONEY, required=False, default=Decimal("0"))


class BidMilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    deliverables = serializers.CharField(required=False, allow_blank=True, default="")
    due_month = serializers.IntegerField()
    tranche_percent = serializers.DecimalField(**PERCENT)


class BidUpdateSerializer(serializers.Serializer):
    """Top-level fields plus whole sections; each section given replaces the old one."""

    title = serializers.CharField(max_length=200, required=False)
    technical_approach = serializers.CharField(required=False, allow_blank=True)
    team_description = serializers.CharField(required=False, allow_blank=True)
    prior_achievements = serializers.CharField(required=False, allow_blank=True)
    requested_funding = serializers.DecimalField(**MONEY, required=False)
    own_funding = serializers.DecimalField(**MONEY, required=False)
    commitments = BidCommitmentInputSerializer(many=True, required=False)
    team = BidKeyPersonInputSerializer(many=True, required=False)
    budget_lines = BidBudgetLineInputSerializer(many=True, required=False)
    milestones = BidMilestoneInputSerializer(many=True, required=False)
    integrity_pledge = serializers.BooleanField(
        required=False, help_text=_("true signs the integrity pledge (科研诚信承诺) for the bid as it stands.")
    )

    def validate_integrity_pledge(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("A signed pledge cannot be unsigned; send true to sign it."))
        return value


class BidPartnerInviteSerializer(serializers.Serializer):
    organisation = OpaqueIdField()
    work_split = serializers.CharField(required=False, allow_blank=True, default="")
    budget_share = serializers.DecimalField(**PERCENT, required=False, default=Decimal("0"))


class BidAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_file(self, upload):
        # Type and size are the shape of this input; a refusal names the field and saves nothing.
        check_upload(upload)
        return upload
