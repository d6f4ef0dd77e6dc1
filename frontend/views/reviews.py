from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reviews import selectors


@login_required
def assignment_detail(request, pk):
    assignment = selectors.assignment_for(request.user, pk)
    return render(request, "frontend/reviews/assignment.html", {"assignment": assignment})


@login_required
def round_detail(request, pk):
    round = selectors.round_for(request.user, pk)
    return render(request, "frontend/reviews/round.html", {"round": round})


@login_required
def round_results(request, pk):
    round = selectors.round_for(request.user, pk)
    return render(request, "frontend/reviews/results.html", {"round": round})
