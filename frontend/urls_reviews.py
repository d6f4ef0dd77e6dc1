from django.urls import path

from .views import reviews

urlpatterns = [
    path("reviews/assignments/<int:pk>/", reviews.assignment_detail, name="assignment_detail"),
    path("reviews/rounds/<int:pk>/", reviews.round_detail, name="round_detail"),
    path("reviews/rounds/<int:pk>/results/", reviews.round_results, name="round_results"),
]
