"""Shapes of the awards API. Input serializers check form and types; the services decide."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from challenges.models import Indicator
from core.api_fields import OpaqueIdField
from core.files import check_upload

from .models import MONEY, Award, Contract, Decision, Disbursement, Milestone, Objection
from .services import MAX_EVIDENCE

MEASURE = {"max_digits": 20, "decimal_places": 6}
SHARE = {"max_digits": 9, "decimal_places": 4}


def named_choices(choices, component_name: str) -> type[serializers.ChoiceField]:
    """A choice field with its own enum component, so this app's `status` enums never collide
    with other apps' in the schema."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]}, component_name=component_name)
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    return NamedChoiceField


AwardStatusField = named_choices(Award.Status.choices, "AwardStatusEnum")
DecisionStatusField = named_choices(Decision.Status.choices, "DecisionStatusEnum")
ObjectionStatusField = named_choices(Objection.Status.choices, "ObjectionStatusEnum")
ContractStatusField = named_choices(Contract.Status.choices, "ContractStatusEnum")
MilestoneStatusField = named_choices(Milestone.Status.choices, "MilestoneStatusEnum")
DisbursementStatusField = named_choices(Disbursement.Status.choices, "DisbursementStatusEnum")
ComparisonField = named_choices(Indicator.Comparison.choices, "AwardIndicatorComparisonEnum")
OutcomeField = named_choices([("pass", "pass"), ("rectify", "rectify"), ("fail", "fail")], "AcceptanceOutcomeEnum")


class ChallengeRef(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class OrganisationRef(serializers.Serializer):
    id = OpaqueIdField()
    name = serializers.CharField()


class PersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class AccountRef(PersonRef):
    email = serializers.EmailField()


# The public notice ----------------------------------------------------------------------------------


class AwardSerializer(serializers.Serializer):
    """What the public notice says about one award."""

    id = serializers.UUIDField()
    decision = serializers.UUIDField(source="decision_id")
    challenge = ChallengeRef()
    winner = OrganisationRef()
    amount = serializers.DecimalField(**MONEY)
    rank = serializers.IntegerField(allow_null=True)
    status = AwardStatusField()
    publicity_ends_at = serializers.DateTimeField(source="decision.publicity_ends_at")
    milestones_passed = serializers.IntegerField(help_text="Milestones passed so far.")
    milestones_total = serializers.IntegerField(help_text="Milestones of the contract, not counting cancelled ones.")


# The contract ------------------------------------------------------------------------------------------


class TargetSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator_id")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")
    value = serializers.DecimalField(**MEASURE)


class MeasurementSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator_id")
    value = serializers.DecimalField(**MEASURE)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    milestone = OpaqueIdField(source="milestone_id")
    number = serializers.IntegerField()
    report = serializers.CharField()
    submitted_by = PersonRef()
    submitted_at = serializers.DateTimeField()
    measurements = MeasurementSerializer(many=True)


class MilestoneSerializer(serializers.Serializer):
    id = OpaqueIdField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    deliverables = serializers.CharField()
    due_date = serializers.DateField()
    tranche_amount = serializers.DecimalField(**MONEY)
    is_down_select = serializers.BooleanField()
    keep_best = serializers.IntegerField()
    status = MilestoneStatusField()
    rectified = serializers.BooleanField()
    rectification_due = serializers.DateField(allow_null=True)
    outcome_reason = serializers.CharField()
    targets = TargetSerializer(many=True)
    deliveries = DeliverySerializer(many=True)


class DisbursementSerializer(serializers.Serializer):
    id = OpaqueIdField()
    milestone = OpaqueIdField(source="milestone_id")
    milestone_title = serializers.CharField(source="milestone.title")
    amount = serializers.DecimalField(**MONEY)
    status = DisbursementStatusField()
    created_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    reference = serializers.CharField()


