from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from submissions import selectors


@login_required
def bid_detail(request, pk):
    bid = selectors.bid_for(request.user, pk)
    return render(request, "frontend/bids/detail.html", {"bid": bid})
