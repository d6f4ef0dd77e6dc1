"""A real Celery worker process, consuming from the configured broker (Redis in CI)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from config import celery_app


def _worker_database_url() -> str:
    """The URL of the test database that pytest-django created, for the worker."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def celery_worker_process(django_db_setup, transactional_db, tmp_path_factory):
    """A fresh worker for each test on a private queue, stopped before the database goes.

    Per test, because transactional tests flush and re-create rows (content types among them)
    that a long-lived worker would still hold in its caches.
    """
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.skip("the worker needs a database file it can open")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path_factory.mktemp("mail")
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "CELERY_QUEUE": queue,
        "EMAIL_FILE_PATH": str(mail_dir),
        "LANGUAGE_CODE": "en",
    }
    for folder in ("out", "control", "results"):
        (settings.VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "INFO",
            "-Q",
            queue,
            "--concurrency=2",
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    _wait_for(lambda: "ready." in log_path.read_text() or process.poll() is not None, 60)
    if process.poll() is not None:
        pytest.fail(f"worker did not start:\n{log_path.read_text()}")
    old_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    celery_app.amqp.queues.select_add(queue)
    yield type("Worker", (), {"process": process, "mail_dir": Path(mail_dir), "log": log_path, "queue": queue})
    celery_app.conf.task_default_queue = old_queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def worker(celery_worker_process):
    """The live worker; tests using it commit their data so the worker can read it."""
    return celery_worker_process


def _wait_for(condition, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


wait_for = _wait_for
