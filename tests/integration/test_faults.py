"""Fault tolerance with real faults: a worker SIGKILLed mid-chord and mid-batch, a Redis restart,
a real database error in a task. Every test runs a real worker process on the configured broker."""

import re
import shutil
import socket
import subprocess
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu import pools

from awards import services as awards
from awards.models import Disbursement, Milestone
from challenges.models import Challenge
from challenges.services import close_due_bidding
from config import celery_app
from core import mail
from core.audit import verify_chain
from core.errors import InvalidTransition
from core.models import AuditEvent, ClockTick, Notification, OutboundEmail
from core.notifications import notify
from core.tasks import advance_due_work, requeue_stalled_email, send_email
from reviews.models import Assignment, ReviewItem, ReviewRound
from reviews.tasks import after_checks, formal_check, resume_stalled_rounds, start_review
from tests.awards.test_api import orm_award
from tests.factories import OrganisationFactory, make_bid, make_challenge, member
from tests.reviews.conftest import make_expert

from .conftest import _worker_database_url, wait_for

pytestmark = pytest.mark.integration

E = OutboundEmail.State
ON_REDIS = settings.CELERY_BROKER_URL.startswith("redis")
MESSAGE_ID = re.compile(r"^Message-ID: <email-(\d+)@", re.MULTILINE)


# The worker: short redelivery and retry timings, and on request a private Redis or a lock timeout.


@pytest.fixture
def worker_env(request):
    env = {
        # A message taken by a killed worker comes back this soon (Redis transport).
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_DB_RETRIES": "2",
        "CELERY_DB_RETRY_BACKOFF": "1",
        "PYTHONUNBUFFERED": "1",
    }
    if "private_redis" in request.fixturenames:
        env["REDIS_URL"] = request.getfixturevalue("private_redis").url
    if "short_lock_timeout" in request.fixturenames:
        request.getfixturevalue("django_db_setup")
        env["DATABASE_URL"] = _worker_database_url() + "?options=-c%20lock_timeout%3D1000"
    return env


@pytest.fixture
def short_lock_timeout():
    """The worker's database sessions give up waiting for a lock after one second."""
    if connection.vendor != "postgresql":
        pytest.skip("a lock timeout is a PostgreSQL setting")


def _sent_message_ids(worker) -> Counter:
    """How many times each ledger row's message reached the (file) mail server."""
    found = Counter()
    for path in worker.mail_dir.iterdir():
        found.update(int(pk) for pk in MESSAGE_ID.findall(path.read_text()))
    return found


def _tail(worker) -> str:
    return worker.logs()[-4000:]


def _sweep_stale_sending() -> None:
    """As if the 10-minute sweep ran 16 minutes later: rows still "sending" are past the limit."""
    OutboundEmail.objects.filter(state=E.SENDING).update(claimed_at=timezone.now() - timedelta(minutes=16))
    requeue_stalled_email.delay().get(timeout=60)


def _requeue_lost_messages() -> None:
    """The file broker loses what a killed worker held (Redis redelivers it): once the queue has
    drained, the sweep re-sends the message of every row still pending, as 10 minutes later."""
    pending = OutboundEmail.objects.filter(state=E.PENDING)
    last, quiet_since = None, time.monotonic()
    while time.monotonic() - quiet_since < 3:
        now = pending.count()
        if now != last:
            last, quiet_since = now, time.monotonic()
        time.sleep(0.2)
    pending.update(created_at=timezone.now() - timedelta(minutes=11))
    requeue_stalled_email.delay().get(timeout=60)


# a. SIGKILL during the review-close chord ---------------------------------------------------------