class ContractSerializer(serializers.Serializer):
    """The task contract as its parties and operators read it, with the money so far."""

    id = OpaqueIdField()
    award = serializers.UUIDField(source="award_id")
    award_status = AwardStatusField(source="award.status")
    challenge = ChallengeRef(source="award.challenge")
    winner = OrganisationRef(source="award.winner")
    amount = serializers.DecimalField(**MONEY)
    tranches_total = serializers.DecimalField(**MONEY)
    version = serializers.IntegerField(help_text="Sign this version; any change makes a new one.")
    status = ContractStatusField()
    first_tranche_on_signing = serializers.BooleanField()
    agency_signed_by = PersonRef(allow_null=True)
    agency_signed_at = serializers.DateTimeField(allow_null=True)
    agency_signed_version = serializers.IntegerField(allow_null=True)
    winner_signed_by = PersonRef(allow_null=True)
    winner_signed_at = serializers.DateTimeField(allow_null=True)
    winner_signed_version = serializers.IntegerField(allow_null=True)
    extension_months = serializers.IntegerField()
    extension_reason = serializers.CharField()
    termination_reason = serializers.CharField(source="award.termination_reason")
    recover_amount = serializers.DecimalField(**MONEY, source="award.recover_amount")
    milestones = MilestoneSerializer(many=True)
    disbursements = DisbursementSerializer(many=True, source="award.disbursements")


class AwardDetailSerializer(AwardSerializer):
    """The notice, and for the award's insiders (agency staff, the winner, operators) the contract."""

    issuer = OrganisationRef(source="challenge.issuer")
    decided_at = serializers.DateTimeField(source="decision.decided_at")
    finalised_at = serializers.DateTimeField(source="decision.finalised_at", allow_null=True)
    contract = serializers.SerializerMethodField(help_text="Null for the public and before the award is final.")

    @extend_schema_field(ContractSerializer(allow_null=True))
    def get_contract(self, award: Award) -> dict | None:
        contract = self.context.get("contract")
        return ContractSerializer(contract).data if contract is not None else None


class DecisionAwardSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    winner = OrganisationRef()
    amount = serializers.DecimalField(**MONEY)
    rank = serializers.IntegerField(allow_null=True)
    status = AwardStatusField()


class DecisionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    challenge = ChallengeRef()
    status = DecisionStatusField()
    decided_at = serializers.DateTimeField()
    publicity_ends_at = serializers.DateTimeField()
    finalised_at = serializers.DateTimeField(allow_null=True)
    departure_reason = serializers.SerializerMethodField(
        help_text="Why the choice departs from the ranking; for the issuing agency and operators only."
    )
    awards = DecisionAwardSerializer(many=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_departure_reason(self, decision: Decision) -> str | None:
        return decision.departure_reason if self.context.get("insider") else None


# Objections -------------------------------------------------------------------------------------------


class ObjectionStatusSerializer(serializers.Serializer):
    """An objection as everybody may see it: that it exists and its state, never who or why."""

    status = ObjectionStatusField()
    filed_at = serializers.DateTimeField(source="created_at")
    resolved_at = serializers.DateTimeField(allow_null=True)


class EvidenceSerializer(serializers.Serializer):
    id = OpaqueIdField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class ObjectionSerializer(serializers.Serializer):
    """The whole objection, with the objector's identity: for operators and the objector."""

    id = OpaqueIdField()
    award = serializers.UUIDField(source="award_id")
    status = ObjectionStatusField()
    real_name = serializers.CharField()
    contact = serializers.CharField()
    organisation = OrganisationRef(allow_null=True)
    filed_by = AccountRef()
    grounds = serializers.CharField()
    resolution = serializers.CharField()
    filed_at = serializers.DateTimeField(source="created_at")
    resolved_at = serializers.DateTimeField(allow_null=True)
    evidence = EvidenceSerializer(many=True, help_text="Files attached; operators may download them.")


class ObjectionsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    statuses = ObjectionStatusSerializer(many=True, help_text="Every objection's state, without identity.")
    details = ObjectionSerializer(many=True, help_text="Operators: every objection. An objector: their own. Anyone else: none.")


# Transparency -----------------------------------------------------------------------------------------


class FieldRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FieldYearSerializer(serializers.Serializer):
    field = FieldRef(allow_null=True, help_text="Null for a challenge without a technical field.")
    year = serializers.IntegerField(help_text="The year of the decision.")
    awards = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)


class ShareSerializer(serializers.Serializer):
    awards = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    award_share = serializers.DecimalField(**SHARE, allow_null=True, help_text="Of all counted awards, 0 to 1.")
    amount_share = serializers.DecimalField(**SHARE, allow_null=True, help_text="Of all awarded money, 0 to 1.")


