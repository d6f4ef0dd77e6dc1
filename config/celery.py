import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("bounty")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic schedule lives here. Deadlines are data in the database, so a
# single idempotent task that advances whatever is due is all the clock needs.
app.conf.beat_schedule = {
    # Every minute: close bidding, open reviews, send reminders, end publicity
    # periods, flag overdue milestones. Safe to run twice or late.
    "advance-due-work": {"task": "core.tasks.advance_due_work", "schedule": crontab()},
    # Every ten minutes: re-queue notification emails whose message never reached
    # a worker (for example after a broker restart), and flag the ones a killed
    # worker left half-sent (never re-sent; the operators are told).
    "requeue-stalled-email": {"task": "core.tasks.requeue_stalled_email", "schedule": crontab(minute="*/10")},
    # Every ten minutes: restart review rounds whose close-of-bidding chord lost its
    # messages; each step is idempotent, so the rerun only finishes what is missing.
    "resume-stalled-reviews": {"task": "reviews.tasks.resume_stalled_rounds", "schedule": crontab(minute="5-59/10")},
}
