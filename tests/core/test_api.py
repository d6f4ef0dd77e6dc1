import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_for_right_email_and_password(api, bidder):
    response = api.post(
        "/api/v1/auth/token/", {"email": bidder.email.upper(), "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200 and me.json()["email"] == bidder.email


def test_wrong_password_gives_the_error_format(api, bidder):
    response = api.post("/api/v1/auth/token/", {"email": bidder.email, "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "detail": "Email or password is wrong.", "fields": {}}


def test_missing_fields_are_named(api):
    response = api.post("/api/v1/auth/token/", {"email": "not-an-email"}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid" and set(body["fields"]) == {"email", "password"}


def test_unverified_email_gets_no_token(api):
    user = UserFactory(unverified=True)
    response = api.post("/api/v1/auth/token/", {"email": user.email, "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "email_unverified"


def test_repeated_failures_lock_the_account_out(api, bidder, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"email": bidder.email, "password": "wrong"}, format="json")
    response = api.post("/api/v1/auth/token/", {"email": bidder.email, "password": "correct-horse-battery"}, format="json")
    assert response.status_code in (403, 429)
    assert "token" not in response.json()


def test_malformed_json_is_400_in_the_error_format(api, bidder):
    response = api.post("/api/v1/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_me_lists_memberships_and_roles(api, approver, agency):
    body = api.as_user(approver).get("/api/v1/me/").json()
    assert body["roles"] == ["approver"]
    assert body["memberships"][0]["organisation"]["name"] == agency.name


def test_me_needs_login(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/auth/token/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html and "cdn" not in html.lower()