class IndicatorResultSerializer(serializers.Serializer):
    award = serializers.UUIDField(source="award.pk")
    challenge = ChallengeRef(source="award.challenge")
    winner = OrganisationRef(source="award.winner")
    indicator = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")
    comparison = ComparisonField(source="indicator.comparison")
    domestic_level = serializers.DecimalField(**MEASURE, source="indicator.domestic_level", allow_null=True)
    international_level = serializers.DecimalField(**MEASURE, source="indicator.international_level", allow_null=True)
    target_value = serializers.DecimalField(**MEASURE, source="indicator.target_value")
    measured = serializers.DecimalField(**MEASURE, allow_null=True, help_text="From the latest delivery.")
    gap_closed = serializers.DecimalField(
        **SHARE,
        allow_null=True,
        help_text="(measured − domestic) / (international − domestic): 0 is the domestic level, 1 the "
        "international one; null without both levels.",
    )


class TransparencySerializer(serializers.Serializer):
    awards = serializers.IntegerField(help_text="Awards whose decision is final.")
    amount = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    by_field_year = FieldYearSerializer(many=True, help_text="An award in several fields counts in each.")
    sme = ShareSerializer(help_text="Won by small and medium-sized enterprises.")
    consortium = ShareSerializer(help_text="Won by a bid with confirmed consortium partners.")
    indicators = IndicatorResultSerializer(many=True, help_text="Each indicator of each completed award.")


# Input ---------------------------------------------------------------------------------------------------


class DecisionInput(serializers.Serializer):
    challenge = serializers.UUIDField()
    bids = serializers.ListField(child=serializers.UUIDField(), max_length=20, help_text="The chosen bids.")
    reason = serializers.CharField(allow_blank=True, default="", help_text="Required when the choice departs from the ranking.")


class DecisionNoneInput(serializers.Serializer):
    challenge = serializers.UUIDField()
    reason = serializers.CharField(allow_blank=True, help_text="Why no bid is acceptable (流榜).")


class DownSelectInput(serializers.Serializer):
    challenge = serializers.UUIDField()
    position = serializers.IntegerField(min_value=0, help_text="The designated down-select milestone's position.")


class DownSelectSerializer(serializers.Serializer):
    kept = serializers.ListField(child=serializers.UUIDField(), help_text="The awards kept; the others end eliminated.")


class ObjectionInput(serializers.Serializer):
    real_name = serializers.CharField(max_length=100, allow_blank=True, help_text="Anonymous objections are refused.")
    contact = serializers.CharField(max_length=100, allow_blank=True)
    grounds = serializers.CharField(max_length=10_000, allow_blank=True)
    organisation = OpaqueIdField(
        required=False, allow_null=True, help_text="One of your organisations, when objecting on its behalf."
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_EVIDENCE,
        help_text="Evidence (multipart only): up to 5 PDFs, Office documents, images or zip archives.",
    )

    def validate_files(self, uploads: list) -> list:
        problems = []
        for upload in uploads:
            try:
                check_upload(upload)
            except DjangoValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise serializers.ValidationError(problems)
        return uploads


class ResolveInput(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="True revokes the award and reopens the decision.")
    reason = serializers.CharField(allow_blank=True)


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    deliverables = serializers.CharField(allow_blank=True, default="")
    due_date = serializers.DateField()
    tranche_amount = serializers.DecimalField(**MONEY)
    is_down_select = serializers.BooleanField(default=False)
    keep_best = serializers.IntegerField(default=1)


class ContractInput(serializers.Serializer):
    milestones = MilestoneInput(many=True, help_text="The whole plan; tranches add up exactly to the award.")
    first_tranche_on_signing = serializers.BooleanField(required=False)


class SignInput(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read.")


class ExtensionInput(serializers.Serializer):
    months = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)


class TerminateInput(serializers.Serializer):
    at_fault = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    recover_amount = serializers.DecimalField(**MONEY, default=Decimal("0"))
    # Bounded only so the date arithmetic cannot overflow; the service judges the number.
    ban_years = serializers.IntegerField(default=0, max_value=100)


class MeasurementInput(serializers.Serializer):
    indicator = serializers.IntegerField()
    value = serializers.DecimalField(**MEASURE)


class DeliveryInput(serializers.Serializer):
    report = serializers.CharField(allow_blank=True)
    measurements = MeasurementInput(many=True, required=False, default=list)

    def validate_measurements(self, rows: list[dict]) -> list[dict]:
        indicators = [row["indicator"] for row in rows]
        if len(indicators) != len(set(indicators)):
            raise serializers.ValidationError(_("Give each indicator once."))
        return rows


class AcceptanceInput(serializers.Serializer):
    outcome = OutcomeField()
    reason = serializers.CharField(allow_blank=True)


class PaidInput(serializers.Serializer):
    reference = serializers.CharField(max_length=100, allow_blank=True, help_text="The bank's payment reference.")
