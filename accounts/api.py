from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api import error_body

from . import selectors, services
from .serializers import (
    InvitationRequestSerializer,
    InvitationSerializer,
    MeSerializer,
    OrganisationSerializer,
    RejectSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


def _require(user, perm: str, obj) -> None:
    """Permission before the body: a role that may never act is refused (403) whatever it sends.
    The services check again."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


class TokenView(APIView):
    """Exchange an email and password for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["email"].lower(), password=data.validated_data["password"])
        if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
            return Response(
                error_body("locked_out", _("Too many failed attempts. Try again later.")),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            return Response(
                error_body("invalid_credentials", _("Email or password is wrong.")), status=status.HTTP_400_BAD_REQUEST
            )
        if user.email_verified_at is None:
            return Response(
                error_body("email_unverified", _("Confirm your email address first.")), status=status.HTTP_403_FORBIDDEN
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = get_user_model().objects.prefetch_related("memberships__organisation").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


class OrganisationList(generics.ListAPIView):
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        return selectors.visible_organisations(self.request.user).order_by("name")


class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer

    def get_object(self):
        return selectors.organisation_for(self.request.user, self.kwargs["pk"])


class OrganisationVerify(APIView):
    @extend_schema(request=None, responses=OrganisationSerializer)
    def post(self, request, pk):
        organisation = selectors.organisation_for(request.user, pk)
        organisation = services.organisation_verify(organisation=organisation, actor=request.user)
        return Response(OrganisationSerializer(organisation).data)


class OrganisationReject(APIView):
    @extend_schema(request=RejectSerializer, responses=OrganisationSerializer)
    def post(self, request, pk):
        organisation = selectors.organisation_for(request.user, pk)
        _require(request.user, "accounts.verify_organisation", organisation)
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.organisation_reject(
            organisation=organisation, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(OrganisationSerializer(organisation).data)


class OrganisationInvite(APIView):
    @extend_schema(request=InvitationRequestSerializer, responses={201: InvitationSerializer})
    def post(self, request, pk):
        organisation = selectors.organisation_for(request.user, pk)
        _require(request.user, "accounts.invite_member", organisation)
        data = InvitationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(organisation=organisation, actor=request.user, **data.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
