"""Moderation: the review queue, approve/reject (each decision in the audit log), pending edits
of published videos, user reports and the auto-hide.

Reports are weighted: a report from a verified account at least MEDIA_REPORT_TRUSTED_AFTER_HOURS
old is "trusted". Every report reaches the moderators, but only trusted ones count toward
MEDIA_REPORTS_AUTO_HIDE: fresh or unverified accounts cannot hide a video on their own."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import Conflict, NotFound
from app.core.pagination import apply_cursor, page_of
from app.media.models import ReportReason, ReviewNote, Video, VideoReport, VideoStatus
from app.media.service import _load, apply_pending_edit, drop_pending_edit, invalidate_catalog, transition
from app.notifications.service import notify
from app.social import events as social_events
from app.webhooks import service as webhooks


async def review_queue(
    session: AsyncSession, *, limit: int, cursor: str | None, include_reported: bool = True
) -> tuple[list[Video], str | None]:
    """Oldest first: videos waiting for review, published videos with an edit waiting for review,
    and (unless `include_reported` is false) published videos with open reports."""
    live = Video.status == VideoStatus.published
    condition = or_(Video.status == VideoStatus.in_review, live & Video.pending_edit_at.is_not(None))
    if include_reported:
        condition = or_(condition, live & (Video.open_report_count > 0))
    stmt = select(Video).where(condition)
    rows = (
        await session.scalars(apply_cursor(stmt, Video.id, limit=limit, cursor=cursor, newest_first=False))
    ).all()
    return page_of(rows, limit)


async def _resolve_reports(session: AsyncSession, video_id: uuid.UUID, admin: User, resolution: str) -> int:
    result = await session.execute(
        update(VideoReport)
        .where(VideoReport.video_id == video_id, VideoReport.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by=admin.id, resolution=resolution)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def approve(session: AsyncSession, admin: User, video_id: uuid.UUID, note: str | None) -> Video:
    video = await _load(session, video_id, for_update=True)
    if video.status not in (VideoStatus.in_review, VideoStatus.published) or not video.media_prefix:
        raise Conflict(f"A video that is {video.status.value} cannot be approved.", code="invalid_status")
    dismissed = await _resolve_reports(session, video.id, admin, "dismissed")
    if video.status != VideoStatus.published:
        transition(session, video, VideoStatus.published, actor_id=admin.id, reason=note)
        video.published_at = video.published_at or utcnow()
        from app.knowledge.service import video_published  # extraction is queued after the commit

        await video_published(session, video_id=video.id, owner_id=video.owner_id)
        await _announce(session, video, "video_approved")
    video.open_report_count = 0
    video.trusted_report_count = 0
    video.review_note = None
    video.rejection_reason = None
    record(
        session,
        actor_id=admin.id,
        action="media.video.approve",
        subject_type="video",
        subject_id=video.id,
        reason=note,
        data={"reports_dismissed": dismissed},
    )
    await session.commit()
    await invalidate_catalog()
    return video


async def reject(session: AsyncSession, admin: User, video_id: uuid.UUID, reason: str) -> Video:
    video = await _load(session, video_id, for_update=True)
    if video.status not in (VideoStatus.in_review, VideoStatus.published):
        raise Conflict(f"A video that is {video.status.value} cannot be rejected.", code="invalid_status")
    was_published = video.status == VideoStatus.published
    upheld = await _resolve_reports(session, video.id, admin, "upheld")
    transition(session, video, VideoStatus.rejected, actor_id=admin.id, reason=reason)
    video.rejection_reason = reason
    await _announce(session, video, "video_rejected", reason=reason)
    video.open_report_count = 0
    video.trusted_report_count = 0
    video.review_note = None
    record(
        session,
        actor_id=admin.id,
        action="media.video.reject",
        subject_type="video",
        subject_id=video.id,
        reason=reason,
        data={"reports_upheld": upheld, "was_published": was_published},
    )
    await session.commit()
    await invalidate_catalog()
    return video


async def _announce(session: AsyncSession, video: Video, kind: str, **params: str) -> None:
    """Issue 17: the owner is notified of the decision, in the decision's transaction; a first
    publication also goes to the webhooks (`video.published`) and to the owner's followers."""
    owner_id, video_id = video.owner_id, video.id
    texts = {"title": video.title, **params}
    data = {"video_id": str(video_id), "title": video.title, "published_at": str(video.published_at)}

    def tell(s: Session) -> None:
        notify(s, user_id=owner_id, kind=kind, params=texts, link=f"/studio/videos/{video_id}")
        if kind == "video_approved":
            webhooks.emit(s, event_type="video.published", owner_id=owner_id, data=data)
            social_events.video_published(s, video_id=video_id)

    await session.run_sync(tell)