def test_a_worker_killed_mid_chord_leaves_a_round_that_finishes_exactly_once(worker, agency, editor, approver, operator):
    bids = 20
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    for n in range(bids):
        org = OrganisationFactory(name=f"Bidder {n}")
        make_bid(challenge=challenge, lead=org, actor=member(org, "admin", full_name=f"Admin {n}"), submit=True)
    experts = [make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}")) for n in range(10)]
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    close_due_bidding(timezone.now())
    from reviews.services.deadlines import start_due_rounds

    with transaction.atomic():
        start_due_rounds(timezone.now())  # claims the round and queues start_review on commit
    round = challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)
    decided = ReviewItem.objects.filter(round=round).exclude(check_status=ReviewItem.Check.PENDING)

    # Kill the worker (main process and pool children) once some checks are done.
    assert wait_for(lambda: decided.count() >= 4, 60, interval=0.02), _tail(worker)
    worker.kill()
    at_kill = decided.count()
    assert at_kill < bids, "the chord finished before the kill; the test proves nothing"
    assert ReviewRound.objects.get(pk=round.pk).status == ReviewRound.Status.CHECKING
    worker.start()
    if not ON_REDIS:
        # The file broker drops what the dead worker held; the stalled-round sweep restarts it.
        ReviewRound.objects.filter(pk=round.pk).update(progress={"at": (timezone.now() - timedelta(minutes=11)).isoformat()})
        assert resume_stalled_rounds.delay().get(timeout=60) == 1

    def invited() -> bool:
        return ReviewRound.objects.get(pk=round.pk).status == ReviewRound.Status.IN_PROGRESS

    assert wait_for(invited, 90), (ReviewRound.objects.get(pk=round.pk).progress, _tail(worker))
    # The same messages delivered once more (what a redelivery is) change nothing.
    start_review.delay(str(challenge.pk)).get(timeout=60)
    formal_check.delay(ReviewItem.objects.filter(round=round).first().pk).get(timeout=60)
    assert after_checks.delay(round.pk).get(timeout=60) == {"skipped": ReviewRound.Status.IN_PROGRESS}

    assert not ReviewItem.objects.filter(round=round, check_status=ReviewItem.Check.PENDING).exists()
    assert ReviewItem.objects.filter(round=round).count() == bids
    rows = Assignment.objects.filter(item__round=round)
    assert rows.count() == bids * round.experts_per_item
    assert rows.values("item", "expert").distinct().count() == rows.count()
    assert {r["n"] for r in rows.values("item").annotate(n=Count("pk"))} == {round.experts_per_item}
    for expert in experts:
        assert rows.filter(expert=expert).count() <= expert.max_concurrent
    assert set(rows.values_list("status", flat=True)) == {Assignment.Status.INVITED}
    assert AuditEvent.objects.filter(action="round.assign", object_id=str(round.pk)).count() == 1
    assert AuditEvent.objects.filter(action="round.invite", object_id=str(round.pk)).count() == 1

    # One invitation per assignment, each emailed at most once.
    invitations = OutboundEmail.objects.filter(subject__startswith="Review invitation")
    assert invitations.count() == rows.count()
    assert Notification.objects.filter(verb="review.invited").count() == rows.count()
    assert wait_for(lambda: not OutboundEmail.objects.filter(state=E.PENDING).exists(), 60), _tail(worker)
    _sweep_stale_sending()
    sent = _sent_message_ids(worker)
    assert max(sent.values()) == 1
    for email in invitations:
        assert email.state == E.SENT and sent[email.pk] == 1
    assert verify_chain() is None


# b. SIGKILL during an email batch -----------------------------------------------------------------


