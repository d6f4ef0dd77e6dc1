from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from . import api

app_name = "reviews"

urlpatterns = [
    path("experts/", api.ExpertList.as_view(), name="expert-list"),
    path("experts/import", api.ExpertImport.as_view(), name="expert-import"),
    path("experts/<oid:pk>/", api.ExpertDetail.as_view(), name="expert-detail"),
    path("experts/<oid:pk>/conflicts", api.ExpertConflicts.as_view(), name="expert-conflicts"),
    path("review-rounds/", api.RoundList.as_view(), name="round-list"),
    path("review-rounds/defence", api.DefenceOpen.as_view(), name="round-defence"),
    path("bids/<uuid:pk>/feedback", api.BidFeedback.as_view(), name="bid-feedback"),
    path("review-rounds/<oid:pk>/", api.RoundDetail.as_view(), name="round-detail"),
    path("review-rounds/<oid:pk>/assign", api.RoundAssign.as_view(), name="round-assign"),
    path("review-rounds/<oid:pk>/assignments", api.RoundAssignments.as_view(), name="round-assignments"),
    path("review-rounds/<oid:pk>/invite", api.RoundInvite.as_view(), name="round-invite"),
    path("review-rounds/<oid:pk>/exclusions", api.RoundExclusions.as_view(), name="round-exclusions"),
    path("review-rounds/<oid:pk>/progress", api.RoundProgress.as_view(), name="round-progress"),
    path("review-rounds/<oid:pk>/results", api.RoundResults.as_view(), name="round-results"),
    path("review-items/<oid:pk>/formal-check", api.ItemFormalCheck.as_view(), name="item-formal-check"),
    path("assignments/", api.MyAssignmentList.as_view(), name="assignment-list"),
    path("assignments/<oid:pk>/", api.AssignmentDetail.as_view(), name="assignment-detail"),
    path("assignments/<oid:pk>/accept", api.AssignmentAccept.as_view(), name="assignment-accept"),
    path("assignments/<oid:pk>/decline", api.AssignmentDecline.as_view(), name="assignment-decline"),
    path("assignments/<oid:pk>/recuse", api.AssignmentRecuse.as_view(), name="assignment-recuse"),
    path("assignments/<oid:pk>/lock", api.AssignmentLock.as_view(), name="assignment-lock"),
    path(
        "assignments/<oid:pk>/attachments/<int:number>/download",
        api.AssignmentAttachment.as_view(),
        name="assignment-attachment",
    ),
    path("reviews/", api.MyReviewList.as_view(), name="review-list"),
    path("reviews/<oid:assignment_id>", api.ReviewDraft.as_view(), name="review-draft"),
    path("reviews/<oid:assignment_id>/submit", api.ReviewSubmit.as_view(), name="review-submit"),
    path("reviews/<oid:assignment_id>/reopen", api.ReviewReopen.as_view(), name="review-reopen"),
]
