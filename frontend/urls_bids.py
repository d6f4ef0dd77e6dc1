from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from .views import bids

urlpatterns = [
    path("challenges/<uuid:challenge_pk>/bids/new/", bids.bid_create, name="bid_create"),
    path("challenges/<uuid:challenge_pk>/bids/", bids.challenge_bids, name="challenge_bids"),
    path("my/bids/", bids.my_bids, name="my_bids"),
    path("bids/<uuid:pk>/", bids.bid_detail, name="bid_detail"),
    path("bids/<uuid:pk>/edit/", bids.bid_edit, name="bid_edit"),
    path("bids/<uuid:pk>/edit/partners/<oid:partner_pk>/remove/", bids.partner_remove, name="bid_partner_remove"),
    path("bids/<uuid:pk>/edit/files/<oid:attachment_pk>/remove/", bids.attachment_remove, name="bid_attachment_remove"),
    path("bids/<uuid:pk>/edit/<slug:section>/", bids.bid_section, name="bid_section"),
    path("bids/<uuid:pk>/submit/", bids.bid_submit, name="bid_submit"),
    path("bids/<uuid:pk>/withdraw/", bids.bid_withdraw, name="bid_withdraw"),
    path("bids/attachments/<oid:pk>/download/", bids.attachment_download, name="bid_attachment_download"),
    path("bids/partners/<oid:pk>/respond/", bids.partner_respond, name="bid_partner_respond"),
]
