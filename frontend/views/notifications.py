from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import notifications
from core.models import Notification


@login_required
def notification_list(request):
    page = Paginator(Notification.objects.filter(recipient=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "frontend/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request):
    notifications.mark_read(user=request.user)
    return redirect("frontend:notifications")