def is_trusted_reporter(settings: Settings, user: User) -> bool:
    """Verified, and the account is old enough: a throwaway account is neither."""
    if user.email_verified_at is None:
        return False
    return user.created_at <= utcnow() - timedelta(hours=settings.media_report_trusted_after_hours)


async def report(
    session: AsyncSession,
    settings: Settings,
    user: User,
    video_id: uuid.UUID,
    reason: ReportReason,
    details: str,
) -> VideoReport:
    video = await _load(session, video_id, for_update=True)
    if video.status != VideoStatus.published:
        raise NotFound("No such video.", code="video_not_found")
    trusted = is_trusted_reporter(settings, user)
    row = VideoReport(
        video_id=video.id, reporter_id=user.id, reason=reason, details=details.strip(), trusted=trusted
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("You have already reported this video.", code="already_reported") from exc
    video.open_report_count += 1
    video.trusted_report_count += int(trusted)
    threshold = settings.media_reports_auto_hide
    hidden = threshold > 0 and video.trusted_report_count >= threshold
    if hidden:
        video.review_note = ReviewNote.auto_hidden.value
        transition(
            session,
            video,
            VideoStatus.in_review,
            actor_id=None,
            reason=f"auto-hidden after {video.trusted_report_count} trusted reports",
        )
        record(
            session,
            actor_id=None,
            action="media.video.auto_hide",
            subject_type="video",
            subject_id=video.id,
            reason=f"{video.trusted_report_count} trusted reports",
            data={"open_reports": video.open_report_count, "trusted_reports": video.trusted_report_count},
        )
    await session.commit()
    if hidden:
        await invalidate_catalog()
    return row


async def _with_pending_edit(session: AsyncSession, video_id: uuid.UUID) -> Video:
    video = await _load(session, video_id, for_update=True)
    if video.status != VideoStatus.published or not video.pending_edit:
        raise Conflict("This video has no edit waiting for review.", code="no_pending_edit")
    return video


async def approve_edit(session: AsyncSession, admin: User, video_id: uuid.UUID, note: str | None) -> Video:
    """The pending edit goes live."""
    video = await _with_pending_edit(session, video_id)
    changed = apply_pending_edit(video)
    video.edit_rejection_reason = None
    record(
        session,
        actor_id=admin.id,
        action="media.video.edit_approve",
        subject_type="video",
        subject_id=video.id,
        reason=note,
        data={"changed": changed},
    )
    await session.commit()
    await invalidate_catalog()
    return video


async def reject_edit(session: AsyncSession, admin: User, video_id: uuid.UUID, reason: str) -> Video:
    """The pending edit is dropped; the published version stays as it is."""
    video = await _with_pending_edit(session, video_id)
    changed = drop_pending_edit(video)
    video.edit_rejection_reason = reason
    record(
        session,
        actor_id=admin.id,
        action="media.video.edit_reject",
        subject_type="video",
        subject_id=video.id,
        reason=reason,
        data={"changed": changed},
    )
    await session.commit()
    return video


async def list_reports(session: AsyncSession, video_id: uuid.UUID) -> list[VideoReport]:
    rows = await session.scalars(
        select(VideoReport).where(VideoReport.video_id == video_id).order_by(VideoReport.id)
    )
    return list(rows)


REPORT_OUTCOMES = ("dismissed", "resolved")


async def close_report(
    session: AsyncSession, admin: User, report_id: uuid.UUID, outcome: str, reason: str
) -> VideoReport:
    """One report, without deciding on the whole video: "dismissed" (unfounded) or "resolved"
    (founded and dealt with), with the moderator's reason; audited. The video's open counts drop."""
    if outcome not in REPORT_OUTCOMES:
        raise ValueError(outcome)
    row = await session.scalar(select(VideoReport).where(VideoReport.id == report_id).with_for_update())
    if row is None:
        raise NotFound("No such report.", code="report_not_found")
    if row.resolved_at is not None:
        raise Conflict("This report was already closed.", code="report_closed")
    video = await _load(session, row.video_id, for_update=True)
    row.resolved_at = utcnow()
    row.resolved_by = admin.id
    row.resolution = outcome
    row.resolution_note = reason
    video.open_report_count = max(0, video.open_report_count - 1)
    video.trusted_report_count = max(0, video.trusted_report_count - int(row.trusted))
    record(
        session,
        actor_id=admin.id,
        action="media.report.dismiss" if outcome == "dismissed" else "media.report.resolve",
        subject_type="video",
        subject_id=video.id,
        reason=reason,
        data={"report_id": str(row.id), "report_reason": row.reason.value},
    )
    await session.commit()
    return row
