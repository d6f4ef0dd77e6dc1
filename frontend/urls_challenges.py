from django.urls import path

from .views import challenges

urlpatterns = [
    path("challenges/", challenges.challenge_list, name="challenge_list"),
    path("challenges/<uuid:pk>/", challenges.challenge_detail, name="challenge_detail"),
]
