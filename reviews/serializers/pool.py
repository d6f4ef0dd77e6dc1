"""Shapes of the expert pool: profiles, conflicts, CSV import."""

from rest_framework import serializers

from accounts.models import Organisation
from challenges.models import TechnicalField
from core.api_fields import CodesField, OpaqueIdField, OpaqueRelatedField

from ..models import (
    DeclaredConflict,
    ExpertProfile,
)
from .common import NamedRefSerializer, TierField


class ExpertSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    affiliation = NamedRefSerializer(allow_null=True)
    tier = TierField()
    fields = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    load = serializers.IntegerField(help_text="Open assignments: proposed, invited or accepted.")

    class Meta:
        model = ExpertProfile
        fields = [
            "id",
            "email",
            "full_name",
            "affiliation",
            "title",
            "tier",
            "fields",
            "keywords",
            "max_concurrent",
            "load",
            "is_finance_expert",
            "is_active",
        ]
        read_only_fields = fields


class PastAffiliationSerializer(serializers.Serializer):
    organisation = NamedRefSerializer()
    until_year = serializers.IntegerField()


class UnavailabilitySerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class ExpertDetailSerializer(ExpertSerializer):
    past_affiliations = PastAffiliationSerializer(many=True, read_only=True)
    unavailable = UnavailabilitySerializer(many=True, read_only=True)

    class Meta(ExpertSerializer.Meta):
        fields = [*ExpertSerializer.Meta.fields, "bio", "past_affiliations", "unavailable", "created_at"]
        read_only_fields = fields


class ExpertUpdateInput(serializers.Serializer):
    """Operators may change all of it; an expert only keywords, bio and title of their own."""

    affiliation = OpaqueRelatedField(queryset=Organisation.objects.all(), allow_null=True)
    title = serializers.CharField(max_length=100, allow_blank=True)
    tier = TierField()
    max_concurrent = serializers.IntegerField()
    is_finance_expert = serializers.BooleanField()
    is_active = serializers.BooleanField()
    bio = serializers.CharField(allow_blank=True, max_length=5000)
    keywords = serializers.ListField(child=serializers.CharField(max_length=100), max_length=200)
    fields = CodesField(slug_field="code", many=True, queryset=TechnicalField.objects.all())


class ExpertCreateInput(ExpertUpdateInput):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name in {"email", "full_name"}


class ConflictSerializer(serializers.ModelSerializer):
    organisation = NamedRefSerializer(allow_null=True)

    class Meta:
        model = DeclaredConflict
        fields = ["id", "organisation", "person_name", "reason", "created_at"]
        read_only_fields = fields


class ConflictInput(serializers.Serializer):
    organisation = OpaqueRelatedField(queryset=Organisation.objects.all(), allow_null=True, required=False)
    person_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    reason = serializers.CharField(max_length=250, allow_blank=True)


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="UTF-8 CSV with a header row: email, full_name, and optional columns.")
    dry_run = serializers.BooleanField(default=False)


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True)


class ImportFailureSerializer(serializers.Serializer):
    """The error body; the import figures come only when the file itself was read."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    dry_run = serializers.BooleanField(required=False)
    created = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    errors = ImportRowErrorSerializer(many=True, required=False)
