from django.urls import path

from . import api

app_name = "accounts"

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("organisations/", api.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/<int:pk>/", api.OrganisationDetail.as_view(), name="organisation-detail"),
    path("organisations/<int:pk>/verify", api.OrganisationVerify.as_view(), name="organisation-verify"),
    path("organisations/<int:pk>/reject", api.OrganisationReject.as_view(), name="organisation-reject"),
    path("organisations/<int:pk>/invitations", api.OrganisationInvite.as_view(), name="organisation-invite"),
]
