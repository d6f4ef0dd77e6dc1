from rest_framework import serializers

from core.api_fields import OpaqueIdField

from .models import Membership, Organisation, User


class OrganisationSerializer(serializers.ModelSerializer):
    id = OpaqueIdField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "credit_code", "size", "is_specialised_sme", "status", "rejection_reason"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role"]


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "is_operator", "email_verified_at", "memberships", "roles"]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        roles = {m.role for m in user.memberships.all()}
        if user.is_operator:
            roles.add("operator")
        return sorted(roles)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class InvitationRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()
