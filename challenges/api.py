"""The challenges REST API: fetch through a selector (404 for the unknown), call one service, serialize."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import files
from core.api_fields import OpaqueIdFilter

from . import selectors, services
from .filters import ChallengeFilter
from .models import Challenge
from .serializers import (
    ActingOrganisationInput,
    AmendmentInput,
    AmendmentSerializer,
    AnswerInput,
    AttachmentSerializer,
    AttachmentUploadInput,
    CancelInput,
    ChallengeCreateInput,
    ChallengeDetailSerializer,
    ChallengeListSerializer,
    ChallengeUpdateInput,
    NdaStatusSerializer,
    QuestionInput,
    QuestionSerializer,
    ReturnInput,
    SubscriptionInput,
    SubscriptionSerializer,
    TechnicalFieldSerializer,
)

ReadOrLogin = permissions.IsAuthenticatedOrReadOnly


def _nda_status(user, challenge: Challenge) -> dict:
    signed = sorted(selectors.nda_signed_org_ids(challenge) & selectors.applicant_organisation_ids(user))
    return {
        "text": challenge.nda_text,
        "version": challenge.nda_version,
        "signed": bool(signed),
        "signed_organisations": signed,
        "can_sign": user.has_perm("challenges.sign_nda", challenge),
    }


def _detail(request, pk, *, status_code: int = status.HTTP_200_OK) -> Response:
    user = request.user
    challenge = selectors.challenge_for(user, pk, detail=True)
    context = {
        "request": request,
        "confidential": user.has_perm("challenges.view_confidential", challenge),
        "attachments": selectors.visible_attachments(user, challenge),
        "nda": _nda_status(user, challenge),
    }
    return Response(ChallengeDetailSerializer(challenge, context=context).data, status=status_code)


def _acting_organisation(user, pk):
    organisation = selectors.acting_organisation(user, pk)
    if organisation is None:
        raise exceptions.PermissionDenied(_("Only members of an applicant organisation can do this."))
    return organisation


def _require(user, perm: str, obj=None) -> None:
    """Permission before the body: a role that may never act is refused (403) whatever it sends.
    The services check again."""
    if not user.has_perm(perm, obj):
        raise exceptions.PermissionDenied


def _agency_staff_somewhere(user) -> None:
    """The issuing agency travels in the body: before reading it, refuse whoever works for no agency."""
    if not selectors.agency_ids(user):
        raise exceptions.PermissionDenied


def _applicant_somewhere(user) -> None:
    if not selectors.applicant_organisation_ids(user):
        raise exceptions.PermissionDenied(_("Only members of an applicant organisation can do this."))


def _validated(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# The list ------------------------------------------------------------------------------------


class ApiChallengeFilter(ChallengeFilter):
    # The API names the agency by its opaque id; the page's form keeps its select of agencies.
    issuer = OpaqueIdFilter(field_name="issuer_id", label=gettext_lazy("Agency"))
    # Declared so it is checked like every filter; get_queryset picks the rows from it.
    mine = django_filters.BooleanFilter(
        method="filter_mine", help_text="Only the challenges of the caller's agencies, in every state."
    )

    def filter_mine(self, queryset, name, value):
        return queryset


class ChallengeListCreate(generics.ListAPIView):
    """Challenges the caller may see, searched, filtered and sorted; POST starts a draft."""

    permission_classes = [ReadOrLogin]
    serializer_class = ChallengeListSerializer
    filterset_class = ApiChallengeFilter

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("mine", "").lower() in {"1", "true", "yes"}:
            return selectors.agency_challenges(user)
        return selectors.with_list_data(selectors.visible_challenges(user))

    @extend_schema(request=ChallengeCreateInput, responses={201: ChallengeDetailSerializer})
    def post(self, request):
        _agency_staff_somewhere(request.user)
        values = _validated(ChallengeCreateInput, request)
        challenge = services.challenge_create(
            actor=request.user,
            issuer=values.pop("issuer"),
            fields=values.pop("fields"),
            indicators=values.pop("indicators"),
            data=values,
        )
        return _detail(request, challenge.pk, status_code=status.HTTP_201_CREATED)


# One challenge -------------------------------------------------------------------------------


class ChallengeDetail(APIView):
    permission_classes = [ReadOrLogin]

    @extend_schema(responses=ChallengeDetailSerializer)
    def get(self, request, pk):
        return _detail(request, pk)

    @extend_schema(request=ChallengeUpdateInput, responses=ChallengeDetailSerializer)
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(request=ChallengeUpdateInput, responses=ChallengeDetailSerializer)
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk, *, partial: bool) -> Response:
        challenge = selectors.challenge_for(request.user, pk)
        _require(request.user, "challenges.edit_challenge", challenge)
        values = _validated(ChallengeUpdateInput, request, partial=partial)
        services.challenge_update(
            challenge=challenge,
            actor=request.user,
            fields=values.pop("fields", None),
            indicators=values.pop("indicators", None),
            data=values,
        )
        return _detail(request, pk)


class ChallengeSubmit(APIView):
    @extend_schema(request=None, responses=ChallengeDetailSerializer)
    def post(self, request, pk):
        services.challenge_submit(challenge=selectors.challenge_for(request.user, pk), actor=request.user)
        return _detail(request, pk)


class ChallengeApprove(APIView):
    @extend_schema(request=None, responses=ChallengeDetailSerializer)
    def post(self, request, pk):
        services.challenge_approve(challenge=selectors.challenge_for(request.user, pk), actor=request.user)
        return _detail(request, pk)


class ChallengeReturn(APIView):
    @extend_schema(request=ReturnInput, responses=ChallengeDetailSerializer)
    def post(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        _require(request.user, "challenges.return_challenge", challenge)
        values = _validated(ReturnInput, request)
        services.challenge_return(challenge=challenge, actor=request.user, comment=values["comment"])
        return _detail(request, pk)


class ChallengeCancel(APIView):
    @extend_schema(request=CancelInput, responses=ChallengeDetailSerializer)
    def post(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        _require(request.user, "challenges.cancel_challenge", challenge)
        values = _validated(CancelInput, request)
        services.challenge_cancel(challenge=challenge, actor=request.user, reason=values["reason"])
        return _detail(request, pk)


class ChallengeReissue(APIView):
    @extend_schema(
        request=None,
        responses={
            201: ChallengeDetailSerializer,
            409: OpenApiResponse(description="Only an unawarded or cancelled challenge can be re-issued."),
        },
    )
    def post(self, request, pk):
        """Re-issue an unawarded or cancelled challenge as a new draft linked to it; answers the draft."""
        challenge = selectors.challenge_for(request.user, pk)
        draft = services.challenge_reissue(challenge=challenge, actor=request.user)
        return _detail(request, draft.pk, status_code=status.HTTP_201_CREATED)


# After publication ---------------------------------------------------------------------------


class ChallengeAmendments(APIView):
    """The public history of changes; POST records a new amendment."""

    permission_classes = [ReadOrLogin]

    @extend_schema(responses=AmendmentSerializer(many=True))
    def get(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        context = {"confidential": request.user.has_perm("challenges.view_confidential", challenge)}
        return Response(AmendmentSerializer(challenge.amendments.all(), many=True, context=context).data)

    @extend_schema(request=AmendmentInput, responses={201: AmendmentSerializer})
    def post(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        _require(request.user, "challenges.amend_challenge", challenge)
        values = _validated(AmendmentInput, request)
        amendment = services.challenge_amend(
            challenge=challenge, actor=request.user, reason=values["reason"], changes=values["changes"]
        )
        context = {"confidential": request.user.has_perm("challenges.view_confidential", challenge)}
        return Response(AmendmentSerializer(amendment, context=context).data, status=status.HTTP_201_CREATED)


class ChallengeQuestions(APIView):
    """Answered questions for everyone, open ones for the issuer; POST asks one."""

    permission_classes = [ReadOrLogin]

    @extend_schema(responses=QuestionSerializer(many=True))
    def get(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        return Response(QuestionSerializer(selectors.visible_questions(request.user, challenge), many=True).data)

    @extend_schema(request=QuestionInput, responses={201: QuestionSerializer})
    def post(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        _require(request.user, "challenges.ask_question", challenge)
        values = _validated(QuestionInput, request)
        question = services.question_ask(challenge=challenge, actor=request.user, text=values["text"])
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswer(APIView):
    @extend_schema(request=AnswerInput, responses=QuestionSerializer)
    def post(self, request, pk, qid):
        challenge = selectors.challenge_for(request.user, pk)
        question = selectors.question_for(request.user, challenge, qid)
        _require(request.user, "challenges.answer_question", challenge)
        values = _validated(AnswerInput, request)
        question = services.question_answer(question=question, actor=request.user, answer=values["answer"])
        return Response(QuestionSerializer(question).data)


class ChallengeNda(APIView):
    """The NDA's text and whether the caller's organisation signed it; POST signs it."""

    permission_classes = [ReadOrLogin]

    @extend_schema(responses=NdaStatusSerializer)
    def get(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        return Response(NdaStatusSerializer(_nda_status(request.user, challenge)).data)

    @extend_schema(request=ActingOrganisationInput, responses={201: NdaStatusSerializer})
    def post(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        _require(request.user, "challenges.sign_nda", challenge)
        organisation = _acting_organisation(request.user, _validated(ActingOrganisationInput, request).get("organisation"))
        services.nda_sign(challenge=challenge, actor=request.user, organisation=organisation)
        return Response(NdaStatusSerializer(_nda_status(request.user, challenge)).data, status=status.HTTP_201_CREATED)


# Files ---------------------------------------------------------------------------------------


class ChallengeAttachments(APIView):
    """The files the caller may see; POST uploads one to a draft."""

    permission_classes = [ReadOrLogin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=AttachmentSerializer(many=True))
    def get(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        return Response(AttachmentSerializer(selectors.visible_attachments(request.user, challenge), many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentUploadInput}, responses={201: AttachmentSerializer})
    def post(self, request, pk):
        challenge = selectors.challenge_for(request.user, pk)
        _require(request.user, "challenges.edit_challenge", challenge)
        values = _validated(AttachmentUploadInput, request)
        attachment = services.attachment_add(
            challenge=challenge, actor=request.user, upload=values["file"], confidential=values["confidential"]
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class _AnyAccept(BaseContentNegotiation):
    """A download answers whatever the client accepts; errors still render as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AttachmentDownload(APIView):
    """A file through a permission check: 404 when the caller may not read it."""

    permission_classes = [permissions.AllowAny]
    content_negotiation_class = _AnyAccept

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")})
    def get(self, request, pk):
        attachment = selectors.attachment_for(request.user, pk)
        return files.download_response(attachment.file, name=attachment.name, content_type=attachment.content_type)


