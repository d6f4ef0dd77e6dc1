from django.shortcuts import render

from challenges import selectors
from challenges.filters import ChallengeFilter


def challenge_list(request):
    filterset = ChallengeFilter(
        request.GET, queryset=selectors.with_list_data(selectors.visible_challenges(request.user))
    )
    return render(request, "frontend/challenges/list.html", {"filter": filterset, "challenges": filterset.qs[:20]})


def challenge_detail(request, pk):
    challenge = selectors.challenge_for(request.user, pk)
    return render(request, "frontend/challenges/detail.html", {"challenge": challenge})