def test_a_worker_killed_mid_batch_sends_every_email_once_or_flags_it(worker, bidder, operator):
    batch = 200
    with transaction.atomic():
        for n in range(batch):
            notify(recipients=[bidder], verb="test.batch", key=f"batch:{n}", title=_("Batch %(n)s"), context={"n": n})
    rows = OutboundEmail.objects.filter(
        key__in=[f"notification:{pk}" for pk in Notification.objects.values_list("pk", flat=True)]
    )
    assert rows.count() == batch

    assert wait_for(lambda: rows.filter(state=E.SENT).count() >= 20, 60, interval=0.02), _tail(worker)
    worker.kill()
    at_kill = rows.filter(state=E.SENT).count()
    assert at_kill < batch, "the batch finished before the kill; the test proves nothing"
    worker.start()
    if not ON_REDIS:
        _requeue_lost_messages()
    assert wait_for(lambda: not rows.filter(state=E.PENDING).exists(), 90), _tail(worker)
    _sweep_stale_sending()

    states = Counter(rows.values_list("state", flat=True))
    assert set(states) <= {E.SENT, E.UNCERTAIN}, states
    sent = _sent_message_ids(worker)
    assert max(sent.values()) == 1, "an email went out twice"
    for email in rows:
        if email.state == E.SENT:
            assert sent[email.pk] == 1
        else:  # the worker died between claiming it and recording it: it went out once or not at all
            assert sent[email.pk] <= 1
    uncertain = [e.pk for e in rows if e.state == E.UNCERTAIN]
    alerts = Notification.objects.filter(recipient=operator, verb="email.uncertain")
    assert alerts.count() == len(uncertain)
    assert AuditEvent.objects.filter(action="email.uncertain").count() == len(uncertain)

    # Whatever the timing of the kill, the dead-worker case itself: a row claimed by a worker
    # that died before sending (claimed here, never delivered).
    third = OutboundEmail.objects.create(key="dead:3", to=bidder.email, subject="Claimed then lost", body="...")
    assert mail.claim(third.pk) is not None
    # Within the limit nothing happens; past it the row is flagged and the operators told.
    assert requeue_stalled_email.delay().get(timeout=30) == {"requeued": 0, "uncertain": 0}
    _sweep_stale_sending()
    third.refresh_from_db()
    assert third.state == E.UNCERTAIN
    alert = Notification.objects.get(recipient=operator, verb="email.uncertain", key=f"email.uncertain:{third.pk}")
    assert "Claimed then lost" in alert.title
    assert AuditEvent.objects.filter(action="email.uncertain", object_id=str(third.pk)).count() == 1
    # Redelivered or swept again: never sent, never flagged twice.
    assert send_email.delay(third.pk).get(timeout=30) is False
    _sweep_stale_sending()
    assert Notification.objects.filter(verb="email.uncertain", recipient=operator).count() == len(uncertain) + 1
    assert wait_for(lambda: not OutboundEmail.objects.filter(state=E.PENDING).exists(), 30)
    assert _sent_message_ids(worker)[third.pk] == 0


# c. Redelivery never doubles an assignment or a disbursement -------------------------------------


def test_redelivered_acceptance_tasks_and_payment_services_do_not_double(
    worker, settings, agency, approver, bidder, bidder_org, operator
):
    settings.ACCEPTANCE_EXPERTS = 3
    for n in range(5):
        make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}"))
    award = orm_award(issuer=agency, creator=approver, winner=bidder_org)
    contract = award.contract
    awards.contract_sign(contract=contract, actor=approver, version=contract.version)
    awards.contract_sign(contract=contract, actor=bidder, version=contract.version)
    first, last = contract.milestones.order_by("position")
    assert Disbursement.objects.filter(milestone=first).count() == 1  # the tranche due on signing

    indicator = award.challenge.indicators.get()
    awards.delivery_submit(milestone=last, actor=bidder, report="Done", measurements={indicator.pk: 1})
    round_id = Milestone.objects.get(pk=last.pk).acceptance_round_id
    rows = Assignment.objects.filter(item__round_id=round_id)
    assert wait_for(lambda: rows.filter(status=Assignment.Status.INVITED).count() == 3, 60), _tail(worker)

    # The chord callback delivered again, twice at once on two worker processes: nothing more.
    again = [after_checks.delay(round_id), after_checks.delay(round_id)]
    assert [r.get(timeout=60) for r in again] == [{"skipped": ReviewRound.Status.IN_PROGRESS}] * 2
    assert rows.count() == 3 and rows.values("expert").distinct().count() == 3
    assert Notification.objects.filter(verb="review.invited").count() == 3

    # The acceptance passes (the experts' part is in the award journey); the tranche falls due once.
    ReviewRound.objects.filter(pk=round_id).update(status=ReviewRound.Status.COMPLETED)
    awards.acceptance_decide(milestone=last, actor=approver, outcome="pass", reason="Met")
    with pytest.raises(InvalidTransition):
        awards.acceptance_decide(milestone=last, actor=approver, outcome="pass", reason="Met")
    with transaction.atomic():
        assert awards._disbursement_create(Milestone.objects.get(pk=last.pk)) is None
    assert Disbursement.objects.filter(milestone=last).count() == 1
    assert sum(d.amount for d in Disbursement.objects.filter(award=award)) == award.amount


