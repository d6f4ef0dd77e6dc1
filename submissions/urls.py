from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from . import api

app_name = "submissions"

urlpatterns = [
    path("bids/", api.BidList.as_view(), name="bid-list"),
    path("bids/<uuid:pk>/", api.BidDetail.as_view(), name="bid-detail"),
    path("bids/<uuid:pk>/submit", api.BidSubmit.as_view(), name="bid-submit"),
    path("bids/<uuid:pk>/withdraw", api.BidWithdraw.as_view(), name="bid-withdraw"),
    path("bids/<uuid:pk>/partners", api.PartnerInvite.as_view(), name="partner-invite"),
    path("bids/<uuid:pk>/partners/<oid:pid>", api.PartnerRemove.as_view(), name="partner-remove"),
    path("bids/<uuid:pk>/partners/<oid:pid>/confirm", api.PartnerConfirm.as_view(), name="partner-confirm"),
    path("bids/<uuid:pk>/partners/<oid:pid>/decline", api.PartnerDecline.as_view(), name="partner-decline"),
    path("bids/<uuid:pk>/attachments", api.AttachmentUpload.as_view(), name="attachment-upload"),
    path("bids/<uuid:pk>/attachments/<oid:aid>", api.AttachmentRemove.as_view(), name="attachment-remove"),
    path("bids/<uuid:pk>/revisions", api.RevisionList.as_view(), name="revision-list"),
    path("bids/<uuid:pk>/revisions/<int:number>", api.RevisionDetail.as_view(), name="revision-detail"),
    path("attachments/<oid:pk>/download", api.AttachmentDownload.as_view(), name="attachment-download"),
]
