from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from . import api

app_name = "challenges"

urlpatterns = [
    path("challenges/", api.ChallengeListCreate.as_view(), name="challenge-list"),
    path("challenges/<uuid:pk>/", api.ChallengeDetail.as_view(), name="challenge-detail"),
    path("challenges/<uuid:pk>/submit", api.ChallengeSubmit.as_view(), name="challenge-submit"),
    path("challenges/<uuid:pk>/approve", api.ChallengeApprove.as_view(), name="challenge-approve"),
    path("challenges/<uuid:pk>/return", api.ChallengeReturn.as_view(), name="challenge-return"),
    path("challenges/<uuid:pk>/cancel", api.ChallengeCancel.as_view(), name="challenge-cancel"),
    path("challenges/<uuid:pk>/reissue", api.ChallengeReissue.as_view(), name="challenge-reissue"),
    path("challenges/<uuid:pk>/amendments", api.ChallengeAmendments.as_view(), name="challenge-amendments"),
    path("challenges/<uuid:pk>/questions", api.ChallengeQuestions.as_view(), name="challenge-questions"),
    path("challenges/<uuid:pk>/questions/<oid:qid>/answer", api.QuestionAnswer.as_view(), name="question-answer"),
    path("challenges/<uuid:pk>/nda", api.ChallengeNda.as_view(), name="challenge-nda"),
    path("challenges/<uuid:pk>/attachments", api.ChallengeAttachments.as_view(), name="challenge-attachments"),
    path("challenge-attachments/<oid:pk>/download", api.AttachmentDownload.as_view(), name="attachment-download"),
    path("fields/", api.TechnicalFieldList.as_view(), name="field-list"),
    path("subscriptions/", api.Subscriptions.as_view(), name="subscriptions"),
]
