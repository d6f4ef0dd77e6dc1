from django.urls import path

from . import api_views

app_name = "core"

urlpatterns = [
    path("notifications/", api_views.NotificationList.as_view(), name="notification-list"),
    path("notifications/read", api_views.NotificationMarkRead.as_view(), name="notification-read"),
]
