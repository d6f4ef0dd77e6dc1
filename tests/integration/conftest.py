"""A real Celery worker process, consuming from the configured broker (Redis in CI)."""

import os
import signal
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


class Worker:
    """One worker process (a process group: the main process and its pool children)."""

    def __init__(self, queue: str, mail_dir: Path, log_dir: Path, env: dict):
        self.queue, self.mail_dir, self.log_dir, self.env = queue, mail_dir, log_dir, env
        self.starts = 0
        self.process = None
        self._log = None

    @property
    def log(self) -> Path:
        return self.log_dir / f"worker-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        self._log = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
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
                self.queue,
                "--concurrency=2",
                "-n",
                f"{self.queue}-{self.starts}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
            # Its own process group, so a test can kill the worker with its children at once.
            start_new_session=True,
        )
        _wait_for(lambda: "ready." in self.log.read_text() or self.process.poll() is not None, 60)
        if self.process.poll() is not None:
            pytest.fail(f"worker did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole group: nothing gets to ack, reject or clean up."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=20)
        self._log.close()

    def restart(self) -> None:
        self.kill()
        self.start()

    def ensure_running(self) -> bool:
        """What the process supervisor does (compose: restart unless-stopped): a worker that
        exited is started again. Says whether it had to."""
        if self.process.poll() is None:
            return False
        self._log.close()
        self.start()
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self._log.close()

    def logs(self) -> str:
        return "\n".join((self.log_dir / f"worker-{n}.log").read_text() for n in range(1, self.starts + 1))


@pytest.fixture
def worker_env():
    """Extra environment for the worker; a test overrides this fixture (or mutates the dict) to
    point it at another broker or give it short retry and redelivery timeouts."""
    return {}


@pytest.fixture
def celery_worker_process(django_db_setup, transactional_db, tmp_path_factory, worker_env):
    """A fresh worker for each test on a private queue, stopped before the database goes.

    Per test, because transactional tests flush and re-create rows (content types among them)
    that a long-lived worker would still hold in its caches.
    """
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.skip("the worker needs a database file it can open")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path_factory.mktemp("mail")
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "CELERY_QUEUE": queue,
        "EMAIL_FILE_PATH": str(mail_dir),
        "LANGUAGE_CODE": "en",
        **worker_env,
    }
    for folder in ("out", "control", "results"):
        (settings.VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
    worker = Worker(queue, Path(mail_dir), tmp_path_factory.mktemp("worker"), env)
    worker.start()
    old_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    celery_app.amqp.queues.select_add(queue)
    yield worker
    celery_app.conf.task_default_queue = old_queue
    worker.stop()


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
