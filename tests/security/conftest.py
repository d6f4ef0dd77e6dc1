"""The world of tests/security/world.py, built once per module inside a transaction rolled back at the end."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from config import celery_app

from .world import build_world

# What tests/conftest.py sets per test, applied for the whole module so that the world's private
# files stay where the module put them.
WORLD_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "LANGUAGE_CODE": "en",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "ACCEPTANCE_EXPERTS": 3,
}


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp("security-media"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    with override_settings(MEDIA_ROOT=media_root, **WORLD_SETTINGS), django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world()
            world.sessions = _sessions(world)
            yield world
            transaction.set_rollback(True)
    celery_app.conf.task_always_eager = eager


def _sessions(world) -> dict:
    """A logged-in session cookie per role, made once (each request restores it on a fresh client)."""
    sessions = {}
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture
def world_media(_fast_settings, settings, media_root):
    """tests/conftest.py gives every test its own media folder; the world's files live in the module's.
    Opt-in (`usefixtures`), so that other modules in this folder keep their per-test settings."""
    settings.MEDIA_ROOT = media_root
    cache.clear()  # the login throttle and axes counters must not leak from one test into the next
