from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from . import api

app_name = "accounts"

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("organisations/", api.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/<oid:pk>/", api.OrganisationDetail.as_view(), name="organisation-detail"),
    path("organisations/<oid:pk>/verify", api.OrganisationVerify.as_view(), name="organisation-verify"),
    path("organisations/<oid:pk>/reject", api.OrganisationReject.as_view(), name="organisation-reject"),
    path("organisations/<oid:pk>/invitations", api.OrganisationInvite.as_view(), name="organisation-invite"),
]
