import pytest
from kombu import Connection

from config import celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert body["worker"] in {"ok", "unreachable"}
    assert body["status"] in {"ok", "degraded"}


def test_healthz_is_503_when_the_broker_is_down(client, monkeypatch):
    # Point the app at a port where nothing listens, as when Redis is down.
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["broker"].startswith("error")
