from django.shortcuts import render

from accounts import selectors as account_selectors
from core.models import Notification


def home(request):
    if not request.user.is_authenticated:
        return render(request, "frontend/home_public.html")
    user = request.user
    context = {
        "memberships": account_selectors.memberships_of(user),
        "notifications": Notification.objects.filter(recipient=user)[:5],
        "to_verify": account_selectors.organisations_to_verify()[:20] if user.is_operator else None,
    }
    return render(request, "frontend/home.html", context)