# d. Redis restart ----------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: a restart loses everything."""

    def __init__(self, binary: str, workdir):
        self.binary, self.workdir = binary, workdir
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.ping, 10), "redis-server did not start"

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def keys(self) -> int:
        import redis

        return redis.Redis(port=self.port).dbsize()


@pytest.fixture
def private_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed here (CI has it)")
    server = PrivateRedis(binary, tmp_path)
    server.start()
    with _celery_app_on(server.url):
        yield server
    if server.process.poll() is None:
        server.kill()


@contextmanager
def _celery_app_on(url: str):
    """Point this process's Celery app (task sending and results) at another broker."""
    conf = celery_app.conf
    old = conf.broker_url, conf.result_backend

    def use(broker, backend):
        current = celery_app._backend_cache or getattr(celery_app._local, "backend", None)
        if hasattr(current, "result_consumer"):
            current.result_consumer.stop()  # or its pub/sub keeps calling the dead server
        pools.reset()  # kombu's process-wide connection and producer pools
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app._backend_cache = None
        celery_app._local.__dict__.pop("backend", None)
        conf.broker_url, conf.result_backend = broker, backend

    use(url, url)
    try:
        yield
    finally:
        use(*old)


def test_a_redis_restart_loses_nothing_the_clock_catches_up(private_redis, worker, agency, editor, approver, operator, bidder):
    challenge = make_challenge(issuer=agency, editor=editor, approver=approver, status="published")
    for n in range(3):
        org = OrganisationFactory(name=f"Bidder {n}")
        make_bid(challenge=challenge, lead=org, actor=member(org, "admin", full_name=f"Admin {n}"), submit=True)
    for n in range(8):
        make_expert(operator, name=f"Expert {n}", affiliation=OrganisationFactory(name=f"Lab {n}"))
    assert wait_for(lambda: not OutboundEmail.objects.filter(state=E.PENDING).exists(), 30), _tail(worker)

    # Work queued, then Redis dies (SIGKILL, no persistence) before a worker takes it.
    worker.stop()
    with transaction.atomic():
        for n in range(5):
            notify(recipients=[bidder], verb="test.lost", key=f"lost:{n}", title=_("Lost %(n)s"), context={"n": n})
    assert private_redis.keys() > 0
    Challenge.objects.filter(pk=challenge.pk).update(bidding_closes_at=timezone.now())
    private_redis.kill()
    private_redis.start()
    assert private_redis.keys() == 0  # every queued message is gone
    worker.start()

    # Deadlines are data: the next tick closes bidding, plans and runs the review.
    advance_due_work.delay().get(timeout=60)
    round = challenge.review_rounds.get(kind=ReviewRound.Kind.EXPERT_REVIEW)

    def in_progress() -> bool:
        return ReviewRound.objects.get(pk=round.pk).status == ReviewRound.Status.IN_PROGRESS

    assert wait_for(in_progress, 60), (ReviewRound.objects.get(pk=round.pk).progress, _tail(worker))

    # Redis dies again while the worker still finishes the round (invitation emails in flight).
    private_redis.kill()
    private_redis.start()
    # Kombu may fail to ack on the dead channel and the worker exits ("Unrecoverable error");
    # the supervisor starts it again. Either way the sweeps re-send what the restart lost.
    worker.ensure_running()
    lost = OutboundEmail.objects.filter(key__in=[f"notification:{n.pk}" for n in Notification.objects.filter(verb="test.lost")])
    assert set(lost.values_list("state", flat=True)) == {E.PENDING}
    _sweep_until_settled(worker, round)
    assert set(lost.values_list("state", flat=True)) == {E.SENT}
    assert set(OutboundEmail.objects.values_list("state", flat=True)) <= {E.SENT, E.UNCERTAIN}
    sent = _sent_message_ids(worker)
    assert max(sent.values()) == 1
    assert all(sent[e.pk] == 1 for e in lost)
    invited = Assignment.objects.filter(item__round=round, status=Assignment.Status.INVITED)
    assert invited.count() == 3 * round.experts_per_item
    assert OutboundEmail.objects.filter(subject__startswith="Review invitation").count() == invited.count()


