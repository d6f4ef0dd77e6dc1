"""The fixed cast every test module can draw on, and fast, isolated settings."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from config import celery_app

from .factories import OrganisationFactory, UserFactory, member


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Unit tests run tasks inline when their on-commit hook fires; the integration
    # tests switch this off and use a real worker.
    if "integration" not in request.keywords:
        celery_app.conf.task_always_eager = True
        celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def agency(db):
    return OrganisationFactory(agency=True, name="Science Bureau")


@pytest.fixture
def other_agency(db):
    return OrganisationFactory(agency=True, name="Other Bureau")


@pytest.fixture
def bidder_org(db):
    return OrganisationFactory(name="Bidder Ltd")


@pytest.fixture
def rival_org(db):
    return OrganisationFactory(name="Rival Ltd")


@pytest.fixture
def editor(agency):
    return member(agency, Membership.Role.EDITOR, full_name="Agency Editor")


@pytest.fixture
def approver(agency):
    return member(agency, Membership.Role.APPROVER, full_name="Agency Approver")


@pytest.fixture
def bidder(bidder_org):
    return member(bidder_org, Membership.Role.ADMIN, full_name="Bidder Admin")


@pytest.fixture
def bidder_member(bidder_org):
    return member(bidder_org, Membership.Role.MEMBER, full_name="Bidder Member")


@pytest.fixture
def rival(rival_org):
    return member(rival_org, Membership.Role.ADMIN, full_name="Rival Admin")


@pytest.fixture
def reviewer(db):
    return UserFactory(full_name="Expert Reviewer")


@pytest.fixture
def operator(db):
    return UserFactory(operator=True, full_name="Platform Operator")


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` logs it in (or out with None)."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=None)
            self.logout()
            if user is not None:
                self.force_login(user)
            return self

    return Client()
