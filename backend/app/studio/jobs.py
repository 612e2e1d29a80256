"""Worker side of the studio: the job state machine and the two pipelines.

    pending --claim--> running --finish--> ready
                          |------fail----> failed   (bad input: the studio's message for the user)
                          '--reaper------> pending  (no progress for STUDIO_JOB_TIMEOUT_SECONDS)

The job row is the idempotency key, run by the job engine (app/jobs/engine.py). A run first
*claims* the row with one conditional UPDATE: only a pending job, or a running one whose holder
is gone (same Celery task id redelivered after a worker died, or no heartbeat for the timeout),
can be claimed; a ready job is never redone. Each claim gets a fresh lease; progress and the
final write only land while the lease is held, so a run that lost its job stops at its next
progress report. Each run works in its own directory; outputs go to keys derived from the job
id, so a rerun overwrites them. video_studio is imported here only (never in the API).
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import structlog
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from app import progress as progress_bus
from app import uploads
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.errors import DomainError
from app.core.i18n import catalogue, encode_reason
from app.core.storage import MultipartUpload, get_object_store
from app.db.session import sync_session
from app.jobs import engine as jobs
from app.learning import service as learning
from app.notifications.service import notify
from app.studio import keys
from app.studio.models import JobStatus, StudioAttempt, StudioReference
from app.studio.service import ANALYSE_ATTEMPT_TASK, ATTEMPT_UPLOAD, EXTRACT_REFERENCE_TASK, progress_channel
from app.webhooks import service as webhooks
from video_studio.errors import StudioError

log = structlog.get_logger(__name__)

Job = StudioReference | StudioAttempt
JobModel = type[StudioReference] | type[StudioAttempt]

# Server-made reasons are stable codes, shown through the clients' it/en catalogues (key
# `reasons.<code>`); texts from the compute (bad input) stay as they are.
GENERIC_FAILURE = "processing_failed"
TOO_MANY_RUNS = "too_many_runs"

# The (language-neutral) report fields kept in Postgres; the full report (with per-joint errors
# and the alignment path) lives in object storage.
REPORT_FIELDS = (
    "version",
    "technique",
    "score",
    "mean_abs_error_deg",
    "mirrored",
    "rotation_deg",
    "angle_basis",
    "match",
    "tempo",
    "warnings",
    "attempt_window",
    "notes",
    "joints",
    "phases",
    "reps",
    "feedback",
    "top_cues",
)


JobLost = jobs.LeaseLost  # another run took this job over (or it was reset): stop quietly

REFERENCE_JOBS = jobs.JobTable(StudioReference, domain="studio", task=EXTRACT_REFERENCE_TASK)
ATTEMPT_JOBS = jobs.JobTable(StudioAttempt, domain="studio", task=ANALYSE_ATTEMPT_TASK)
TABLES: dict[str, jobs.JobTable] = {"reference": REFERENCE_JOBS, "attempt": ATTEMPT_JOBS}
MODELS: dict[str, JobModel] = {"reference": StudioReference, "attempt": StudioAttempt}


def _kind_of(model: JobModel) -> str:
    return next(kind for kind, known in MODELS.items() if known is model)


def _table(model: JobModel) -> jobs.JobTable:
    """The engine's table for a job model. Other domains whose rows are jobs of this shape (e.g.
    knowledge extraction) register theirs in MODELS and TABLES and run through `_run`."""
    return TABLES[_kind_of(model)]


class BadInput(StudioError):
    """Input the studio cannot use; the message is for the user (English). `reason_code` and its
    parameters, when given, are what the job stores instead (a stable code the apps show in it/en,
    like the compute's): see video_studio.errors.encode_reason."""


@dataclass(frozen=True)
class Claim:
    job_id: uuid.UUID
    lease: str
    run_count: int


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def claim(model: JobModel, job_id: uuid.UUID, task_id: str, settings: Settings) -> Claim | str:
    """Take the job for this run, or say why not ("missing", "already_ready", "failed", "busy"...)."""
    stale = utcnow() - timedelta(seconds=settings.studio_job_timeout_seconds)
    with sync_session() as session:
        lease = jobs.claim(
            session,
            _table(model),
            job_id,
            stale_before=stale,
            takeover=model.task_id == task_id,  # the same task redelivered after its worker died
            values={
                "task_id": task_id,
                "progress": 0,
                "stage": "starting",
                "failure_reason": None,
                "finished_at": None,
            },
        )
        row = cast(Job | None, session.get(model, job_id, populate_existing=True))
    if row is None:
        return "missing"
    if lease is None:
        return {JobStatus.ready: "already_ready", JobStatus.failed: "failed"}.get(row.status, "busy")
    _nudge(model, job_id, JobStatus.running, 0, "starting")
    if row.run_count > settings.studio_job_max_runs:
        _finish_failed(model, job_id, lease, TOO_MANY_RUNS)
        return "too_many_runs"
    return Claim(job_id, lease, row.run_count)


def _nudge(
    model: JobModel,
    job_id: uuid.UUID,
    status: JobStatus,
    percent: int,
    stage: str,
    failure_reason: str | None = None,
) -> None:
    """Wake the job's progress streams (after the commit: they read the row, the truth)."""
    kind = _kind_of(model)
    payload = progress_bus.state(status.value, percent, stage, failure_reason)
    progress_bus.publish(progress_channel(kind, job_id), payload)


def _finish_failed(model: JobModel, job_id: uuid.UUID, lease: str | None, reason: str) -> bool:
    with sync_session() as session:
        failed = jobs.settle(
            session,
            _table(model),
            job_id,
            lease,
            JobStatus.failed,
            stage="failed",
            failure_reason=reason[:2000],
            finished_at=utcnow(),
        )
    if failed:
        _nudge(model, job_id, JobStatus.failed, 0, "failed", reason[:2000])
    return failed


def fail_job(kind: str, job_id: uuid.UUID, reason: str) -> bool:
    """Mark a job failed whoever holds it (the task gives up after its transient retries)."""
    return _finish_failed(MODELS[kind], job_id, None, reason)


def release_for_retry(kind: str, job_id: uuid.UUID, task_id: str) -> None:
    """A transient fault: hand the job back (pending) so the retried task can claim it again."""
    model = MODELS[kind]
    with sync_session() as session:
        jobs.release(session, TABLES[kind], job_id, holder=model.task_id == task_id, stage="retrying")
    _nudge(model, job_id, JobStatus.pending, 0, "retrying")


class Progress:
    """Writes percent + stage (and the heartbeat) while the lease is held; raises JobLost otherwise."""

    def __init__(self, model: JobModel, claim: Claim, *, min_interval: float = 0.5) -> None:
        self.model = model
        self.claim = claim
        self.lease = jobs.Lease(_table(model), claim.job_id, claim.lease)
        self._held = (self.lease.table, claim.job_id, claim.lease)
        self.min_interval = min_interval
        self.percent = 0
        self.stage_name = "starting"
        self._last_write = 0.0

    def set(self, percent: int, stage: str | None = None, *, force: bool = True) -> None:
        percent = max(self.percent, min(100, int(percent)))
        stage = stage or self.stage_name
        now = time.monotonic()
        if not force and (
            (percent == self.percent and stage == self.stage_name)
            or now - self._last_write < self.min_interval
        ):
            return
        with sync_session() as session:
            jobs.beat(
                session, self.lease.table, self.claim.job_id, self.claim.lease, progress=percent, stage=stage
            )
        self.percent, self.stage_name, self._last_write = percent, stage, now
        _nudge(self.model, self.claim.job_id, JobStatus.running, percent, stage)

    def touch(self) -> None:
        """Refresh only the heartbeat (the keepalive thread); JobLost if the lease is gone."""
        self.lease.touch()

    def within(self, lo: int, hi: int, stage: str) -> Callable[[float], None]:
        """A compute callback(fraction 0..1) mapped onto lo..hi percent."""
        self.set(lo, stage)

        def report(fraction: float) -> None:
            if math.isfinite(fraction):
                self.set(lo + round((hi - lo) * min(max(fraction, 0.0), 1.0)), stage, force=False)

        return report


def _domain_reason(exc: DomainError) -> str:
    """A domain error as a stored reason: its code and params (shown from `reasons.<code>` in the
    reader's language), or the generic failure for a code without a reason text."""
    if not catalogue().has(f"reasons.{exc.code}"):
        return GENERIC_FAILURE
    params = {k: v for k, v in exc.params.items() if isinstance(v, str | int | float)}
    return encode_reason(exc.code, params)


def _run(
    kind: str,
    job_id: uuid.UUID,
    task_id: str,
    body: Callable[[Any, Progress, Path, Settings], dict[str, Any]],
) -> str:
    """Claim, run the pipeline, and land the outcome: ready, failed (bad input) or JobLost."""
    settings = get_settings()
    model = MODELS[kind]
    claimed = claim(model, job_id, task_id, settings)
    if not isinstance(claimed, Claim):
        log.info("studio_job_skipped", kind=kind, job_id=str(job_id), reason=claimed)
        return claimed
    bound = log.bind(kind=kind, job_id=str(job_id), run=claimed.run_count)
    bound.info("studio_job_started")
    progress = Progress(model, claimed)
    with sync_session() as session:
        job = session.get(model, job_id)
        assert job is not None
        session.expunge(job)
    try:
        with (
            jobs.run_dir(settings, f"studio-{kind}", job_id) as workdir,
            progress.lease.keepalive(settings.job_heartbeat_seconds),
        ):
            values = body(job, progress, workdir, settings)
    except JobLost:
        bound.warning("studio_job_lost")
        return "lost"
    except StudioError as exc:  # BadInput too
        reason = exc.job_reason or GENERIC_FAILURE
        _finish_failed(model, job_id, claimed.lease, reason)
        bound.info("studio_job_failed", reason=reason)
        return "failed"
    except DomainError as exc:  # e.g. the source object is gone
        reason = _domain_reason(exc)
        _finish_failed(model, job_id, claimed.lease, reason)
        bound.info("studio_job_failed", reason=reason, code=exc.code, message=exc.message)
        return "failed"
    except TRANSIENT_ERRORS:
        raise  # the task retries with backoff
    except Exception:
        bound.exception("studio_job_crashed")
        _finish_failed(model, job_id, claimed.lease, GENERIC_FAILURE)
        return "failed"
    with sync_session() as session:
        landed = jobs.settle(
            session,
            _table(model),
            job_id,
            claimed.lease,
            JobStatus.ready,
            progress=100,
            stage="done",
            failure_reason=None,
            finished_at=utcnow(),
            **values,
        )
        if landed and isinstance(job, StudioAttempt):
            _award_practice(session, job, values.get("score"))
        if landed and model is StudioAttempt:
            _attempt_ready(session, job_id)
    if landed:
        _nudge(model, job_id, JobStatus.ready, 100, "done")
    bound.info("studio_job_ready" if landed else "studio_job_lost")
    return "ready" if landed else "lost"


def _award_practice(session: Session, attempt: StudioAttempt, score: float | None) -> None:
    """The attempt's report is ready: learning awards XP, badges and belts in this same
    transaction, so the awards exist exactly when the attempt is ready (learning is idempotent on
    the attempt id). In a savepoint: a fault there is logged and never costs the student the report."""
    reference = session.get(StudioReference, attempt.reference_id)
    if reference is None:
        return
    try:
        with session.begin_nested():
            learning.record_attempt_ready(
                session,
                attempt_id=attempt.id,
                user_id=attempt.student_id,
                reference_id=reference.id,
                instructor_id=reference.instructor_id,
                technique=reference.technique,
                score=score,
            )
    except Exception:
        log.exception("learning_award_failed", attempt_id=str(attempt.id))


def _attempt_ready(session: Session, attempt_id: uuid.UUID) -> None:
    """Issue 17, in the transaction that lands the report: the student is notified and the
    instructor's webhooks get `attempt.ready` (ids and score only)."""
    attempt = session.get(StudioAttempt, attempt_id)
    reference = session.get(StudioReference, attempt.reference_id) if attempt else None
    if attempt is None or reference is None:
        return
    notify(
        session,
        user_id=attempt.student_id,
        kind="report_ready",
        params={"title": reference.name},
        link=f"/attempts/{attempt.id}",
    )
    webhooks.emit(
        session,
        event_type="attempt.ready",
        owner_id=reference.instructor_id,
        data={"attempt_id": str(attempt.id), "reference_id": str(reference.id), "score": attempt.score},
    )


# --- transient faults: the task retries these with backoff


def _transient_errors() -> tuple[type[BaseException], ...]:
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError
    from sqlalchemy.exc import InterfaceError, OperationalError

    return (
        ConnectionError,
        TimeoutError,
        OperationalError,
        InterfaceError,
        BotoConnectionError,
        HTTPClientError,
    )


TRANSIENT_ERRORS = _transient_errors()


# --- the reference pipeline


def _safe_name(filename: str) -> str:
    """The upload's own name (messages quote it), reduced to harmless characters."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name).strip("._")[:100]
    return name or "attempt"


def _found(doc: Any) -> int:
    return sum(1 for f in doc["frames"] if f["landmarks"] is not None)


def _reference_body(
    ref: StudioReference, progress: Progress, workdir: Path, settings: Settings
) -> dict[str, Any]:
    from video_studio.skeleton import extract_skeleton, slice_skeleton
    from video_studio.skeleton.video import probe_video
    from video_studio.transcode import cut_range

    store = get_object_store()
    progress.set(2, "downloading")
    source = workdir / "instructor-video"
    store.download(ref.source_key, source)
    info = probe_video(source)
    duration = info.frame_count / info.fps if info.frame_count > 0 else None
    if duration is not None and ref.t_end > duration + 1.5 / info.fps:
        raise BadInput(
            f"The marked range ({ref.t_start:g}-{ref.t_end:g} s) goes past the end of the video "
            f"({duration:.2f} s).",
            reason_code="range_past_end",
            start=f"{ref.t_start:g}",
            end=f"{ref.t_end:g}",
            duration=f"{duration:.2f}",
        )
    offset = max(0.0, ref.t_start - settings.studio_reference_margin_seconds)
    end = ref.t_end + settings.studio_reference_margin_seconds
    if duration is not None:
        end = min(end, duration)
    clip = workdir / "marked-range.mp4"
    cutting = progress.within(10, 20, "cutting")
    cut_range(source, clip, offset, max(end - offset, 0.05), progress=lambda fraction, _: cutting(fraction))
    target = settings.studio_target_fps or None
    doc = extract_skeleton(clip, target_fps=target, progress=progress.within(20, 90, "extracting"))
    sliced = slice_skeleton(doc, ref.t_start - offset, ref.t_end - offset)
    if _found(sliced) < 3:
        raise BadInput("No person is clearly visible in the marked range.", reason_code="no_person_in_range")
    progress.set(92, "uploading")
    key = keys.reference_skeleton(ref.id)
    store.put_bytes(key, json.dumps(sliced, separators=(",", ":")).encode(), "application/json")
    # The skeleton's frame indices are the clip's: the clip is the reference side of overlays.
    store.put_file(keys.reference_clip(ref.id), clip, "video/mp4")
    return {
        "skeleton_key": key,
        "skeleton_frames": len(sliced["frames"]),
        "clip_key": keys.reference_clip(ref.id),
    }


def run_reference_job(reference_id: uuid.UUID, task_id: str) -> str:
    return _run("reference", reference_id, task_id, _reference_body)


# --- the attempt pipeline


def _attempt_body(
    attempt: StudioAttempt, progress: Progress, workdir: Path, settings: Settings
) -> dict[str, Any]:
    from video_studio.i18n import LANGUAGES
    from video_studio.pose import compare_docs
    from video_studio.pose.render import render_angle_plots, render_overlay
    from video_studio.skeleton import extract_skeleton, validate_doc
    from video_studio.skeleton.video import probe_video

    with sync_session() as session:
        reference = session.get(StudioReference, attempt.reference_id)
        if reference is None or reference.status != JobStatus.ready or not reference.skeleton_key:
            raise BadInput("The reference technique is no longer available.", reason_code="reference_gone")
        ref_key, joints = reference.skeleton_key, list(reference.joints or [])
        technique, clip_key = reference.technique, reference.clip_key
    store = get_object_store()
    progress.set(2, "downloading")
    source = workdir / _safe_name(attempt.filename)
    store.download(attempt.source_key, source)
    info = probe_video(source)
    if info.frame_count > 0 and info.frame_count / info.fps > settings.studio_attempt_max_seconds + 0.5:
        raise BadInput(
            f"The video lasts {info.frame_count / info.fps:.0f} s; attempts may last at most "
            f"{settings.studio_attempt_max_seconds:g} s. Trim it to the technique and upload again.",
            reason_code="attempt_too_long",
            seconds=f"{info.frame_count / info.fps:.0f}",
            max_seconds=f"{settings.studio_attempt_max_seconds:g}",
        )
    ref_doc = validate_doc(json.loads(store.get_bytes(ref_key)), "reference")
    target = settings.studio_target_fps or None
    # Nobody in the video is a finding of the report ("no person"), not a failed job.
    doc = extract_skeleton(
        source, target_fps=target, progress=progress.within(5, 60, "extracting"), allow_nobody=True
    )
    store.put_bytes(
        keys.attempt_skeleton(attempt.id), json.dumps(doc, separators=(",", ":")).encode(), "application/json"
    )
    progress.set(62, "comparing")
    comparison = compare_docs(ref_doc, doc, joints=joints or None, technique=technique)
    progress.set(66, "rendering_overlay")
    reference_video = None
    if clip_key and store.head(clip_key) is not None:
        reference_video = workdir / "reference.mp4"
        store.download(clip_key, reference_video)
    overlay = render_overlay(
        comparison, source, workdir / "overlay.mp4", reference_video=reference_video, lang=attempt.lang
    )
    progress.set(85, "rendering_plots")
    plots = {lang: render_angle_plots(comparison, workdir / "plots" / lang, lang=lang) for lang in LANGUAGES}
    progress.set(95, "uploading")
    store.put_file(keys.attempt_overlay(attempt.id), overlay, "video/mp4")
    store.delete_prefix(keys.attempt_plots_prefix(attempt.id))  # a rerun may plot other joints
    plot_keys: dict[str, dict[str, str]] = {}
    for lang, paths in plots.items():
        for path in paths:
            joint = path.stem.removeprefix("angle_")
            key = keys.attempt_plot(attempt.id, joint, lang)
            plot_keys.setdefault(lang, {})[joint] = key
            store.put_file(key, path, "image/png")
    report = comparison.report
    store.put_bytes(keys.attempt_report(attempt.id), json.dumps(report).encode(), "application/json")
    return {
        "score": None if report["score"] is None else float(report["score"]),
        "report": {k: report[k] for k in REPORT_FIELDS if k in report},
        "overlay_key": keys.attempt_overlay(attempt.id),
        "plot_keys": plot_keys,
    }


def run_attempt_job(attempt_id: uuid.UUID, task_id: str) -> str:
    return _run("attempt", attempt_id, task_id, _attempt_body)


# --- the reaper


def reap_stuck_jobs(
    settings: Settings | None = None,
    *,
    timeout_seconds: float | None = None,
    only: Collection[uuid.UUID] | None = None,
) -> list[tuple[str, uuid.UUID]]:
    """Running jobs without a heartbeat for the timeout (STUDIO_JOB_TIMEOUT_SECONDS unless
    `timeout_seconds` is given) go back to pending; pending jobs queued longer than
    JOB_LOST_AFTER_SECONDS (a lost message, not one waiting behind others) are queued again.
    Returns what it (re)queued; the caller enqueues them after this commit (requeue_stuck_jobs
    does both). `only` limits it to those job ids (a test reaps its own rows, not other tests'
    in the shared database)."""
    settings = settings or get_settings()
    now = utcnow()
    timeout = settings.studio_job_timeout_seconds if timeout_seconds is None else timeout_seconds
    requeued = jobs.reap(
        list(TABLES.values()),
        stale_before=now - timedelta(seconds=timeout),
        lost_before=now - timedelta(seconds=settings.job_lost_after_seconds),
        only=only,
        values={"stage": "requeued", "task_id": None},
    )
    return [(_kind(table), job_id) for table, job_id in requeued]


def _kind(table: jobs.JobTable) -> str:
    return next(kind for kind, known in TABLES.items() if known is table)


def requeue_stuck_jobs(
    *, timeout_seconds: float | None = None, only: Collection[uuid.UUID] | None = None
) -> list[tuple[str, uuid.UUID]]:
    """The reaper (beat: default.studio.reap_stuck_jobs): reap, then enqueue each job's task
    again once the reset is committed. Returns what it requeued."""
    requeued = reap_stuck_jobs(timeout_seconds=timeout_seconds, only=only)
    jobs.requeue([(TABLES[kind], job_id) for kind, job_id in requeued])
    if requeued:
        log.warning("studio_jobs_requeued", count=len(requeued))
    return requeued


# --- abandoned attempt uploads (the hook of the one beat task default.uploads.reap_abandoned)

UPLOAD_ABANDONED = "upload abandoned"


def _fail_abandoned_upload(session: Session, attempt_id: uuid.UUID, upload_id: str) -> bool:
    """uploading -> failed ("upload abandoned"), if the attempt still holds this upload."""
    result = session.execute(
        update(StudioAttempt)
        .where(
            StudioAttempt.id == attempt_id,
            StudioAttempt.status == JobStatus.uploading,
            StudioAttempt.upload_id == upload_id,
        )
        .values(
            status=JobStatus.failed,
            stage="failed",
            failure_reason=UPLOAD_ABANDONED,
            upload_id=None,
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def reap_abandoned_uploads(
    settings: Settings | None = None, *, now: datetime | None = None
) -> uploads.ReapReport:
    """Abort attempt uploads started more than STUDIO_UPLOAD_ABANDON_SECONDS ago and never
    completed; the attempt fails with "upload abandoned" (app/uploads/reaper.py)."""
    settings = settings or get_settings()
    failed: list[uuid.UUID] = []

    def abandon(session: Session, upload: MultipartUpload, cutoff: datetime) -> uploads.Verdict:
        attempt_id = ATTEMPT_UPLOAD.id_of_key(upload.key)
        attempt = session.get(StudioAttempt, attempt_id) if attempt_id else None
        if attempt is None or attempt.upload_id != upload.upload_id:
            return "orphan"
        if attempt.created_at >= cutoff:  # the upload started with the attempt
            return "keep"
        if not _fail_abandoned_upload(session, attempt.id, upload.upload_id):
            return "orphan"  # completed meanwhile: the upload is gone or about to be
        failed.append(attempt.id)
        return "abandoned"

    def stranded(session: Session, open_ids: set[str], cutoff: datetime) -> int:
        rows = session.execute(
            select(StudioAttempt.id, StudioAttempt.upload_id).where(
                StudioAttempt.status == JobStatus.uploading,
                StudioAttempt.upload_id.is_not(None),
                StudioAttempt.created_at < cutoff,
            )
        ).all()
        count = 0
        for attempt_id, upload_id in rows:
            if (
                upload_id
                and upload_id not in open_ids
                and _fail_abandoned_upload(session, attempt_id, upload_id)
            ):
                failed.append(attempt_id)
                count += 1
        return count

    report = uploads.reap_abandoned(ATTEMPT_UPLOAD, settings, abandon=abandon, stranded=stranded, now=now)
    for attempt_id in failed:  # end the attempt's open progress stream
        _nudge(StudioAttempt, attempt_id, JobStatus.failed, 0, "failed", UPLOAD_ABANDONED)
    return report


uploads.register_reaper(ATTEMPT_UPLOAD, reap_abandoned_uploads)
