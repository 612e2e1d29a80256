"""Studio HTTP API (/api/v1/studio): reference techniques, attempt uploads, job status, reports."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from app.auth.models import User
from app.core import ratelimit
from app.core.errors import Conflict, NotFound, RateLimited, error_responses
from app.core.pagination import DEFAULT_LIMIT
from app.core.storage import UploadedPart
from app.deps import (
    CurrentUser,
    CursorParam,
    InstructorUser,
    LimitParam,
    OptionalUser,
    SessionDep,
    SettingsDep,
    VerifiedUser,
)
from app.progress import stream as sse
from app.studio import service
from app.studio.models import JobStatus, StudioAttempt
from app.studio.schemas import (
    AttemptCreate,
    AttemptOut,
    AttemptPage,
    AttemptUploadOut,
    CommentCreate,
    CommentOut,
    CompleteUpload,
    InstructorAttemptOut,
    InstructorAttemptPage,
    PartUrlOut,
    PlotOut,
    ReferenceCreate,
    ReferenceOut,
    ReferencePage,
    ReferenceRename,
    ReportOut,
    ReportReferenceOut,
    SignParts,
    StudentOut,
    UploadedPartOut,
    UploadOut,
)
from video_studio.i18n import Language, normalize_language

router = APIRouter(prefix="/studio", tags=["studio"])


def _upload(ticket: service.UploadTicket) -> UploadOut:
    return UploadOut(
        part_size=ticket.part_size,
        part_count=ticket.part_count,
        parts=[PartUrlOut(part_number=p.part_number, url=p.url) for p in ticket.parts],
        uploaded_parts=[
            UploadedPartOut(part_number=p.part_number, etag=p.etag, size=p.size)
            for p in ticket.uploaded_parts
        ],
        expires_at=ticket.expires_at,
    )


# --- references


@router.post(
    "/references",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferenceOut,
    responses=error_responses(NotFound, Conflict),
)
async def create_reference(
    body: ReferenceCreate, user: InstructorUser, session: SessionDep, settings: SettingsDep
) -> ReferenceOut:
    """Mark [t_start, t_end] of one of your published videos as a reference technique; its
    skeleton is extracted in the background (poll GET /studio/references/{id})."""
    reference = await service.create_reference(
        session,
        settings,
        instructor=user,
        video_id=body.video_id,
        name=body.name,
        t_start=body.t_start,
        t_end=body.t_end,
        joints=body.joints,
        technique=body.technique,
    )
    return ReferenceOut.model_validate(reference)


@router.get("/references", response_model=ReferencePage)
async def list_references(
    instructor_id: uuid.UUID,
    session: SessionDep,
    viewer: OptionalUser,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> ReferencePage:
    """An instructor's reference techniques: the ready ones for everybody, all of them for the
    instructor (and admins)."""
    items, next_cursor = await service.list_references(
        session, instructor_id=instructor_id, viewer=viewer, limit=limit, cursor=cursor
    )
    return ReferencePage(items=[ReferenceOut.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/references/{reference_id}", response_model=ReferenceOut)
async def get_reference(reference_id: uuid.UUID, session: SessionDep, viewer: OptionalUser) -> ReferenceOut:
    reference = await service.get_reference(session, reference_id, viewer)
    out = ReferenceOut.model_validate(reference)
    return out.model_copy(update={"clip_url": await service.reference_clip_url(reference)})


@router.patch("/references/{reference_id}", response_model=ReferenceOut)
async def rename_reference(
    reference_id: uuid.UUID, body: ReferenceRename, user: InstructorUser, session: SessionDep
) -> ReferenceOut:
    return ReferenceOut.model_validate(await service.rename_reference(session, reference_id, user, body.name))


@router.delete(
    "/references/{reference_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Conflict)
)
async def delete_reference(reference_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> Response:
    await service.delete_reference(session, reference_id, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/references/{reference_id}/events",
    response_class=sse.ProgressStream,
    responses=error_responses(RateLimited),
)
async def reference_events(
    reference_id: uuid.UUID, user: InstructorUser, session: SessionDep
) -> sse.ProgressStream:
    """`text/event-stream` of the reference's extraction progress, then one `end` event (ready or
    failed): the instructor's list updates without a reload."""
    await service.managed_reference(session, reference_id, user, lock=False)
    await session.close()
    return await sse.progress_response(
        owner=user.id,
        channel=service.progress_channel("reference", reference_id),
        load_state=lambda db: service.load_reference_state(db, reference_id),
        active=service.PROGRESS_ACTIVE,
    )


