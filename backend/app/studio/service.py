"""Studio rules for the API: references, attempt uploads, who may see which report, comments.

Heavy work never happens here: creating a reference or completing an attempt upload commits the
job row and then enqueues its task (app/studio/tasks.py -> app/studio/jobs.py).
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app import progress, uploads
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.i18n import Phrase, reason_phrase, reason_text
from app.core.ids import uuid7
from app.core.pagination import apply_cursor, page_of
from app.core.storage import UploadedPart, get_object_store
from app.studio import keys
from app.studio.models import JobStatus, StudioAttempt, StudioComment, StudioReference
from app.studio.videos import PUBLISHED, get_source_key, get_video
from app.worker.dispatch import enqueue
from video_studio.i18n import Language
from video_studio.joints import JOINTS
from video_studio.pose_report import render_report
from video_studio.techniques import TECHNIQUES

log = structlog.get_logger(__name__)

EXTRACT_REFERENCE_TASK = "studio.extract_reference"
# A reason code (clients show `reasons.too_large` from their it/en catalogues).
TOO_LARGE = "too_large"
ANALYSE_ATTEMPT_TASK = "studio.analyse_attempt"


# --- live progress (app/progress)

# An attempt's stream stays open while it is in one of these; ready or failed ends it.
PROGRESS_ACTIVE = frozenset({JobStatus.uploading.value, JobStatus.pending.value, JobStatus.running.value})


def progress_channel(kind: str, job_id: uuid.UUID | str) -> str:
    """kind: "attempt" or "reference"."""
    return progress.channel("studio", kind, job_id)


def job_state(job: StudioReference | StudioAttempt) -> progress.State:
    """What a `progress` event carries: {status, percent, stage, failure_reason} (as for videos)."""
    return progress.state(job.status.value, job.progress, job.stage, job.failure_reason)


async def load_attempt_state(session: AsyncSession, attempt_id: uuid.UUID) -> progress.State | None:
    attempt = await session.get(StudioAttempt, attempt_id)
    return None if attempt is None else job_state(attempt)


def _is_admin(user: User | None) -> bool:
    return user is not None and user.role == Role.admin


# --- references


def _check_joints(joints: Sequence[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(joints or []))
    unknown = [j for j in chosen if j not in JOINTS]
    if unknown:
        raise ValidationFailed(
            f"Unknown joint(s): {', '.join(unknown)}. Choose from: {', '.join(JOINTS)}.",
            code="unknown_joint",
            params={"unknown": ", ".join(unknown), "choices": ", ".join(JOINTS)},
        )
    return chosen


async def create_reference(
    session: AsyncSession,
    settings: Settings,
    *,
    instructor: User,
    video_id: uuid.UUID,
    name: str,
    t_start: float,
    t_end: float,
    joints: Sequence[str] | None,
    technique: str = "general",
) -> StudioReference:
    chosen = _check_joints(joints)
    if technique not in TECHNIQUES:
        raise ValidationFailed(
            f"Unknown technique type {technique!r}. Choose from: {', '.join(TECHNIQUES)}.",
            code="unknown_technique",
            params={"technique": technique, "choices": ", ".join(TECHNIQUES)},
        )
    name = name.strip()
    if not name:
        raise ValidationFailed("Give the technique a name.", code="name_required")
    if not (math.isfinite(t_start) and math.isfinite(t_end)) or t_start < 0 or t_end <= t_start:
        raise ValidationFailed("The range must satisfy 0 <= t_start < t_end.", code="invalid_range")
    length = t_end - t_start
    if length < settings.studio_reference_min_seconds:
        raise ValidationFailed(
            f"A reference must last at least {settings.studio_reference_min_seconds:g} s.",
            code="range_too_short",
            params={"min_seconds": f"{settings.studio_reference_min_seconds:g}"},
        )
    if length > settings.studio_reference_max_seconds:
        raise ValidationFailed(
            f"A reference may last at most {settings.studio_reference_max_seconds:g} s.",
            code="range_too_long",
            params={"max_seconds": f"{settings.studio_reference_max_seconds:g}"},
        )
    video = await get_video(session, video_id)
    if video.owner_id != instructor.id:
        # Someone else's video: indistinguishable from a missing one.
        raise NotFound("No such video.", code="video_not_found")
    if video.status != PUBLISHED:
        raise Conflict("Only a published video can hold a reference.", code="video_not_published")
    if video.duration_s is not None and t_end > video.duration_s + 1e-3:
        raise ValidationFailed(
            f"The range ends after the video ({video.duration_s:.2f} s).",
            code="range_outside_video",
            params={"duration": f"{video.duration_s:.2f}"},
        )
    source_key = await get_source_key(session, video.id)
    now = utcnow()
    reference = StudioReference(
        instructor_id=instructor.id,
        video_id=video.id,
        source_key=source_key,
        name=name,
        t_start=float(t_start),
        t_end=float(t_end),
        joints=chosen,
        technique=technique,
        status=JobStatus.pending,
        queued_at=now,
    )
    session.add(reference)
    await session.commit()
    log.info("studio_reference_created", reference_id=str(reference.id), video_id=str(video.id))
    enqueue(EXTRACT_REFERENCE_TASK, str(reference.id))
    await session.refresh(reference)
    return reference


def _can_manage_reference(reference: StudioReference, user: User | None) -> bool:
    return user is not None and (reference.instructor_id == user.id or _is_admin(user))


async def get_reference(
    session: AsyncSession, reference_id: uuid.UUID, viewer: User | None
) -> StudioReference:
    """Ready references are public (students pick them); others only to their instructor/admins."""
    reference = await session.get(StudioReference, reference_id)
    if reference is None or (
        reference.status != JobStatus.ready and not _can_manage_reference(reference, viewer)
    ):
        raise NotFound("No such reference.", code="reference_not_found")
    return reference


async def list_references(
    session: AsyncSession,
    *,
    instructor_id: uuid.UUID,
    viewer: User | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[StudioReference], str | None]:
    stmt = select(StudioReference).where(StudioReference.instructor_id == instructor_id)
    if viewer is None or (viewer.id != instructor_id and not _is_admin(viewer)):
        stmt = stmt.where(StudioReference.status == JobStatus.ready)
    rows = (await session.scalars(apply_cursor(stmt, StudioReference.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


async def retry_reference(session: AsyncSession, reference_id: uuid.UUID, user: User) -> StudioReference:
    """Queue a failed extraction again (after the instructor fixed the video, or a transient fault)."""
    reference = await session.get(StudioReference, reference_id)
    if reference is None or not _can_manage_reference(reference, user):
        raise NotFound("No such reference.", code="reference_not_found")
    if reference.status != JobStatus.failed:
        raise Conflict("Only a failed reference can be retried.", code="job_not_failed")
    _requeue(reference)
    await session.commit()
    enqueue(EXTRACT_REFERENCE_TASK, str(reference.id))
    await session.refresh(reference)
    return reference


async def reference_clip_url(reference: StudioReference) -> str | None:
    """A short-lived link to the reference clip students copy (ready references are public)."""
    if reference.status != JobStatus.ready or not reference.clip_key:
        return None
    return await asyncio.to_thread(get_object_store().presign_get, reference.clip_key, 3600)


async def load_reference_state(session: AsyncSession, reference_id: uuid.UUID) -> progress.State | None:
    reference = await session.get(StudioReference, reference_id)
    return None if reference is None else job_state(reference)


async def managed_reference(
    session: AsyncSession, reference_id: uuid.UUID, user: User, *, lock: bool = True
) -> StudioReference:
    """The reference, for its instructor (or an admin) only; 404 for anyone else."""
    stmt = select(StudioReference).where(StudioReference.id == reference_id)
    reference = await session.scalar(stmt.with_for_update() if lock else stmt)
    if reference is None or not _can_manage_reference(reference, user):
        raise NotFound("No such reference.", code="reference_not_found")
    return reference


async def rename_reference(
    session: AsyncSession, reference_id: uuid.UUID, user: User, name: str
) -> StudioReference:
    reference = await managed_reference(session, reference_id, user)
    reference.name = name.strip()
    await session.commit()
    await session.refresh(reference)
    return reference


async def delete_reference(session: AsyncSession, reference_id: uuid.UUID, user: User) -> None:
    """A reference nobody practised yet goes with its stored clip and skeleton; once students
    have attempts on it, deleting would take their work too: 409 reference_has_attempts."""
    reference = await managed_reference(session, reference_id, user)
    used = await session.scalar(
        select(StudioAttempt.id).where(StudioAttempt.reference_id == reference.id).limit(1)
    )
    if used is not None:
        raise Conflict(
            "Students have practised this reference: it cannot be deleted.", code="reference_has_attempts"
        )
    stored = [k for k in (reference.skeleton_key, reference.clip_key) if k]
    await session.delete(reference)
    await session.commit()
    store = get_object_store()
    for key in stored:
        await asyncio.to_thread(store.delete, key)


def _requeue(job: StudioReference | StudioAttempt) -> None:
    job.status = JobStatus.pending
    job.progress = 0
    job.stage = "queued"
    job.failure_reason = None
    job.task_id = None
    job.lease_id = None
    job.run_count = 0
    job.queued_at = utcnow()
    job.finished_at = None


# --- attempts: upload


@dataclass(frozen=True)
class PartUrl:
    part_number: int
    url: str


@dataclass
class UploadTicket:
    attempt: StudioAttempt
    part_size: int
    part_count: int
    parts: list[PartUrl]
    uploaded_parts: list[UploadedPart] = field(default_factory=list)
    expires_at: datetime | None = None


ATTEMPT_UPLOAD = uploads.UploadKind(
    name="studio",
    prefix="studio/attempts/",
    key_of=keys.attempt_source,
    max_bytes=lambda settings: settings.studio_attempt_max_bytes,
    part_size=lambda settings: settings.studio_upload_part_size,
    abandon_after_seconds=lambda settings: settings.studio_upload_abandon_seconds,
    too_large=lambda limit: f"An attempt video may be at most {limit // (1024 * 1024)} MiB.",
    too_large_code="attempt_too_large",
    content_types=("video/",),
    wrong_type="Upload a video file (content type video/*).",
    wrong_type_code="not_a_video",
    bad_part_code="invalid_part_number",
)


def _upload(attempt: StudioAttempt) -> uploads.Upload:
    assert attempt.upload_id is not None
    return uploads.Upload(
        attempt.source_key, attempt.upload_id, uploads.PartPlan(attempt.size_bytes, attempt.part_size)
    )


def _ticket(
    attempt: StudioAttempt, signed: uploads.Signed, uploaded: list[UploadedPart] | None = None
) -> UploadTicket:
    parts = [PartUrl(n, url) for n, url in signed.parts]
    return UploadTicket(
        attempt, attempt.part_size, attempt.part_count, parts, uploaded or [], signed.expires_at
    )


async def create_attempt(
    session: AsyncSession,
    settings: Settings,
    *,
    reference_id: uuid.UUID,
    student: User,
    filename: str,
    content_type: str,
    size_bytes: int,
    lang: Language = "en",
) -> UploadTicket:
    reference = await get_reference(session, reference_id, student)
    if reference.status != JobStatus.ready:
        raise Conflict(
            "This reference is not ready yet; attempts can be sent once its skeleton is extracted.",
            code="reference_not_ready",
        )
    uploads.check_declared(ATTEMPT_UPLOAD, settings, size_bytes=size_bytes, content_type=content_type)
    if not filename.strip():
        raise ValidationFailed("The file needs a name.", code="filename_required")
    attempt_id = uuid7()
    upload = await uploads.start(
        ATTEMPT_UPLOAD, settings, attempt_id, size_bytes=size_bytes, content_type=content_type
    )
    attempt = StudioAttempt(
        id=attempt_id,
        reference_id=reference.id,
        student_id=student.id,
        filename=filename.strip()[:255],
        content_type=content_type,
        size_bytes=size_bytes,
        part_size=upload.plan.part_size,
        part_count=upload.plan.count,
        source_key=upload.key,
        upload_id=upload.upload_id,
        status=JobStatus.uploading,
        stage="uploading",
        lang=lang,
    )
    session.add(attempt)
    await session.commit()
    signed = await uploads.sign(ATTEMPT_UPLOAD, upload, range(1, upload.plan.count + 1), settings)
    log.info("studio_attempt_created", attempt_id=str(attempt.id), reference_id=str(reference.id))
    return _ticket(attempt, signed)


async def _own_attempt(session: AsyncSession, attempt_id: uuid.UUID, user: User) -> StudioAttempt:
    attempt = await session.get(StudioAttempt, attempt_id)
    if attempt is None or attempt.student_id != user.id:
        raise NotFound("No such attempt.", code="attempt_not_found")
    return attempt


def _not_uploading(attempt: StudioAttempt) -> Conflict:
    return Conflict("This attempt's upload is already complete.", code="upload_already_completed")


async def resume_upload(
    session: AsyncSession, settings: Settings, attempt_id: uuid.UUID, user: User
) -> UploadTicket:
    """The parts stored so far and fresh URLs for the missing ones (resume after a break)."""
    attempt = await _own_attempt(session, attempt_id, user)
    if attempt.status != JobStatus.uploading or attempt.upload_id is None:
        raise _not_uploading(attempt)
    uploaded, signed = await uploads.resume(ATTEMPT_UPLOAD, _upload(attempt), settings)
    return _ticket(attempt, signed, uploaded)


async def sign_parts(
    session: AsyncSession, settings: Settings, attempt_id: uuid.UUID, user: User, numbers: Sequence[int]
) -> UploadTicket:
    """Fresh URLs for chosen parts (a URL expired, or a part must be sent again)."""
    attempt = await _own_attempt(session, attempt_id, user)
    if attempt.status != JobStatus.uploading or attempt.upload_id is None:
        raise _not_uploading(attempt)
    signed = await uploads.sign(ATTEMPT_UPLOAD, _upload(attempt), numbers, settings)
    return _ticket(attempt, signed)


async def complete_upload(
    session: AsyncSession,
    settings: Settings,
    attempt_id: uuid.UUID,
    user: User,
    parts: Sequence[UploadedPart],
) -> StudioAttempt:
    """Assemble the parts and queue the analysis. Completing again returns the attempt as it is."""
    attempt = await _own_attempt(session, attempt_id, user)
    if attempt.status != JobStatus.uploading:
        return attempt
    try:
        await uploads.complete(_upload(attempt), parts)
    except NotFound:
        await session.refresh(attempt)
        if attempt.status != JobStatus.uploading:  # a concurrent completion won
            return attempt
        raise
    store = get_object_store()
    info = await asyncio.to_thread(store.head, attempt.source_key)
    now = utcnow()
    attempt.upload_id = None
    attempt.uploaded_at = now
    if info is None:
        raise NotFound("The uploaded file is missing.", code="object_not_found")
    attempt.size_bytes = info.size
    if info.size > settings.studio_attempt_max_bytes:
        await asyncio.to_thread(store.delete, attempt.source_key)
        attempt.status = JobStatus.failed
        attempt.stage = "failed"
        attempt.failure_reason = TOO_LARGE
        attempt.finished_at = now
        await session.commit()
        return attempt
    attempt.status = JobStatus.pending
    attempt.stage = "queued"
    attempt.queued_at = now
    await session.commit()
    log.info("studio_attempt_uploaded", attempt_id=str(attempt.id), size=info.size)
    enqueue(ANALYSE_ATTEMPT_TASK, str(attempt.id))
    await session.refresh(attempt)
    return attempt


# --- attempts: who sees what


async def _visible_attempt(
    session: AsyncSession, attempt_id: uuid.UUID, viewer: User
) -> tuple[StudioAttempt, StudioReference]:
    """The attempt's owner, the reference's instructor and admins see it; everyone else gets 404."""
    attempt = await session.get(StudioAttempt, attempt_id)
    reference = await session.get(StudioReference, attempt.reference_id) if attempt else None
    if (
        attempt is None
        or reference is None
        or not (attempt.student_id == viewer.id or reference.instructor_id == viewer.id or _is_admin(viewer))
    ):
        raise NotFound("No such attempt.", code="attempt_not_found")
    return attempt, reference


async def get_attempt(session: AsyncSession, attempt_id: uuid.UUID, viewer: User) -> StudioAttempt:
    attempt, _ = await _visible_attempt(session, attempt_id, viewer)
    return attempt


async def retry_attempt(session: AsyncSession, attempt_id: uuid.UUID, user: User) -> StudioAttempt:
    attempt = await _own_attempt(session, attempt_id, user)
    if attempt.status != JobStatus.failed or attempt.uploaded_at is None:
        raise Conflict("Only a failed analysis of an uploaded video can be retried.", code="job_not_failed")
    _requeue(attempt)
    await session.commit()
    enqueue(ANALYSE_ATTEMPT_TASK, str(attempt.id))
    await session.refresh(attempt)
    return attempt


async def list_my_attempts(
    session: AsyncSession,
    user: User,
    *,
    reference_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[StudioAttempt], str | None]:
    stmt = select(StudioAttempt).where(StudioAttempt.student_id == user.id)
    if reference_id is not None:
        stmt = stmt.where(StudioAttempt.reference_id == reference_id)
    rows = (await session.scalars(apply_cursor(stmt, StudioAttempt.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


async def list_instructor_attempts(
    session: AsyncSession,
    instructor: User,
    *,
    reference_id: uuid.UUID | None,
    status: JobStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[StudioAttempt], str | None, dict[uuid.UUID, User]]:
    """Attempts on the instructor's references (admins: on every reference), with their students."""
    stmt = (
        select(StudioAttempt)
        .join(StudioReference, StudioReference.id == StudioAttempt.reference_id)
        .where(StudioAttempt.status != JobStatus.uploading)
    )
    if not _is_admin(instructor):
        stmt = stmt.where(StudioReference.instructor_id == instructor.id)
    if reference_id is not None:
        stmt = stmt.where(StudioAttempt.reference_id == reference_id)
    if status is not None:
        stmt = stmt.where(StudioAttempt.status == status)
    rows = (await session.scalars(apply_cursor(stmt, StudioAttempt.id, limit=limit, cursor=cursor))).all()
    items, next_cursor = page_of(rows, limit)
    students = await session.run_sync(auth_service.get_users, [a.student_id for a in items])
    return items, next_cursor, students


