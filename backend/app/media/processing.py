"""Worker side of media: run a processing job, reap stuck jobs, purge deleted videos.

A job (`video_jobs` row, one per processing run of a video) is the unit of idempotency, run by the
job engine (app/jobs/engine.py: claim, lease, heartbeat thread, attempts, reaper, per-run work
directory):
- a run first *claims* it with a fresh lease (queued, or running with a heartbeat older than
  MEDIA_JOB_STALE_SECONDS); anything else — succeeded, failed, cancelled, or running with a live
  heartbeat — makes the run a no-op. So a redelivered message, a reaper requeue and a Celery
  retry can overlap without double effects.
- every output goes under `videos/<video>/<job>/`, so a rerun overwrites the same keys;
- progress writes double as the heartbeat and check the lease: a run that lost its lease stops;
- the final transition (processing → ready: the instructor then submits it for review) happens
  once, under the lease, in one transaction.

video_studio is imported here only (never on the API path).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import progress as progress_bus
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.storage import ObjectStore, get_object_store, guess_content_type
from app.db.session import sync_session
from app.jobs import engine as jobs
from app.media.models import JobState, TrailerMode, Video, VideoJob, VideoStatus
from app.media.service import job_prefix, progress_channel, transition
from app.media.trailer import trailer_window
from app.worker.dispatch import enqueue

log = structlog.get_logger(__name__)

# Server-made reasons are stable codes, shown through the clients' it/en catalogues (key
# `reasons.<code>`); texts from the compute (bad input) stay as they are.
GENERIC_FAILURE = "processing_failed"


LeaseLost = jobs.LeaseLost

VIDEO_JOBS = jobs.JobTable(
    VideoJob,
    domain="media",
    task="media.process_video",
    running=JobState.running,
    queued=JobState.queued,
    status="state",
    lease="lease",
    attempts="attempts",
    queued_since="updated_at",
)


class RetryableJobError(Exception):
    """A transient failure; the job was put back to `queued` for a retry."""


@dataclass(frozen=True)
class Claim:
    job_id: uuid.UUID
    video_id: uuid.UUID
    lease: str
    attempt: int
    source_key: str
    trailer_mode: TrailerMode = TrailerMode.auto
    trailer_start_s: float | None = None
    trailer_end_s: float | None = None


def claim(session: Session, settings: Settings, job_id: uuid.UUID) -> Claim | None:
    stale_before = utcnow() - timedelta(seconds=settings.media_job_stale_seconds)
    job = session.scalar(
        select(VideoJob)
        .where(VideoJob.id == job_id, jobs.claimable(VIDEO_JOBS, stale_before=stale_before))
        .with_for_update()
    )
    if job is None:  # missing, done, or held by a live run
        log.info("media_job_skip", job_id=str(job_id))
        return None
    video = session.scalar(select(Video).where(Video.id == job.video_id).with_for_update())
    if _ended(session, settings, job, video, error="too many attempts"):
        return None
    assert video is not None and video.source_key is not None  # else _ended
    lease = jobs.claim(session, VIDEO_JOBS, job.id, stale_before=stale_before, values={"stage": "starting"})
    assert lease is not None  # the row is locked and claimable
    video.progress_stage = "starting"
    return Claim(
        job.id,
        video.id,
        lease,
        job.attempts + 1,
        video.source_key,
        video.trailer_mode,
        video.trailer_start_s,
        video.trailer_end_s,
    )


def _ended(session: Session, settings: Settings, job: VideoJob, video: Video | None, *, error: str) -> bool:
    """Cancel the job when its video left processing (deleted, ...), fail it when it used up
    MEDIA_JOB_MAX_ATTEMPTS: either way it is not run again."""
    if video is None or video.status != VideoStatus.processing or not video.source_key:
        job.state = JobState.cancelled
        job.finished_at = utcnow()
        return True
    if job.attempts >= settings.media_job_max_attempts:
        _mark_failed(session, job, video, GENERIC_FAILURE, error=job.error or error)
        return True
    return False


def _mark_failed(session: Session, job: VideoJob, video: Video, reason: str, *, error: str) -> None:
    job.state = JobState.failed
    job.error = error[:4000]
    job.finished_at = utcnow()
    job.lease = None
    if video.status == VideoStatus.processing:
        video.failure_reason = reason
        video.progress_stage = "failed"
        transition(session, video, VideoStatus.failed, actor_id=None, reason=reason, job_id=job.id)


class Heartbeat:
    """`(percent, stage)` → the job row (heartbeat + lease check) and the video row, throttled."""

    def __init__(self, claim: Claim, min_interval: float = 1.0) -> None:
        self.claim = claim
        self.lease = jobs.Lease(VIDEO_JOBS, claim.job_id, claim.lease)
        self.min_interval = min_interval
        self._last_at = 0.0
        self._last = (-1, "")

    def __call__(self, percent: float, stage: str, *, force: bool = False) -> None:
        pct = max(0, min(100, int(percent)))
        now = time.monotonic()
        same_stage = stage == self._last[1]
        if not force and same_stage and (pct == self._last[0] or now - self._last_at < self.min_interval):
            return
        self._last, self._last_at = (pct, stage), now
        with sync_session() as session:
            jobs.beat(session, VIDEO_JOBS, self.claim.job_id, self.claim.lease, percent=pct, stage=stage)
            session.execute(
                update(Video)
                .where(Video.id == self.claim.video_id, Video.status == VideoStatus.processing)
                .values(progress_percent=pct, progress_stage=stage)
            )
        progress_bus.publish(
            progress_channel(self.claim.video_id),
            progress_bus.state(VideoStatus.processing.value, pct, stage, None),
        )

    def touch(self) -> None:
        """Refresh only the heartbeat (the keepalive thread); LeaseLost if the lease is gone."""
        self.lease.touch()


def _upload_tree(store: ObjectStore, root: Path, files: list[str], prefix: str) -> None:
    """Segments and variant playlists first, the master last: a reader never sees a master whose
    variants are missing."""
    ordered = sorted(files, key=lambda name: (name == "master.m3u8", name.endswith(".m3u8"), name))
    for name in ordered:
        store.put_file(prefix + name, root / name, content_type=guess_content_type(name))


def run_job(job_id: uuid.UUID) -> str:
    """Process one job. Returns "done", "failed" or "skipped"; raises RetryableJobError."""
    from video_studio.errors import InvalidInputError

    settings = get_settings()
    with sync_session() as session:
        claimed = claim(session, settings, job_id)
    if claimed is None:
        return "skipped"
    log.info("media_job_started", job_id=str(job_id), video_id=str(claimed.video_id), attempt=claimed.attempt)
    beat = Heartbeat(claimed)
    try:
        with (
            jobs.run_dir(settings, "media", job_id) as workdir,
            beat.lease.keepalive(settings.job_heartbeat_seconds),
        ):
            result = _pipeline(settings, claimed, beat, workdir)
        return finish(claimed, result)
    except LeaseLost:
        log.info("media_job_lease_lost", job_id=str(job_id))
        return "skipped"
    except InvalidInputError as exc:
        return fail(claimed, exc.job_reason, error=f"invalid input: {exc}")
    except Exception as exc:
        log.exception("media_job_error", job_id=str(job_id))
        if claimed.attempt < settings.media_job_max_attempts and release(claimed, repr(exc)):
            raise RetryableJobError(repr(exc)) from exc
        return fail(claimed, GENERIC_FAILURE, error=repr(exc))


def _pipeline(settings: Settings, claimed: Claim, beat: Heartbeat, workdir: Path) -> dict[str, Any]:
    from video_studio.transcode import (
        Limits,
        make_poster,
        make_sprite,
        make_trailer,
        probe,
        transcode_hls,
    )

    store = get_object_store()
    prefix = job_prefix(claimed.video_id, claimed.job_id)
    beat(1, "download", force=True)
    source = workdir / "source"
    store.download(claimed.source_key, source)
    beat(4, "probe", force=True)
    info = probe(
        source,
        limits=Limits(
            max_bytes=settings.media_max_upload_bytes,
            max_duration_s=settings.media_max_duration_seconds,
            max_width=settings.media_max_width,
            max_height=settings.media_max_height,
        ),
    )

    def on_transcode(fraction: float, stage: str) -> None:
        beat(5 + 75 * fraction, "transcode")

    hls = transcode_hls(
        source,
        workdir / "hls",
        probe_result=info,
        segment_seconds=settings.media_segment_seconds,
        max_short_side=settings.media_max_rendition,
        progress=on_transcode,
    )
    beat(81, "poster", force=True)
    make_poster(source, workdir / "poster.jpg", probe_result=info)
    beat(84, "sprite", force=True)
    make_sprite(source, workdir / "sprite.jpg", workdir / "sprite.vtt", probe_result=info)
    trailer = None
    window = trailer_window(
        settings,
        duration_s=info.duration_s,
        mode=claimed.trailer_mode,
        start_s=claimed.trailer_start_s,
        end_s=claimed.trailer_end_s,
    )
    if window is not None:
        beat(88, "trailer", force=True)
        trailer = make_trailer(
            source,
            workdir / "trailer",
            window.length_s,
            start_s=window.start_s,
            probe_result=info,
            segment_seconds=settings.media_segment_seconds,
        )
    beat(92, "upload", force=True)
    _upload_tree(store, workdir / "hls", hls.files, prefix + "hls/")
    if trailer is not None:
        _upload_tree(store, workdir / "trailer", trailer.files, prefix + "trailer/")
    for name in ("poster.jpg", "sprite.jpg", "sprite.vtt"):
        store.put_file(prefix + name, workdir / name, content_type=guess_content_type(name))
    beat(99, "finalizing", force=True)
    probe_data = info.to_dict()
    probe_data.pop("path", None)
    return {
        "prefix": prefix,
        "duration_s": info.duration_s,
        "width": info.width,
        "height": info.height,
        "renditions": [v.name for v in hls.variants],
        "segments": sum(len(v.segments) for v in hls.variants),
        "has_trailer": trailer is not None,
        "probe": probe_data,
    }


def _locked(session: Session, claimed: Claim) -> tuple[VideoJob, Video]:
    job = session.scalar(select(VideoJob).where(VideoJob.id == claimed.job_id).with_for_update())
    if job is None or job.state != JobState.running or job.lease != claimed.lease:
        raise LeaseLost(str(claimed.job_id))
    video = session.scalar(select(Video).where(Video.id == claimed.video_id).with_for_update())
    assert video is not None
    return job, video


def finish(claimed: Claim, result: dict[str, Any]) -> str:
    old_prefix: str | None = None
    with sync_session() as session:
        job, video = _locked(session, claimed)
        job.state = JobState.succeeded
        job.percent = 100
        job.stage = "done"
        job.finished_at = utcnow()
        job.lease = None
        job.result = {k: v for k, v in result.items() if k != "probe"}
        if video.status != VideoStatus.processing:  # deleted meanwhile
            job.state = JobState.cancelled
            return "skipped"
        old_prefix = video.media_prefix
        video.media_prefix = result["prefix"]
        video.duration_s = result["duration_s"]
        video.width = result["width"]
        video.height = result["height"]
        video.renditions = result["renditions"]
        video.has_trailer = result["has_trailer"]
        video.probe = result["probe"]
        if video.poster_key is None or not video.poster_key.startswith(f"videos/{video.id}/poster/"):
            video.poster_key = result["prefix"] + "poster.jpg"
        video.progress_percent = 100
        video.progress_stage = "done"
        video.failure_reason = None
        transition(session, video, VideoStatus.ready, actor_id=None, job_id=job.id)
    if old_prefix and old_prefix != result["prefix"]:
        enqueue("media.delete_prefix", old_prefix)
    log.info("media_job_done", job_id=str(claimed.job_id), video_id=str(claimed.video_id))
    return "done"


def fail(claimed: Claim, reason: str, *, error: str) -> str:
    with sync_session() as session:
        try:
            job, video = _locked(session, claimed)
        except LeaseLost:
            return "skipped"
        _mark_failed(session, job, video, reason, error=error)
    get_object_store().delete_prefix(job_prefix(claimed.video_id, claimed.job_id))
    log.info("media_job_failed", job_id=str(claimed.job_id), reason=reason)
    return "failed"


def release(claimed: Claim, error: str) -> bool:
    """Give the job back for a retry (keeps `attempts`)."""
    with sync_session() as session:
        return jobs.release(session, VIDEO_JOBS, claimed.job_id, lease=claimed.lease, error=error[:4000])


def reap_stuck_jobs(
    *, stale_seconds: int | None = None, only: Collection[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Requeue jobs whose run died (no heartbeat for `stale_seconds`, default
    MEDIA_JOB_STALE_SECONDS) or whose message was lost (queued for JOB_LOST_AFTER_SECONDS: a
    job merely waiting behind others must not be enqueued twice); fail those that used up
    MEDIA_JOB_MAX_ATTEMPTS, cancel those whose video left processing. `only` limits it to those
    job ids (a test reaps its own rows, not other tests')."""
    settings = get_settings()
    now = utcnow()

    def decide(session: Session, job: VideoJob) -> bool:
        if _ended(session, settings, job, session.get(Video, job.video_id), error="worker lost"):
            return False
        job.requeues += 1
        job.stage = "requeued"
        return True

    requeued = jobs.reap(
        [VIDEO_JOBS],
        stale_before=now - timedelta(seconds=stale_seconds or settings.media_job_stale_seconds),
        lost_before=now - timedelta(seconds=settings.job_lost_after_seconds),
        only=only,
        decide=decide,
    )
    jobs.requeue(requeued)
    return [job_id for _, job_id in requeued]


def purge_video(video_id: uuid.UUID) -> int:
    """Remove every object of a deleted (archived) video: source, renditions, posters."""
    with sync_session() as session:
        video = session.get(Video, video_id)
        if video is None or video.status != VideoStatus.archived:
            return 0
    return get_object_store().delete_prefix(f"videos/{video_id}/")


def delete_prefix(prefix: str) -> int:
    if not prefix.startswith("videos/") or prefix.count("/") < 3:
        raise ValueError(f"refusing to delete {prefix!r}")
    return get_object_store().delete_prefix(prefix)
