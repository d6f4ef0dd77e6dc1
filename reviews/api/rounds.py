"""The rounds API: operators run them; the issuing agency sees progress and the anonymous ranking."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Assignment, Exclusion, ExpertProfile, ReviewRound
from ..serializers import (
    AssignmentAddInput,
    AssignmentPairSerializer,
    AssignResultSerializer,
    ExclusionSerializer,
    InvitedSerializer,
    ItemCheckInput,
    ProgressSerializer,
    ResultsSerializer,
    ReviewRoundDetailSerializer,
    ReviewRoundSerializer,
    RoundConfigureInput,
    RoundItemSerializer,
)
from ..services.aggregation import TIE_RULE
from .common import CONFLICT, require, validated


class RoundFilter(django_filters.FilterSet):
    challenge = django_filters.UUIDFilter(field_name="challenge_id")
    status = django_filters.ChoiceFilter(choices=ReviewRound.Status.choices)

    class Meta:
        model = ReviewRound
        fields = ["challenge", "status"]


def _round(request, pk, perm: str | None = None) -> ReviewRound:
    round = selectors.round_for(request.user, pk)
    if perm:
        require(request.user, perm, round)
    return round


def _round_detail(request, pk) -> Response:
    return Response(ReviewRoundDetailSerializer(selectors.round_detail(request.user, pk)).data)


class RoundList(generics.ListAPIView):
    """Review rounds: every round for operators, their own challenges' rounds for agency staff."""

    serializer_class = ReviewRoundSerializer
    filterset_class = RoundFilter

    def get_queryset(self):
        return selectors.visible_rounds(self.request.user).select_related("challenge").order_by("-created_at", "pk")

    @extend_schema(responses=ReviewRoundSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RoundDetail(APIView):
    @extend_schema(responses=ReviewRoundDetailSerializer)
    def get(self, request, pk):
        return _round_detail(request, pk)

    @extend_schema(request=RoundConfigureInput, responses={200: ReviewRoundDetailSerializer, 409: CONFLICT})
    def patch(self, request, pk):
        """Configure the round (experts per item, blind, deadlines, rubric, aggregation) before it starts."""
        round = _round(request, pk, "reviews.manage_round")
        data = validated(RoundConfigureInput, request, partial=True)
        services.round_configure(round=round, actor=request.user, data=data)
        return _round_detail(request, pk)


class RoundAssign(APIView):
    @extend_schema(
        request=None,
        responses={
            200: AssignResultSerializer,
            409: OpenApiResponse(description="Infeasible: `detail` names each item short of experts and why."),
        },
    )
    def post(self, request, pk):
        """Compute the assignment (a round waiting in “assigning”) or recompute it around the locked
        pairs (a proposed round). Nothing is written when it is infeasible."""
        round = _round(request, pk)
        summary = services.round_recompute(round=round, actor=request.user)
        return Response(summary)


class RoundAssignments(generics.ListAPIView):
    """The operator's preview of every pair, and adding a pair by hand."""

    serializer_class = AssignmentPairSerializer
    queryset = Assignment.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.round_pairs(_round(self.request, self.kwargs["pk"], "reviews.manage_round"))

    @extend_schema(responses=AssignmentPairSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AssignmentAddInput, responses={201: AssignmentPairSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Add an expert to an item by hand (locked); a conflicted expert is refused with the reasons."""
        round = _round(request, pk, "reviews.manage_round")
        data = validated(AssignmentAddInput, request)
        item = round.items.filter(pk=data["item"]).first()
        expert = ExpertProfile.objects.filter(pk=data["expert"]).select_related("user", "affiliation").first()
        errors = {"item": [_("No such item in this round.")]} if item is None else {}
        errors |= {"expert": [_("No such expert.")]} if expert is None else {}
        if errors:
            raise ValidationError(errors)
        row = services.assignment_set_by_hand(item=item, expert=expert, actor=request.user)
        return Response(AssignmentPairSerializer(row).data, status=status.HTTP_201_CREATED)


class RoundInvite(APIView):
    @extend_schema(request=None, responses={200: InvitedSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Invite every proposed expert; the round is then in progress."""
        round = _round(request, pk)
        invited = services.invitations_send(round=round, actor=request.user)
        return Response({"invited": invited})


class RoundExclusions(generics.ListAPIView):
    """Every exclusion (回避) of the round with its reason and detail (operators)."""

    serializer_class = ExclusionSerializer
    queryset = Exclusion.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.round_exclusions(_round(self.request, self.kwargs["pk"], "reviews.manage_round"))

    @extend_schema(responses=ExclusionSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RoundProgress(APIView):
    @extend_schema(responses=ProgressSerializer)
    def get(self, request, pk):
        """Counts by status and overdue reviews, for operators and the issuing agency: no names."""
        round = _round(request, pk, "reviews.view_round")
        return Response(ProgressSerializer(selectors.round_progress(round)).data)


class RoundResults(APIView):
    @extend_schema(responses={200: ResultsSerializer, 409: CONFLICT})
    def get(self, request, pk):
        """The ranking once the round is completed, each review's total under an anonymous label."""
        round = _round(request, pk, "reviews.view_round")
        items = selectors.completed_ranking(round)
        data = {
            "round": round,
            "aggregation": round.aggregation,
            "tie_rule": str(TIE_RULE),
            "items": items,
        }
        return Response(ResultsSerializer(data).data)


class ItemFormalCheck(APIView):
    @extend_schema(request=ItemCheckInput, responses=RoundItemSerializer)
    def post(self, request, pk):
        """Confirm or overturn the automatic formal check, with a reason the applicant may read."""
        item = selectors.item_for(request.user, pk)
        require(request.user, "reviews.manage_round", item.round)
        data = validated(ItemCheckInput, request)
        item = services.formal_check_decide(item=item, actor=request.user, **data)
        return Response(RoundItemSerializer(item).data)


class AssignmentLock(APIView):
    def _set(self, request, pk, locked: bool) -> Response:
        assignment = selectors.assignment_for(request.user, pk)
        row = services.assignment_lock(assignment=assignment, actor=request.user, locked=locked)
        return Response(AssignmentPairSerializer(selectors.round_pairs(row.item.round).get(pk=row.pk)).data)

    @extend_schema(request=None, responses={200: AssignmentPairSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Keep this proposed pair when the assignment is recomputed (operators)."""
        return self._set(request, pk, True)

    @extend_schema(request=None, responses={200: AssignmentPairSerializer, 409: CONFLICT})
    def delete(self, request, pk):
        return self._set(request, pk, False)