# --- reports and comments


@dataclass(frozen=True)
class PlotUrl:
    joint: str
    url: str


@dataclass(frozen=True)
class CommentView:
    id: uuid.UUID
    author_id: uuid.UUID | None
    author_name: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ReportView:
    attempt: StudioAttempt
    reference: StudioReference
    report: dict[str, Any]  # rendered in the asked language
    overlay_url: str | None
    plots: list[PlotUrl]
    urls_expire_at: datetime
    comments: list[CommentView]


async def _comments(session: AsyncSession, attempt_id: uuid.UUID) -> list[CommentView]:
    rows = (
        await session.scalars(
            select(StudioComment)
            .where(StudioComment.attempt_id == attempt_id)
            .order_by(StudioComment.created_at, StudioComment.id)
        )
    ).all()
    authors = await session.run_sync(auth_service.get_users, [c.author_id for c in rows if c.author_id])
    return [
        CommentView(
            c.id,
            c.author_id,
            authors[c.author_id].display_name if c.author_id in authors else None,
            c.body,
            c.created_at,
        )
        for c in rows
    ]


def plot_keys_for(plot_keys: dict[str, Any], lang: Language) -> dict[str, str]:
    """joint -> object key of the plots in `lang` (English when that language has none; plots
    made before per-language plots are one English set: joint -> key)."""
    if plot_keys and all(isinstance(v, str) for v in plot_keys.values()):
        return dict(plot_keys)
    chosen = plot_keys.get(lang) or plot_keys.get("en") or {}
    return {str(joint): str(key) for joint, key in chosen.items()}


