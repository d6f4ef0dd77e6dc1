"""The bids API: one small view per operation. Each fetches through the access helper (404 for a
bid the caller may not know of), validates the shape, calls a service and serializes."""

from collections.abc import Callable
from functools import partial

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation
from challenges import selectors as challenge_selectors
from core.files import download_response

from . import selectors, services
from .models import Bid, BidAttachment
from .serializers import (
    BidAttachmentSerializer,
    BidAttachmentUploadSerializer,
    BidCreateSerializer,
    BidDetailSerializer,
    BidPartnerInviteSerializer,
    BidPartnerSerializer,
    BidRevisionContentSerializer,
    BidRevisionSerializer,
    BidSerializer,
    BidUpdateSerializer,
)

# The revision's frozen JSON is only read by the revision endpoints; lists show no long texts.
NO_CONTENT_COLUMN = "current_revision__content"
LONG_COLUMNS = (NO_CONTENT_COLUMN, "technical_approach", "team_description", "prior_achievements")


def _detail(request, pk, status_code=status.HTTP_200_OK) -> Response:
    bid = get_object_or_404(selectors.with_detail_data(selectors.visible_bids(request.user)).defer(NO_CONTENT_COLUMN), pk=pk)
    checklist = services.bid_checklist(bid) if request.user.has_perm("submissions.edit_bid", bid) else None
    data = BidDetailSerializer(bid, context={"request": request, "checklist": checklist}).data
    return Response(data, status=status_code)


