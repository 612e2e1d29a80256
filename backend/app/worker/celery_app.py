"""The Celery app shared by every worker and by the API (which only enqueues).

Broker: REDIS_URL (or CELERY_BROKER_URL) in production, a filesystem broker under var/broker in
embedded mode. Queues: `default` (email, bookkeeping), `media` (transcoding), `studio` (pose work),
`coach` (chat replies and voice transcription; a thread pool, see docker-compose.prod.yml).
Every task acks late and is rejected back to the queue if its worker dies, so tasks must be
idempotent; each domain keeps its job state in its own table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init
from kombu.entity import Queue

from app.core.config import Settings, get_settings
from app.core.metrics import install_celery_metrics
from app.worker.queues import QUEUES, route_task

__all__ = ["QUEUES", "celery_app", "create_celery", "route_task", "time_limits"]

TASK_MODULES = [
    "app.worker.tasks",
    "app.auth.tasks",
    "app.ops.tasks",
    "app.media.tasks",
    "app.commerce.tasks",
    "app.studio.tasks",
    "app.knowledge.tasks",
    "app.coach.tasks",
    "app.analytics.tasks",
    "app.notifications.tasks",
    "app.privacy.tasks",
    "app.webhooks.tasks",
    "app.voice.tasks",
    "app.learning.tasks",
    "app.social.tasks",
    "app.uploads.tasks",
]


def time_limits(settings: Settings) -> dict[str, int]:
    """Hard time limit (seconds) of the tasks of each queue."""
    return {
        "default": settings.celery_time_limit_default_seconds,
        "media": settings.celery_time_limit_media_seconds,
        "studio": settings.celery_time_limit_studio_seconds,
        "coach": settings.celery_time_limit_coach_seconds,
    }


class QueueTimeLimits:
    """A Celery task annotation: each task gets the hard time limit of the queue it routes to.
    When it fires, the pool child is killed and the job's heartbeat stops, so the job reaper
    requeues it (or fails it after its last attempt)."""

    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = limits

    def annotate(self, task: Any) -> dict[str, int]:
        return {"time_limit": self.limits[route_task(task.name)["queue"]]}


def _broker_options(settings: Settings) -> dict[str, Any]:
    if settings.effective_broker_url != "filesystem://":
        longest = max(time_limits(settings).values())
        if settings.celery_visibility_timeout_seconds <= longest:
            raise ValueError(
                f"CELERY_VISIBILITY_TIMEOUT_SECONDS ({settings.celery_visibility_timeout_seconds}) must "
                f"exceed the longest task time limit ({longest}), or running tasks get delivered twice"
            )
        return {"visibility_timeout": settings.celery_visibility_timeout_seconds}
    folder = settings.broker_dir
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def _result_backend(settings: Settings) -> str:
    if settings.redis_url:
        return settings.redis_url
    results = settings.var_dir / "results"
    results.mkdir(parents=True, exist_ok=True)
    return f"file://{results}"


BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # commerce: re-apply Stripe events stored but not processed (app/commerce/events.py)
    "commerce-retry-stripe-events": {
        "task": "default.commerce.retry_stripe_events",
        "schedule": timedelta(minutes=5),
    },
    # media: requeue processing jobs whose worker died / message was lost (app/media/processing.py)
    "media-reap-stuck-jobs": {
        "task": "default.media.reap_stuck_jobs",
        "schedule": timedelta(seconds=get_settings().media_reaper_interval_seconds),
    },
    "purge-expired-auth-tokens": {
        "task": "default.auth.purge_expired_tokens",
        "schedule": timedelta(hours=6),
    },
    # ops: pg_dump + object manifest -> backup store, then retention (app/ops/service.py)
    "nightly-backup": {
        "task": "default.ops.backup",
        "schedule": crontab(hour=3, minute=17),
    },
    # every upload kind (videos, attempts, documents, voice samples): abort multipart uploads never
    # completed, each kind at its own age and through its own cleanup hook (app/uploads/tasks.py)
    "uploads-reap-abandoned": {
        "task": "default.uploads.reap_abandoned",
        "schedule": timedelta(hours=1),
    },
    # knowledge: extract published videos that have no extraction yet (app/knowledge/backfill.py)
    "knowledge-backfill": {
        "task": "default.knowledge.backfill",
        "schedule": timedelta(minutes=30),
    },
    # studio: requeue pose jobs stuck in running / lost in pending (app/studio/jobs.py; voice jobs
    # are registered with the same reaper)
    "studio-reap-stuck-jobs": {
        "task": "default.studio.reap_stuck_jobs",
        "schedule": timedelta(seconds=get_settings().studio_reaper_interval_seconds),
    },
    # coach: replies whose queue message was lost or whose worker went silent (app/coach/replies.py)
    "coach-reap-lost-replies": {
        "task": "default.coach.reap_lost_replies",
        "schedule": timedelta(seconds=30),
    },
    # coach: conversations past COACH_RETENTION_DAYS (app/coach/service.py)
    "coach-purge-conversations": {
        "task": "default.coach.purge_conversations",
        "schedule": crontab(hour=4, minute=41),
    },
    # analytics: rollups of today and yesterday hourly, retention curves + beacon purge daily
    "analytics-refresh-recent": {
        "task": "default.analytics.refresh_recent",
        "schedule": crontab(minute=7),
    },
    "analytics-refresh-retention": {
        "task": "default.analytics.refresh_retention",
        "schedule": crontab(hour=2, minute=23),
    },
    # --- issue 17: notifications digest + practice reminders, privacy, webhooks ---
    "notifications-send-digests": {
        "task": "default.notifications.send_digests",
        "schedule": timedelta(minutes=15),
    },
    "notifications-practice-reminders": {
        "task": "default.notifications.practice_reminders",
        "schedule": timedelta(minutes=get_settings().notify_reminder_interval_minutes),
    },
    "privacy-erase-due-accounts": {
        "task": "default.privacy.erase_due",
        "schedule": timedelta(hours=1),
    },
    "privacy-reap-exports": {
        "task": "default.privacy.reap_exports",
        "schedule": timedelta(minutes=10),
    },
    "webhooks-retry-due": {
        "task": "default.webhooks.retry_due",
        "schedule": timedelta(minutes=1),
    },
    # --- issue 17 wiring: the daily "streak at risk" reminder (once per student per local day) ---
    "learning-streak-reminders": {
        "task": "default.learning.streak_reminders",
        "schedule": crontab(hour=16, minute=3),
    },
}


def create_celery(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("mamc", include=TASK_MODULES)
    app.conf.update(
        broker_url=settings.effective_broker_url,
        broker_transport_options=_broker_options(settings),
        broker_connection_retry_on_startup=True,
        result_backend=_result_backend(settings),
        result_expires=timedelta(days=1),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_default_queue="default",
        task_queues=[Queue(name) for name in QUEUES],  # type: ignore[no-untyped-call]
        task_routes=(route_task,),
        task_annotations=[QueueTimeLimits(time_limits(settings))],
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        timezone="UTC",
        enable_utc=True,
        task_always_eager=settings.celery_task_always_eager,
        task_eager_propagates=True,
        beat_schedule=BEAT_SCHEDULE,
        beat_schedule_filename=str(settings.var_dir / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
        task_track_started=True,
    )
    return app


celery_app = create_celery()

# ops: task durations/failures via signals; /metrics on WORKER_METRICS_PORT when set
install_celery_metrics(get_settings().worker_metrics_port)


@worker_process_init.connect
def _init_worker_process(**_: Any) -> None:
    from app.core.logging import configure_logging
    from app.core.sentry import init_sentry

    settings = get_settings()
    configure_logging(settings)
    init_sentry(settings, component="worker")
