"""The expert's side: their assignments, the item as they may read it (blind in blind rounds), their reviews."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.files import download_response

from .. import selectors, services
from ..models import Assignment
from ..serializers import (
    AssignmentDetailSerializer,
    MyAssignmentSerializer,
    ReasonInput,
    ReviewInput,
    ReviewSerializer,
)
from .common import CONFLICT, require, validated


def _assignment_detail(request, pk) -> Response:
    user = request.user
    assignment = selectors.assignment_for(user, pk)
    readable = user.has_perm("reviews.read_item", assignment)
    compares = user.has_perm("reviews.view_other_scores", assignment)
    context = {
        "content": selectors.item_content(assignment.item) if readable else None,
        "others": selectors.other_reviews(assignment) if compares else [],
    }
    return Response(AssignmentDetailSerializer(assignment, context=context).data)


class MyAssignmentList(generics.ListAPIView):
    """The caller's own assignments (experts): invitations, reviews in hand and done."""

    serializer_class = MyAssignmentSerializer

    def get_queryset(self):
        return (
            selectors.my_assignments(self.request.user)
            .select_related("item__round__challenge", "review")
            .order_by("-invited_at", "-pk")
        )

    @extend_schema(responses=MyAssignmentSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AssignmentDetail(APIView):
    @extend_schema(responses=AssignmentDetailSerializer)
    def get(self, request, pk):
        """The item as the caller may read it (blind in a blind round), the rubric and their own review.
        A recused, declined or expired assignment shows its status only."""
        return _assignment_detail(request, pk)


class AssignmentAccept(APIView):
    @extend_schema(request=None, responses={200: AssignmentDetailSerializer, 409: CONFLICT})
    def post(self, request, pk):
        assignment = selectors.assignment_for(request.user, pk)
        services.assignment_accept(assignment=assignment, actor=request.user)
        return _assignment_detail(request, pk)


class AssignmentDecline(APIView):
    @extend_schema(request=ReasonInput, responses={200: AssignmentDetailSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Decline the invitation; a replacement is found automatically."""
        assignment = selectors.assignment_for(request.user, pk)
        require(request.user, "reviews.answer_invitation", assignment)
        data = validated(ReasonInput, request)
        services.assignment_decline(assignment=assignment, actor=request.user, reason=data["reason"])
        return _assignment_detail(request, pk)


class AssignmentRecuse(APIView):
    @extend_schema(request=ReasonInput, responses={200: AssignmentDetailSerializer, 409: CONFLICT})
    def post(self, request, pk):
        """Step aside (回避) with a reason, at any point; the item is then closed to the caller."""
        assignment = selectors.assignment_for(request.user, pk)
        require(request.user, "reviews.recuse", assignment)
        data = validated(ReasonInput, request)
        services.assignment_recuse(assignment=assignment, actor=request.user, reason=data["reason"])
        return _assignment_detail(request, pk)


class AssignmentAttachment(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk, number):
        """The n-th file of the reviewed version, named as the adapter names it (anonymised when blind)."""
        assignment = selectors.assignment_for(request.user, pk)
        require(request.user, "reviews.read_item", assignment)
        attachment, name = selectors.item_attachment(assignment.item, number)
        return download_response(attachment.file, name=name, content_type=attachment.content_type)


def _review_args(assignment: Assignment, data: dict) -> dict:
    """Scores and comment from the request; what it leaves out stays as saved."""
    saved_scores, saved_comment = selectors.saved_review(assignment)
    return {"scores": data.get("scores", saved_scores), "comment": data.get("comment", saved_comment)}


def _review(assignment: Assignment) -> Response:
    return Response(ReviewSerializer(selectors.review_of(assignment.pk)).data)


class MyReviewList(generics.ListAPIView):
    """The caller's own reviews, drafts and submitted."""

    serializer_class = ReviewSerializer

    def get_queryset(self):
        return selectors.my_reviews(self.request.user)

    @extend_schema(responses=ReviewSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReviewDraft(APIView):
    @extend_schema(request=ReviewInput, responses={200: ReviewSerializer, 409: CONFLICT})
    def put(self, request, assignment_id):
        """Save scores ({criterion id: {value, comment}}) and the comment as a draft. 409 once submitted."""
        assignment = selectors.assignment_for(request.user, assignment_id)
        require(request.user, "reviews.score", assignment)
        data = validated(ReviewInput, request)
        services.review_save(assignment=assignment, actor=request.user, **_review_args(assignment, data))
        return _review(assignment)


class ReviewSubmit(APIView):
    @extend_schema(request=ReviewInput, responses={200: ReviewSerializer, 409: CONFLICT})
    def post(self, request, assignment_id):
        """Submit: every criterion scored (and commented where required). The review is then locked."""
        assignment = selectors.assignment_for(request.user, assignment_id)
        require(request.user, "reviews.score", assignment)
        data = validated(ReviewInput, request)
        services.review_save(assignment=assignment, actor=request.user, submit=True, **_review_args(assignment, data))
        return _review(assignment)


class ReviewReopen(APIView):
    @extend_schema(request=ReasonInput, responses={200: ReviewSerializer, 409: CONFLICT})
    def post(self, request, assignment_id):
        """Reopen a submitted review (operators, with a reason; audited)."""
        assignment = selectors.assignment_for(request.user, assignment_id)
        require(request.user, "reviews.reopen_review", assignment)
        data = validated(ReasonInput, request)
        services.review_reopen(assignment=assignment, actor=request.user, reason=data["reason"])
        return _review(assignment)