@router.post(
    "/references/{reference_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=ReferenceOut
)
async def retry_reference(reference_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> ReferenceOut:
    return ReferenceOut.model_validate(await service.retry_reference(session, reference_id, user))


# --- attempts


@router.post(
    "/references/{reference_id}/attempts",
    status_code=status.HTTP_201_CREATED,
    response_model=AttemptUploadOut,
)
async def create_attempt(
    reference_id: uuid.UUID,
    body: AttemptCreate,
    user: VerifiedUser,
    session: SessionDep,
    settings: SettingsDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> AttemptUploadOut:
    """Start an attempt: returns presigned part URLs (multipart upload, like media uploads).
    409 reference_not_ready while the reference's skeleton is not extracted."""
    await ratelimit.limit(
        "studio:attempt", str(user.id), settings.studio_attempts_per_hour, window_seconds=3600
    )
    ticket = await service.create_attempt(
        session,
        settings,
        reference_id=reference_id,
        student=user,
        filename=body.filename,
        content_type=body.content_type,
        size_bytes=body.size_bytes,
        lang=body.lang or normalize_language(accept_language),
    )
    return AttemptUploadOut(attempt=AttemptOut.model_validate(ticket.attempt), upload=_upload(ticket))


@router.get("/attempts", response_model=AttemptPage)
async def list_my_attempts(
    user: CurrentUser,
    session: SessionDep,
    reference_id: uuid.UUID | None = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> AttemptPage:
    items, next_cursor = await service.list_my_attempts(
        session, user, reference_id=reference_id, limit=limit, cursor=cursor
    )
    return AttemptPage(items=[AttemptOut.model_validate(a) for a in items], next_cursor=next_cursor)


@router.get("/attempts/{attempt_id}", response_model=AttemptOut)
async def get_attempt(attempt_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> AttemptOut:
    """The attempt and its analysis job: status, progress percent, stage, failure reason, score."""
    return AttemptOut.model_validate(await service.get_attempt(session, attempt_id, user))


@router.get(
    "/attempts/{attempt_id}/events", response_class=sse.ProgressStream, responses=error_responses(RateLimited)
)
async def attempt_events(attempt_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> sse.ProgressStream:
    """`text/event-stream` of `progress` events ({status, percent, stage, failure_reason}) while
    the attempt uploads, waits and is analysed, then one `end` event (status ready or failed).
    Same audience as the attempt: its student, the reference's instructor, admins (others: 404)."""
    await service.get_attempt(session, attempt_id, user)
    await session.close()
    return await sse.progress_response(
        owner=user.id,
        channel=service.progress_channel("attempt", attempt_id),
        load_state=lambda db: service.load_attempt_state(db, attempt_id),
        active=service.PROGRESS_ACTIVE,
    )


@router.get("/attempts/{attempt_id}/upload", response_model=UploadOut)
async def resume_upload(
    attempt_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> UploadOut:
    """Parts already stored and fresh URLs for the missing ones."""
    return _upload(await service.resume_upload(session, settings, attempt_id, user))


@router.post("/attempts/{attempt_id}/upload/parts", response_model=UploadOut)
async def sign_parts(
    attempt_id: uuid.UUID, body: SignParts, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> UploadOut:
    """Re-sign chosen parts (expired URL, or a part to send again)."""
    return _upload(await service.sign_parts(session, settings, attempt_id, user, body.part_numbers))


@router.post(
    "/attempts/{attempt_id}/complete", status_code=status.HTTP_202_ACCEPTED, response_model=AttemptOut
)
async def complete_upload(
    attempt_id: uuid.UUID,
    body: CompleteUpload,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> AttemptOut:
    parts = [UploadedPart(part_number=p.part_number, etag=p.etag) for p in body.parts]
    attempt = await service.complete_upload(session, settings, attempt_id, user, parts)
    return AttemptOut.model_validate(attempt)


@router.post("/attempts/{attempt_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=AttemptOut)
async def retry_attempt(attempt_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> AttemptOut:
    return AttemptOut.model_validate(await service.retry_attempt(session, attempt_id, user))


@router.get("/attempts/{attempt_id}/report", response_model=ReportOut)
async def get_report(
    attempt_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    lang: Annotated[
        Language | None,
        Query(description="Language of the messages (en, it); default: Accept-Language"),
    ] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> ReportOut:
    """Is it the movement (match), score, top cues and every cue, warnings, tempo, repetitions,
    phases, short-lived URLs of the side-by-side video and angle plots, comments; every message
    in the asked language. Only the attempt's student, the reference's instructor and admins
    (others: 404)."""
    view = await service.get_report(
        session, settings, attempt_id, user, lang or normalize_language(accept_language)
    )
    return ReportOut.from_report(
        view.report,
        attempt_id=view.attempt.id,
        student_id=view.attempt.student_id,
        reference=ReportReferenceOut(
            id=view.reference.id,
            name=view.reference.name,
            instructor_id=view.reference.instructor_id,
            joints=list(view.reference.joints or []),
        ),
        overlay_url=view.overlay_url,
        overlay_lang=view.attempt.lang if view.overlay_url else None,
        plots=[PlotOut(joint=p.joint, url=p.url) for p in view.plots],
        urls_expire_at=view.urls_expire_at,
        comments=[CommentOut(**vars(c)) for c in view.comments],
        finished_at=view.attempt.finished_at,
    )


@router.post(
    "/attempts/{attempt_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentOut
)
async def add_comment(
    attempt_id: uuid.UUID, body: CommentCreate, user: VerifiedUser, session: SessionDep
) -> CommentOut:
    """The reference's instructor comments on a student's attempt (shown on the report)."""
    comment = await service.add_comment(session, attempt_id, user, body.body)
    return CommentOut(**vars(comment))


@router.get("/instructor/attempts", response_model=InstructorAttemptPage)
async def list_instructor_attempts(
    user: InstructorUser,
    session: SessionDep,
    reference_id: uuid.UUID | None = None,
    status_filter: Annotated[JobStatus | None, Query(alias="status")] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> InstructorAttemptPage:
    """Students' attempts on your references (newest first), with their status and score."""
    items, next_cursor, students = await service.list_instructor_attempts(
        session, user, reference_id=reference_id, status=status_filter, limit=limit, cursor=cursor
    )
    return InstructorAttemptPage(
        items=[_with_student(a, students.get(a.student_id)) for a in items], next_cursor=next_cursor
    )


def _with_student(attempt: StudioAttempt, student: User | None) -> InstructorAttemptOut:
    base = AttemptOut.model_validate(attempt)
    return InstructorAttemptOut(
        **base.model_dump(),
        student=StudentOut(id=student.id, display_name=student.display_name) if student else None,
    )
