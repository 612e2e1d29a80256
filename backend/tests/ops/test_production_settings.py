"""Production wiring that issue 12 found missing: pool sizes and PgBouncer mode from settings,
per-queue Celery time limits and the visibility timeout from settings, reapers on the default
queue often enough to notice a dead worker within two minutes, a heartbeat that keeps beating
while a job is busy without progress, and no public API docs in production."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from celery.schedules import schedule as interval_schedule
from sqlalchemy import delete, update

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.storage import get_object_store
from app.db.session import _engine_kwargs, sync_session
from app.jobs.heartbeat import Keepalive
from app.media import processing
from app.media.models import JobState, Video, VideoJob, VideoStatus
from app.worker.celery_app import _broker_options, celery_app, create_celery, route_task, time_limits

PG_URL = "postgresql+psycopg://u@127.0.0.1:5432/db"


@pytest.fixture
def tweak(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    def set_(**values: Any) -> None:
        for name, value in values.items():
            monkeypatch.setattr(settings, name, value)

    return set_


def test_database_pools_are_sized_by_settings(tweak: Callable[..., None]) -> None:
    tweak(db_pool_size=3, db_max_overflow=1, db_pool_timeout_seconds=2.5, db_pool_recycle_seconds=600)
    kwargs = _engine_kwargs(PG_URL)
    assert (kwargs["pool_size"], kwargs["max_overflow"]) == (3, 1)
    assert (kwargs["pool_timeout"], kwargs["pool_recycle"]) == (2.5, 600)
    assert kwargs["pool_pre_ping"] is True
    assert "connect_args" not in kwargs  # prepared statements stay on without PgBouncer


def test_pgbouncer_mode_turns_prepared_statements_off(tweak: Callable[..., None]) -> None:
    tweak(db_pgbouncer=True)
    assert _engine_kwargs(PG_URL)["connect_args"] == {"prepare_threshold": None}


def test_each_task_gets_the_time_limit_of_its_queue(settings: Settings) -> None:
    celery_app.loader.import_default_modules()
    limits = time_limits(settings)
    for name, task in celery_app.tasks.items():
        if name.startswith("celery."):
            continue
        assert task.time_limit == limits[route_task(name)["queue"]], name
    assert celery_app.tasks["media.process_video"].time_limit == settings.celery_time_limit_media_seconds
    assert celery_app.tasks["studio.analyse_attempt"].time_limit == settings.celery_time_limit_studio_seconds
    assert celery_app.tasks["default.send_email"].time_limit == settings.celery_time_limit_default_seconds


def test_visibility_timeout_comes_from_settings_and_must_outlast_every_time_limit(
    settings: Settings,
) -> None:
    redis = settings.model_copy(update={"celery_broker_url": "redis://127.0.0.1:6379/9"})
    custom = redis.model_copy(update={"celery_visibility_timeout_seconds": 20000})
    assert _broker_options(custom) == {"visibility_timeout": 20000}
    assert create_celery(custom).conf.broker_transport_options["visibility_timeout"] == 20000
    too_short = redis.model_copy(update={"celery_visibility_timeout_seconds": 3600})
    with pytest.raises(ValueError, match="CELERY_VISIBILITY_TIMEOUT_SECONDS"):
        _broker_options(too_short)


def test_reapers_run_on_the_default_queue_often_enough_to_catch_a_dead_worker_in_two_minutes(
    settings: Settings,
) -> None:
    """Long transcodes fill the media workers; the reapers must never wait behind them."""
    beat = celery_app.conf.beat_schedule
    for entry_name, stale in (
        ("media-reap-stuck-jobs", settings.media_job_stale_seconds),
        ("studio-reap-stuck-jobs", settings.studio_job_timeout_seconds),
    ):
        entry = beat[entry_name]
        assert route_task(entry["task"]) == {"queue": "default"}, entry_name
        every = entry["schedule"]
        seconds = every.total_seconds() if isinstance(every, timedelta) else every.run_every.total_seconds()
        assert not isinstance(every, interval_schedule) or seconds > 0
        # worst case: the last heartbeat, then `stale`, then up to one reaper interval
        assert settings.job_heartbeat_seconds + stale + seconds <= 120, entry_name
        assert stale >= 3 * settings.job_heartbeat_seconds, "a slow heartbeat write must not look dead"


@pytest.fixture
def running_job(make_user: Callable[..., User], settings: Settings) -> Iterator[processing.Claim]:
    owner = make_user(role=Role.instructor)
    source_key = f"uploads/{uuid.uuid4()}/source.mp4"
    get_object_store().put_bytes(source_key, b"not a video")  # a requeued run fails on it, cleanly
    with sync_session() as session:
        video = Video(
            owner_id=owner.id,
            title="Heartbeat",
            discipline="karate",
            status=VideoStatus.processing,
            source_key=source_key,
        )
        session.add(video)
        session.flush()
        job = VideoJob(video_id=video.id, kind="process", state=JobState.queued)
        session.add(job)
        session.flush()
        job_id = job.id
    with sync_session() as session:
        claim = processing.claim(session, settings, job_id)
    assert claim is not None
    yield claim
    with sync_session() as session:  # leave no stale job for other tests' reapers
        session.execute(delete(VideoJob).where(VideoJob.id == job_id))
        session.execute(delete(Video).where(Video.id == claim.video_id))


def _heartbeat(job_id: uuid.UUID) -> Any:
    with sync_session() as session:
        job = session.get(VideoJob, job_id)
        assert job is not None
        return job.heartbeat_at


def test_a_busy_job_keeps_its_heartbeat_without_progress_and_stops_when_its_lease_is_gone(
    running_job: processing.Claim,
) -> None:
    beat = processing.Heartbeat(running_job)
    before = _heartbeat(running_job.job_id)
    with Keepalive(beat.touch, every=0.2, lost=(processing.LeaseLost,)) as keepalive:
        time.sleep(1.0)  # e.g. one long segment upload: no progress callback fires
        during = _heartbeat(running_job.job_id)
        assert during > before
        assert processing.reap_stuck_jobs(stale_seconds=1) == []  # alive: not requeued
        with sync_session() as session:  # another run takes the job over
            session.execute(update(VideoJob).where(VideoJob.id == running_job.job_id).values(lease="other"))
        deadline = time.monotonic() + 5
        while not keepalive.lease_lost and time.monotonic() < deadline:
            time.sleep(0.05)
        assert keepalive.lease_lost
    stopped_at = _heartbeat(running_job.job_id)
    time.sleep(0.5)
    assert _heartbeat(running_job.job_id) == stopped_at


def test_a_job_waiting_in_a_long_queue_is_not_enqueued_twice(
    running_job: processing.Claim, settings: Settings
) -> None:
    waited = utcnow() - timedelta(seconds=settings.media_job_stale_seconds * 3)
    lost = utcnow() - timedelta(seconds=settings.job_lost_after_seconds + 60)
    with sync_session() as session:
        session.execute(
            update(VideoJob)
            .where(VideoJob.id == running_job.job_id)
            .values(state=JobState.queued, lease=None, updated_at=waited)
        )
    assert processing.reap_stuck_jobs() == []
    with sync_session() as session:
        session.execute(update(VideoJob).where(VideoJob.id == running_job.job_id).values(updated_at=lost))
    assert processing.reap_stuck_jobs() == [running_job.job_id]


async def test_production_publishes_no_api_docs_or_schema(settings: Settings) -> None:
    from app.main import create_app

    production = create_app(settings.model_copy(update={"app_env": "production"}))
    development = create_app(settings)
    for app, expected in ((production, 404), (development, 200)):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for path in ("/openapi.json", "/docs"):
                assert (await client.get(path)).status_code == expected, (path, app is production)
    assert "/api/v1/auth/login" in production.openapi()["paths"]  # `make openapi` still works
