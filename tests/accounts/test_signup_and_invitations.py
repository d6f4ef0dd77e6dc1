import re

import pytest
from django.core import mail as outbox

from accounts import services
from accounts.models import Invitation, Membership, User
from core.errors import DomainError
from core.models import OutboundEmail
from core.opaque import encode

pytestmark = pytest.mark.django_db


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def test_sign_up_confirm_email_then_log_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/signup/",
            {
                "full_name": "Ada",
                "email": "Ada@Example.cn",
                "language": "en",
                "password1": "a-long-enough-secret",
                "password2": "a-long-enough-secret",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="ada@example.cn")
    assert user.email_verified_at is None
    # Not yet confirmed: the login form says why.
    page = client.post("/login/", {"username": "ada@example.cn", "password": "a-long-enough-secret"})
    assert "Confirm your email" in page.content.decode()
    assert len(outbox.outbox) == 1
    client.get(_link(outbox.outbox[0].body))
    user.refresh_from_db()
    assert user.email_verified_at is not None
    response = client.post("/login/", {"username": "ada@example.cn", "password": "a-long-enough-secret"})
    assert response.status_code == 302


def test_sign_up_errors_keep_what_was_typed(client):
    response = client.post(
        "/signup/",
        {"full_name": "Ada", "email": "ada@example.cn", "language": "en", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ada"' in html and 'value="ada@example.cn"' in html
    assert "too short" in html
    assert not User.objects.filter(email="ada@example.cn").exists()


def test_password_reset_mail_goes_through_the_ledger(client, bidder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password-reset/", {"email": bidder.email})
    assert OutboundEmail.objects.filter(to=bidder.email, state="sent").count() == 1
    link = _link(outbox.outbox[0].body)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "brand-new-secret-1", "new_password2": "brand-new-secret-1"}
    )
    assert response.status_code == 302
    bidder.refresh_from_db()
    assert bidder.check_password("brand-new-secret-1")


def test_manager_invites_and_invitee_joins(client, bidder, bidder_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=bidder_org, actor=bidder, email="New@Example.cn", role=Membership.Role.MEMBER
        )
    assert outbox.outbox[-1].to == ["new@example.cn"]
    newcomer = User.objects.create_user("new@example.cn", "a-long-enough-secret", full_name="New")
    client.force_login(newcomer)
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer, organisation=bidder_org).role == Membership.Role.MEMBER
    with pytest.raises(DomainError):
        services.invitation_accept(invitation=invitation, user=newcomer)


def test_agency_roles_cannot_be_given_in_a_company(bidder, bidder_org, api):
    response = api.as_user(bidder).post(
        f"/api/v1/organisations/{encode(bidder_org.pk)}/invitations",
        {"email": "x@example.cn", "role": "approver"},
        format="json",
    )
    assert response.status_code == 400
    assert "role" in response.json()["fields"]


def test_members_cannot_invite(bidder_member, bidder_org, api):
    response = api.as_user(bidder_member).post(
        f"/api/v1/organisations/{encode(bidder_org.pk)}/invitations", {"email": "x@example.cn", "role": "member"}, format="json"
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_outsiders_cannot_invite(rival, bidder_org, api):
    response = api.as_user(rival).post(
        f"/api/v1/organisations/{encode(bidder_org.pk)}/invitations", {"email": "x@example.cn", "role": "member"}, format="json"
    )
    assert response.status_code == 404


def test_invitation_for_someone_else_is_refused(client, bidder, bidder_org, rival):
    invitation = services.invitation_create(organisation=bidder_org, actor=bidder, email="a@example.cn", role="member")
    client.force_login(rival)
    assert client.post(f"/invitations/{invitation.token}/").status_code == 403