def _validated(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _require(user, perm: str, obj) -> None:
    """Permission before the body: a role that may never make this change is refused (403) whatever
    it sends, and an empty change is refused too. The services check again."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _organisation(pk, field: str) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise ValidationError({field: _("No such organisation.")})
    return organisation


class BidFilter(django_filters.FilterSet):
    challenge = django_filters.UUIDFilter(field_name="challenge_id")
    status = django_filters.ChoiceFilter(choices=Bid.Status.choices)

    class Meta:
        model = Bid
        fields = ["challenge", "status"]


class BidList(generics.ListAPIView):
    """Bids the caller may see: their organisations' own and those they partner in; for agency
    staff, the submitted bids to their challenges once bidding has closed; everything for operators."""

    serializer_class = BidSerializer
    filterset_class = BidFilter

    def get_queryset(self):
        bids = selectors.visible_bids(self.request.user)
        return selectors.with_list_data(bids).defer(*LONG_COLUMNS).order_by("-updated_at", "pk")

    @extend_schema(request=BidCreateSerializer, responses={201: BidDetailSerializer})
    def post(self, request):
        """Start a draft bid to a challenge open for bids."""
        if not challenge_selectors.applicant_organisation_ids(request.user):
            raise PermissionDenied  # only applicant organisations bid; the body names the rest
        data = _validated(BidCreateSerializer, request)
        try:
            challenge = challenge_selectors.challenge_for(request.user, data["challenge"])
        except Http404:
            raise ValidationError({"challenge": _("No such challenge.")}) from None
        if "lead" in data:
            lead = _organisation(data["lead"], "lead")
        else:
            own = challenge_selectors.applicant_organisation_ids(request.user)
            if not own:
                raise PermissionDenied
            lead = Organisation.objects.get(pk=min(own))
        bid = services.bid_create(challenge=challenge, actor=request.user, lead=lead, title=data["title"])
        return _detail(request, bid.pk, status.HTTP_201_CREATED)


class BidDetail(APIView):
    @extend_schema(responses=BidDetailSerializer)
    def get(self, request, pk):
        return _detail(request, pk)

    @extend_schema(request=BidUpdateSerializer, responses=BidDetailSerializer)
    def patch(self, request, pk):
        """Change the working copy: all of it or none. Refused (409) once bidding has closed."""
        bid = selectors.bid_for(request.user, pk)
        _require(request.user, "submissions.edit_bid", bid)
        data = _validated(BidUpdateSerializer, request)
        _apply_edits(bid, request.user, data)
        return _detail(request, pk)


# Each optional section of a PATCH, the service that replaces it and that service's argument.
SECTIONS = {
    "commitments": (services.commitments_set, "commitments"),
    "team": (services.team_set, "people"),
    "budget_lines": (services.budget_set, "lines"),
    "milestones": (services.milestones_set, "milestones"),
}


def _edit_steps(bid: Bid, actor, data: dict) -> list[tuple[str, Callable]]:
    """The service calls a PATCH asks for: fields, then sections, then the pledge over the result."""
    pledge = data.pop("integrity_pledge", False)
    sections = {name: data.pop(name) for name in SECTIONS if name in data}
    steps = [("non_field_errors", partial(services.bid_update, bid=bid, actor=actor, data=data))] if data else []
    for name, rows in sections.items():
        service, argument = SECTIONS[name]
        steps.append((name, partial(service, bid=bid, actor=actor, **{argument: rows})))
    if pledge:
        steps.append(("integrity_pledge", partial(services.pledge_sign, bid=bid, actor=actor)))
    return steps


def _apply_edits(bid: Bid, actor, data: dict) -> None:
    """Run the steps in one transaction, so a PATCH applies whole or not at all, and report
    every invalid part at once. A conflict (the deadline) or a refusal stops at once."""
    errors: dict[str, list] = {}
    with transaction.atomic():
        for name, step in _edit_steps(bid, actor, data):
            try:
                step()
            except ValidationError as exc:
                found = exc.message_dict if hasattr(exc, "error_dict") else {name: exc.messages}
                for field, messages in found.items():
                    errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class BidSubmit(APIView):
    @extend_schema(
        request=None,
        responses={200: BidRevisionSerializer, 400: OpenApiResponse(description="`fields` maps each failing rule")},
    )
    def post(self, request, pk):
        """Submit the working copy as a new revision; every failing eligibility rule is named in `fields`."""
        bid = selectors.bid_for(request.user, pk)
        revision = services.bid_submit(bid=bid, actor=request.user)
        return Response(BidRevisionSerializer(revision).data)


class BidWithdraw(APIView):
    @extend_schema(request=None, responses=BidSerializer)
    def post(self, request, pk):
        bid = selectors.bid_for(request.user, pk)
        bid = services.bid_withdraw(bid=bid, actor=request.user)
        return Response(BidSerializer(bid).data)


class PartnerInvite(APIView):
    @extend_schema(request=BidPartnerInviteSerializer, responses={201: BidPartnerSerializer})
    def post(self, request, pk):
        """Invite an organisation into the consortium; its own admin confirms or declines."""
        bid = selectors.bid_for(request.user, pk)
        _require(request.user, "submissions.invite_partner", bid)
        data = _validated(BidPartnerInviteSerializer, request)
        organisation = _organisation(data.pop("organisation"), "organisation")
        partner = services.partner_invite(bid=bid, actor=request.user, organisation=organisation, **data)
        return Response(BidPartnerSerializer(partner).data, status=status.HTTP_201_CREATED)


def _partner(request, pk, pid):
    bid = selectors.bid_for(request.user, pk)
    return get_object_or_404(bid.partners.select_related("bid", "organisation"), pk=pid)


class PartnerConfirm(APIView):
    @extend_schema(request=None, responses=BidPartnerSerializer)
    def post(self, request, pk, pid):
        partner = services.partner_respond(partner=_partner(request, pk, pid), actor=request.user, accept=True)
        return Response(BidPartnerSerializer(partner).data)


class PartnerDecline(APIView):
    @extend_schema(request=None, responses=BidPartnerSerializer)
    def post(self, request, pk, pid):
        partner = services.partner_respond(partner=_partner(request, pk, pid), actor=request.user, accept=False)
        return Response(BidPartnerSerializer(partner).data)


class PartnerRemove(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, pid):
        services.partner_remove(partner=_partner(request, pk, pid), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentUpload(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": BidAttachmentUploadSerializer}, responses={201: BidAttachmentSerializer})
    def post(self, request, pk):
        """Add a file (PDF, Office document, image or zip); its real type and size are checked."""
        bid = selectors.bid_for(request.user, pk)
        _require(request.user, "submissions.edit_bid", bid)
        data = _validated(BidAttachmentUploadSerializer, request)
        attachment = services.attachment_add(bid=bid, actor=request.user, upload=data["file"], description=data["description"])
        return Response(BidAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentRemove(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, aid):
        """Take a file out of the working copy; revisions that cite it keep it."""
        bid = selectors.bid_for(request.user, pk)
        attachment = get_object_or_404(BidAttachment.objects.filter(bid=bid, removed_at__isnull=True), pk=aid)
        attachment.bid = bid
        services.attachment_remove(attachment=attachment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentDownload(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        attachment = selectors.attachment_for(request.user, pk)
        return download_response(attachment.file, name=attachment.name, content_type=attachment.content_type)


class RevisionList(APIView):
    @extend_schema(responses=BidRevisionSerializer(many=True))
    def get(self, request, pk):
        bid = selectors.bid_for(request.user, pk)
        revisions = bid.revisions.defer("content").order_by("number")
        return Response(BidRevisionSerializer(revisions, many=True).data)


class RevisionDetail(APIView):
    @extend_schema(responses=BidRevisionContentSerializer)
    def get(self, request, pk, number):
        """A submitted revision exactly as frozen (a partner sees only its own budget lines)."""
        bid = selectors.bid_for(request.user, pk)
        revision = get_object_or_404(bid.revisions.all(), number=number)
        return Response(BidRevisionContentSerializer(revision, context={"request": request}).data)
