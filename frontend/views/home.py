from django.shortcuts import render

from accounts import selectors as account_selectors
from core.models import Notification

from .. import dashboards


def home(request):
    if not request.user.is_authenticated:
        return render(request, "frontend/home_public.html")
    user = request.user
    context = {
        "memberships": account_selectors.memberships_of(user),
        "notifications": Notification.objects.filter(recipient=user)[:5],
        "dashboard": dashboards.for_user(user),
    }
    return render(request, "frontend/home.html", context)