# Taxonomy and subscriptions ------------------------------------------------------------------


class TechnicalFieldList(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=TechnicalFieldSerializer(many=True))
    def get(self, request):
        return Response(TechnicalFieldSerializer(selectors.technical_fields(), many=True).data)


class Subscriptions(APIView):
    """The fields the caller's organisation hears about when a challenge is published."""

    @extend_schema(parameters=[ActingOrganisationInput], responses=SubscriptionSerializer)
    def get(self, request):
        _applicant_somewhere(request.user)
        query = ActingOrganisationInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self._response(_acting_organisation(request.user, query.validated_data.get("organisation")))

    @extend_schema(request=SubscriptionInput, responses=SubscriptionSerializer)
    def put(self, request):
        _applicant_somewhere(request.user)
        values = _validated(SubscriptionInput, request)
        organisation = _acting_organisation(request.user, values.get("organisation"))
        services.subscription_set(organisation=organisation, actor=request.user, fields=values["fields"])
        return self._response(organisation)

    @extend_schema(request=SubscriptionInput, responses=SubscriptionSerializer)
    def post(self, request):
        return self.put(request)

    def _response(self, organisation) -> Response:
        fields = selectors.subscribed_fields(organisation)
        return Response(SubscriptionSerializer({"organisation": organisation.pk, "fields": fields}).data)
