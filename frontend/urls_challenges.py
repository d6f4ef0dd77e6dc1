from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from .views import challenges as views

urlpatterns = [
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/attachments/<oid:pk>/download/", views.attachment_download, name="attachment_download"),
    path("challenges/<uuid:pk>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<uuid:pk>/edit/", views.challenge_edit, name="challenge_edit"),
    path("challenges/<uuid:pk>/attachments/", views.attachment_add, name="challenge_attachment_add"),
    path("challenges/<uuid:pk>/submit/", views.challenge_submit, name="challenge_submit"),
    path("challenges/<uuid:pk>/approve/", views.challenge_approve, name="challenge_approve"),
    path("challenges/<uuid:pk>/return/", views.challenge_return, name="challenge_return"),
    path("challenges/<uuid:pk>/cancel/", views.challenge_cancel, name="challenge_cancel"),
    path("challenges/<uuid:pk>/reissue/", views.challenge_reissue, name="challenge_reissue"),
    path("challenges/<uuid:pk>/amend/", views.challenge_amend, name="challenge_amend"),
    path("challenges/<uuid:pk>/nda/", views.nda_sign, name="challenge_nda_sign"),
    path("challenges/<uuid:pk>/questions/", views.question_ask, name="challenge_question_ask"),
    path(
        "challenges/<uuid:pk>/questions/<oid:question_pk>/answer/",
        views.question_answer,
        name="challenge_question_answer",
    ),
    path("agency/challenges/", views.agency_challenge_list, name="agency_challenges"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
]
