from django.urls import path

from .views import bids

urlpatterns = [
    path("bids/<uuid:pk>/", bids.bid_detail, name="bid_detail"),
]