async def get_report(
    session: AsyncSession, settings: Settings, attempt_id: uuid.UUID, viewer: User, lang: Language = "en"
) -> ReportView:
    """The attempt's report rendered in `lang` (the stored report is language-neutral)."""
    attempt, reference = await _visible_attempt(session, attempt_id, viewer)
    if attempt.status != JobStatus.ready or attempt.report is None:
        detail = f" ({reason_text(attempt.failure_reason)})" if attempt.failure_reason else ""
        raise Conflict(
            f"The report is not ready: the analysis is {attempt.status.value}{detail}.",
            code="report_not_ready",
            params={
                "status": Phrase(f"states.{attempt.status.value}"),
                "detail": Phrase(
                    "errors.report_failure_detail", {"reason": reason_phrase(attempt.failure_reason)}
                )
                if attempt.failure_reason
                else "",
            },
        )
    store = get_object_store()
    ttl = settings.studio_report_url_ttl_seconds
    overlay_key = attempt.overlay_key
    plot_keys = plot_keys_for(dict(attempt.plot_keys or {}), lang)

    def sign() -> tuple[str | None, list[PlotUrl]]:
        overlay = store.presign_get(overlay_key, ttl) if overlay_key else None
        return overlay, [PlotUrl(joint, store.presign_get(key, ttl)) for joint, key in plot_keys.items()]

    overlay_url, plots = await asyncio.to_thread(sign)
    return ReportView(
        attempt=attempt,
        reference=reference,
        report=render_report(attempt.report, lang),
        overlay_url=overlay_url,
        plots=plots,
        urls_expire_at=utcnow() + timedelta(seconds=ttl),
        comments=await _comments(session, attempt.id),
    )


