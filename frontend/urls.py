from django.contrib.auth import views as auth_views
from django.urls import path

from core import converters  # noqa: F401  (registers <oid:...>)

from . import urls_awards, urls_bids, urls_challenges, urls_reviews
from .views import accounts, home, notifications, organisations

app_name = "frontend"

urlpatterns = (
    [
        path("", home.home, name="home"),
        path("login/", accounts.LoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("signup/", accounts.signup, name="signup"),
        path("verify-email/<uidb64>/<token>/", accounts.verify_email, name="verify_email"),
        path("password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
        path(
            "password-reset/sent/",
            auth_views.PasswordResetDoneView.as_view(template_name="frontend/accounts/password_reset_sent.html"),
            name="password_reset_done",
        ),
        path(
            "password-reset/<uidb64>/<token>/",
            auth_views.PasswordResetConfirmView.as_view(
                template_name="frontend/accounts/password_reset_confirm.html", success_url="/password-reset/done/"
            ),
            name="password_reset_confirm",
        ),
        path(
            "password-reset/done/",
            auth_views.PasswordResetCompleteView.as_view(template_name="frontend/accounts/password_reset_done.html"),
            name="password_reset_complete",
        ),
        path("password-change/", accounts.PasswordChangeView.as_view(), name="password_change"),
        path(
            "password-change/done/",
            auth_views.PasswordChangeDoneView.as_view(template_name="frontend/accounts/password_change_done.html"),
            name="password_change_done",
        ),
        path("invitations/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
        path("profile/", accounts.profile, name="profile"),
        path("notifications/", notifications.notification_list, name="notifications"),
        path("notifications/read-all/", notifications.notification_read_all, name="notifications_read_all"),
        path("organisations/new/", organisations.organisation_register, name="organisation_register"),
        path("organisations/verify/", organisations.organisation_queue, name="organisation_queue"),
        path("organisations/<oid:pk>/", organisations.organisation_detail, name="organisation_detail"),
        path("organisations/<oid:pk>/invite/", organisations.organisation_invite, name="organisation_invite"),
        path("organisations/<oid:pk>/verify/", organisations.organisation_verify, name="organisation_verify"),
        path("organisations/<oid:pk>/reject/", organisations.organisation_reject, name="organisation_reject"),
    ]
    + urls_challenges.urlpatterns
    + urls_bids.urlpatterns
    + urls_reviews.urlpatterns
    + urls_awards.urlpatterns
)
