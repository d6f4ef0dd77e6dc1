from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from .views.reviews import assignments, pool, rounds

urlpatterns = [
    # The expert's side.
    path("reviews/", assignments.my_reviews, name="my_reviews"),
    path("reviews/assignments/<oid:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path("reviews/assignments/<oid:pk>/accept/", assignments.assignment_accept, name="assignment_accept"),
    path("reviews/assignments/<oid:pk>/decline/", assignments.assignment_decline, name="assignment_decline"),
    path("reviews/assignments/<oid:pk>/recuse/", assignments.assignment_recuse, name="assignment_recuse"),
    path("reviews/assignments/<oid:pk>/review/", assignments.assignment_review, name="assignment_review"),
    path("reviews/assignments/<oid:pk>/reopen/", assignments.assignment_reopen, name="assignment_reopen"),
    path(
        "reviews/assignments/<oid:pk>/attachments/<int:n>/",
        assignments.assignment_attachment,
        name="assignment_attachment",
    ),
    # The operator's pool.
    path("reviews/experts/", pool.expert_list, name="expert_list"),
    path("reviews/experts/new/", pool.expert_create, name="expert_create"),
    path("reviews/experts/import/", pool.expert_import, name="expert_import"),
    path("reviews/experts/<oid:pk>/", pool.expert_detail, name="expert_detail"),
    path("reviews/experts/<oid:pk>/edit/", pool.expert_edit, name="expert_edit"),
    path("reviews/experts/<oid:pk>/conflicts/", pool.expert_conflict_add, name="expert_conflict_add"),
    # Rounds, for operators and the issuing agency.
    path("reviews/rounds/", rounds.round_list, name="round_list"),
    path("reviews/rounds/<oid:pk>/", rounds.round_detail, name="round_detail"),
    path("reviews/rounds/<oid:pk>/progress/", rounds.round_progress, name="round_progress"),
    path("reviews/rounds/<oid:pk>/settings/", rounds.round_settings, name="round_settings"),
    path("reviews/rounds/<oid:pk>/assign/", rounds.round_assign, name="round_assign"),
    path("reviews/rounds/<oid:pk>/reassign/", rounds.round_reassign, name="round_reassign"),
    path("reviews/rounds/<oid:pk>/invite/", rounds.round_invite, name="round_invite"),
    path("reviews/rounds/<oid:pk>/results/", rounds.round_results, name="round_results"),
    path("reviews/items/<oid:pk>/check/", rounds.item_check, name="item_check"),
    path("reviews/items/<oid:pk>/experts/", rounds.item_add_expert, name="item_add_expert"),
    path("reviews/assignments/<oid:pk>/lock/", rounds.assignment_lock, name="assignment_lock"),
    path("reviews/assignments/<oid:pk>/remove/", rounds.assignment_remove, name="assignment_remove"),
]