async def add_comment(session: AsyncSession, attempt_id: uuid.UUID, author: User, body: str) -> CommentView:
    """The reference's instructor (or an admin) comments on a student's attempt."""
    attempt, reference = await _visible_attempt(session, attempt_id, author)
    if reference.instructor_id != author.id and not _is_admin(author):
        raise PermissionDenied("Only the reference's instructor can comment.", code="not_the_instructor")
    text = body.strip()
    if not text:
        raise ValidationFailed("The comment is empty.", code="empty_comment")
    comment = StudioComment(attempt_id=attempt.id, author_id=author.id, body=text, created_at=utcnow())
    session.add(comment)
    await session.commit()
    return CommentView(comment.id, author.id, author.display_name, comment.body, comment.created_at)


@dataclass(frozen=True)
class ReportDigest:
    """A student's finished analysis in a few words (the coach's context): score and top cues."""

    attempt_id: uuid.UUID
    reference_name: str
    technique_label: str
    score: float | None
    cues: list[str]
    finished_at: datetime | None


def latest_report_digests(
    session: Session, student_id: uuid.UUID, lang: Language, *, limit: int = 3
) -> list[ReportDigest]:
    """The student's newest ready reports, rendered in `lang`. Sync: the coach's worker asks it."""
    rows = session.execute(
        select(StudioAttempt, StudioReference.name)
        .join(StudioReference, StudioReference.id == StudioAttempt.reference_id)
        .where(StudioAttempt.student_id == student_id, StudioAttempt.status == JobStatus.ready)
        .where(StudioAttempt.report.is_not(None))
        .order_by(StudioAttempt.finished_at.desc(), StudioAttempt.id.desc())
        .limit(limit)
    ).all()
    digests = []
    for attempt, name in rows:
        report = render_report(attempt.report or {}, lang)
        cues = [str(c.get("message", "")) for c in report.get("top_cues", []) if c.get("message")]
        digests.append(
            ReportDigest(
                attempt.id,
                name,
                str(report.get("technique_label", "")),
                attempt.score,
                cues,
                attempt.finished_at,
            )
        )
    return digests


# --- your data (issue 17; app/privacy's registry calls these) --------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """The student's attempts with their pose reports (the report column); the comments the user
    wrote. The attempt videos themselves stay in the app (their links would expire in a zip)."""
    from app.db.export import rows

    attempts = session.scalars(
        select(StudioAttempt).where(StudioAttempt.student_id == user_id).order_by(StudioAttempt.id)
    )
    comments = session.scalars(select(StudioComment).where(StudioComment.author_id == user_id))
    return {
        "attempts": rows(attempts, omit=("upload_id", "lease_id", "task_id")),
        "comments_written": rows(comments),
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """The student's attempts go with their files (videos, skeletons, reports); the user's
    comments on others' attempts stay, without an author."""
    from sqlalchemy import delete, update

    store = get_object_store()
    for attempt_id in session.scalars(select(StudioAttempt.id).where(StudioAttempt.student_id == user_id)):
        store.delete_prefix(keys.attempt_prefix(attempt_id))
    session.execute(delete(StudioAttempt).where(StudioAttempt.student_id == user_id))
    session.execute(update(StudioComment).where(StudioComment.author_id == user_id).values(author_id=None))