def _sweep_until_settled(worker, round) -> None:
    """Run the periodic sweeps as if their time had come, until no email is pending and the
    round is under way. The first attempts may meet a worker still reconnecting."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        worker.ensure_running()
        OutboundEmail.objects.filter(state=E.PENDING).update(created_at=timezone.now() - timedelta(minutes=11))
        OutboundEmail.objects.filter(state=E.SENDING).update(claimed_at=timezone.now() - timedelta(minutes=16))
        try:
            requeue_stalled_email.delay().get(timeout=15)
        except Exception as exc:  # noqa: BLE001 - the broker connection is being re-established
            print(f"sweep not through yet: {exc!r}")
            continue
        done = lambda: not OutboundEmail.objects.filter(state__in=[E.PENDING, E.SENDING]).exists()  # noqa: E731
        if wait_for(done, 15) and ReviewRound.objects.get(pk=round.pk).status == ReviewRound.Status.IN_PROGRESS:
            return
    pytest.fail(f"the lost work was not caught up:\n{_tail(worker)}")


# e. A real database error in a task --------------------------------------------------------------


@contextmanager
def _clock_row_locked():
    """Another session holds the row lock, so the worker's UPDATE times out (lock_timeout)."""
    s = connection.settings_dict
    with psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None, host=s["HOST"], port=s["PORT"] or None
    ) as conn:
        conn.execute("SELECT 1 FROM core_clocktick WHERE id = 1 FOR UPDATE")
        yield conn
        conn.rollback()


def test_a_database_error_is_retried_then_the_operators_are_alerted(worker, short_lock_timeout, operator, reviewer):
    ClockTick.objects.get_or_create(pk=1)

    # A lock held through the first attempt only: the retry succeeds and nobody is alarmed.
    with _clock_row_locked() as lock:
        result = advance_due_work.delay()
        assert wait_for(lambda: "Retry in" in worker.logs(), 30), _tail(worker)
        lock.rollback()
    assert "skipped" not in result.get(timeout=30)
    assert not Notification.objects.filter(verb="task.failed").exists()

    # A lock held through every retry: the task gives up and tells every operator.
    with _clock_row_locked():
        result = advance_due_work.delay()
        assert wait_for(lambda: Notification.objects.filter(verb="task.failed").exists(), 60), _tail(worker)
        with pytest.raises(Exception, match="lock timeout"):
            result.get(timeout=30)
    alert = Notification.objects.get(verb="task.failed", recipient=operator)
    assert "core.tasks.advance_due_work" in alert.title
    assert "lock timeout" in alert.body
    assert not Notification.objects.filter(verb="task.failed", recipient=reviewer).exists()
    event = AuditEvent.objects.get(action="task.failed")
    assert event.after["task_id"] == result.id and event.after["retries"] == 2
    log = worker.logs()
    assert log.count(f"[{result.id}] retry") == 2, _tail(worker)
    assert "failed after 2 retries" in log
    assert OutboundEmail.objects.filter(to=operator.email, subject=alert.title).exists()
    assert verify_chain() is None
