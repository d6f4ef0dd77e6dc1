"""The optional defence round, and what applicants may read of their reviews after the decision."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.models import Challenge
from core.api_fields import OpaqueRelatedField
from submissions.selectors import bid_for

from .. import selectors, services
from ..models import ExpertProfile
from ..serializers import ReviewRoundSerializer
from .common import CONFLICT, require, validated


class DefenceInput(serializers.Serializer):
    challenge = serializers.PrimaryKeyRelatedField(queryset=Challenge.objects.all())
    experts = OpaqueRelatedField(queryset=ExpertProfile.objects.filter(is_active=True), many=True)
    starts_at = serializers.DateTimeField()
    slot_minutes = serializers.IntegerField(min_value=5, max_value=240, default=30)


class ScoreFeedback(serializers.Serializer):
    criterion = serializers.CharField()
    value = serializers.IntegerField()
    comment = serializers.CharField()


class ReviewFeedback(serializers.Serializer):
    round = serializers.CharField()
    reviewer = serializers.CharField(help_text="An anonymous letter, the same within one round.")
    total = serializers.DecimalField(max_digits=6, decimal_places=2)
    comment = serializers.CharField()
    scores = ScoreFeedback(many=True)


class DefenceOpen(APIView):
    """Operators open a defence (答辩) for the shortlisted bids: a panel, one slot per bid."""

    @extend_schema(request=DefenceInput, responses={201: ReviewRoundSerializer, 409: CONFLICT})
    def post(self, request):
        require(request.user, "reviews.manage_round")
        data = validated(DefenceInput, request)
        round = services.defence_round_open(actor=request.user, **data)
        return Response(ReviewRoundSerializer(round).data, status=status.HTTP_201_CREATED)


class BidFeedback(APIView):
    """The bid's scores and comments after the decision, with reviewers as anonymous letters."""

    @extend_schema(responses=ReviewFeedback(many=True))
    def get(self, request, pk):
        bid = bid_for(request.user, pk)
        require(request.user, "submissions.edit_bid", bid)
        return Response(ReviewFeedback(selectors.feedback_for(bid), many=True).data)
