"""The social rules: comments (post, reply, react, delete), comment moderation (reports, the
admin queue, the instructor's pin and hide), video likes and instructor follows with their feed.
The only door to the social tables.

Who may post: a verified account at least SOCIAL_COMMENT_MIN_ACCOUNT_AGE_HOURS old (a throwaway
account cannot spam), able to watch the video (free, bought, rented, subscribed, its owner or an
admin), within SOCIAL_COMMENTS_PER_WINDOW comments per SOCIAL_COMMENT_WINDOW_SECONDS. Anyone may
read the comments of a published video: they are text, never paid media.

Threads are two levels deep: a comment and its replies. A reply to a reply attaches to the same
top-level comment, so no thread grows sideways off the screen.

Reports are weighted like video reports (app.media.moderation.is_trusted_reporter): every report
reaches the moderators; SOCIAL_COMMENT_REPORTS_AUTO_HIDE open reports from trusted reporters
(verified, account old enough) hide the comment until a moderator decides.

Hidden comments: a moderator's hide only a moderator undoes; the instructor's hide the instructor
(or a moderator) undoes. Hidden comments are shown to the video's managers and to their author
(marked hidden); to everyone else they are absent. Every decision goes to the audit log.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.core import ratelimit
from app.core.clock import as_utc, utcnow
from app.core.config import Settings
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.pagination import apply_cursor, page_of
from app.entitlements import service as entitlements
from app.media import catalog
from app.media import schemas as media_schemas
from app.media import service as media_service
from app.media.models import Video, VideoStatus
from app.media.moderation import is_trusted_reporter
from app.notifications import notify
from app.notifications.models import Notification
from app.social import events, schemas
from app.social.models import (
    Comment,
    CommentReaction,
    CommentReport,
    CommentReportReason,
    CommentStatus,
    Course,
    Follow,
    HiddenBy,
    Reaction,
    VideoLike,
)

# --- who may do what ---------------------------------------------------------------------------


async def _published_video(session: AsyncSession, video_id: uuid.UUID) -> media_service.VideoSummary:
    video = await media_service.get_video_summary(session, video_id)
    if video.status != "published":
        raise NotFound("No such video.", code="video_not_found")
    return video


def _is_manager(video: media_service.VideoSummary, user: User | None) -> bool:
    """The video's instructor (while an instructor) or an admin: may pin and hide its comments."""
    if user is None:
        return False
    return user.role == Role.admin or (user.role == Role.instructor and user.id == video.owner_id)


async def _refusal(
    session: AsyncSession, settings: Settings, user: User | None, video: media_service.VideoSummary
) -> PermissionDenied | None:
    """Why `user` may not post on `video` (None: they may)."""
    if user is None:
        return PermissionDenied("Log in to comment.", code="not_authenticated")
    if user.email_verified_at is None:
        return PermissionDenied("Confirm your email address before commenting.", code="email_not_verified")
    min_age = timedelta(hours=settings.social_comment_min_account_age_hours)
    if user.role == Role.student and as_utc(user.created_at) > utcnow() - min_age:
        return PermissionDenied(
            "New accounts can comment after a little while. Try again later.", code="account_too_new"
        )
    decision = await entitlements.may_play(
        session,
        user=user,
        video=entitlements.PlayableVideo.of(video),
        start_playback=False,
    )
    if not decision.allowed:
        return PermissionDenied(
            "Only people who can watch this video may comment on it.", code="comment_not_entitled"
        )
    return None


# --- reading threads ---------------------------------------------------------------------------


async def _names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    users = await session.run_sync(auth_service.get_users, list(ids))
    return {uid: u.display_name for uid, u in users.items()}


async def _reactions(
    session: AsyncSession, comment_ids: list[uuid.UUID], viewer: User | None
) -> tuple[dict[uuid.UUID, dict[str, int]], dict[uuid.UUID, list[str]]]:
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    mine: dict[uuid.UUID, list[str]] = defaultdict(list)
    if not comment_ids:
        return counts, mine
    rows = await session.execute(
        select(CommentReaction.comment_id, CommentReaction.kind, func.count())
        .where(CommentReaction.comment_id.in_(comment_ids))
        .group_by(CommentReaction.comment_id, CommentReaction.kind)
    )
    for comment_id, kind, count in rows:
        counts[comment_id][Reaction(kind).value] = int(count)
    if viewer is not None:
        own = await session.execute(
            select(CommentReaction.comment_id, CommentReaction.kind).where(
                CommentReaction.comment_id.in_(comment_ids), CommentReaction.user_id == viewer.id
            )
        )
        for comment_id, kind in own:
            mine[comment_id].append(Reaction(kind).value)
    return counts, mine


def _readable(comment: Comment, viewer: User | None, manager: bool) -> bool:
    """May the viewer read the comment's text?"""
    if comment.status == CommentStatus.visible:
        return True
    if comment.status == CommentStatus.hidden:
        return manager or (viewer is not None and viewer.id == comment.author_id)
    return False


async def _to_out(
    session: AsyncSession,
    comments: list[Comment],
    *,
    video_owner_id: uuid.UUID,
    viewer: User | None,
    manager: bool,
) -> list[schemas.VideoCommentOut]:
    names = await _names(session, {c.author_id for c in comments if c.author_id})
    counts, mine = await _reactions(session, [c.id for c in comments], viewer)
    out = []
    for c in comments:
        readable = _readable(c, viewer, manager)
        see_reason = manager or (viewer is not None and viewer.id == c.author_id)
        out.append(
            schemas.VideoCommentOut(
                id=c.id,
                video_id=c.video_id,
                parent_id=c.parent_id,
                author_id=c.author_id if c.status != CommentStatus.deleted else None,
                author_name=names.get(c.author_id)
                if c.author_id and c.status != CommentStatus.deleted
                else None,
                is_instructor=c.author_id == video_owner_id,
                body=c.body if readable else "",
                status=c.status.value,
                hidden_by=c.hidden_by.value if c.hidden_by and see_reason else None,
                hidden_reason=c.hidden_reason if see_reason else None,
                pinned=c.pinned_at is not None,
                reactions=counts.get(c.id, {}),
                my_reactions=sorted(mine.get(c.id, [])),
                created_at=c.created_at,
            )
        )
    return out


def _shown(comment: Comment, viewer: User | None, manager: bool, has_replies: bool) -> bool:
    """Listed at all? Hidden ones to those who may read them; deleted ones only as the head of a
    thread that still has replies (a placeholder keeps the replies in context)."""
    if comment.status == CommentStatus.deleted:
        return has_replies
    return _readable(comment, viewer, manager)


async def list_comments(
    session: AsyncSession,
    settings: Settings,
    *,
    video_id: uuid.UUID,
    viewer: User | None,
    limit: int,
    cursor: str | None,
) -> schemas.VideoCommentPage:
    """Top-level comments newest first (the pinned one heads the first page), each with its
    replies oldest first."""
    video = await _published_video(session, video_id)
    manager = _is_manager(video, viewer)
    top = select(Comment).where(Comment.video_id == video_id, Comment.parent_id.is_(None))
    rows = list((await session.scalars(apply_cursor(top, Comment.id, limit=limit, cursor=cursor))).all())
    roots, next_cursor = page_of(rows, limit)
    if cursor is None:
        pinned = await session.scalar(
            select(Comment).where(
                Comment.video_id == video_id,
                Comment.parent_id.is_(None),
                Comment.pinned_at.is_not(None),
                Comment.status == CommentStatus.visible,
            )
        )
        if pinned is not None:
            roots = [pinned] + [c for c in roots if c.id != pinned.id]
    root_ids = [c.id for c in roots]
    replies: dict[uuid.UUID, list[Comment]] = defaultdict(list)
    if root_ids:
        reply_rows = await session.scalars(
            select(Comment).where(Comment.parent_id.in_(root_ids)).order_by(Comment.id)
        )
        for reply in reply_rows:
            if reply.parent_id is not None and _shown(reply, viewer, manager, has_replies=False):
                replies[reply.parent_id].append(reply)
    shown_roots = [c for c in roots if _shown(c, viewer, manager, has_replies=bool(replies.get(c.id)))]
    everything = shown_roots + [r for c in shown_roots for r in replies.get(c.id, [])]
    outs = {
        o.id: o
        for o in await _to_out(
            session, everything, video_owner_id=video.owner_id, viewer=viewer, manager=manager
        )
    }
    items = []
    for c in shown_roots:
        head = outs[c.id]
        head.replies = [outs[r.id] for r in replies.get(c.id, [])]
        items.append(head)
    refusal = await _refusal(session, settings, viewer, video)
    return schemas.VideoCommentPage(
        items=items,
        next_cursor=next_cursor,
        can_post=refusal is None,
        cannot_post_reason=refusal.code if refusal else None,
        can_moderate=manager,
    )


# --- writing -----------------------------------------------------------------------------------


async def _load(session: AsyncSession, comment_id: uuid.UUID, *, for_update: bool = False) -> Comment:
    stmt = select(Comment).where(Comment.id == comment_id)
    if for_update:
        stmt = stmt.with_for_update()
    comment = await session.scalar(stmt)
    if comment is None:
        raise NotFound("No such comment.", code="comment_not_found")
    return comment


async def post_comment(
    session: AsyncSession,
    settings: Settings,
    *,
    user: User,
    video_id: uuid.UUID,
    body: str,
    parent_id: uuid.UUID | None,
) -> schemas.VideoCommentOut:
    video = await _published_video(session, video_id)
    refusal = await _refusal(session, settings, user, video)
    if refusal is not None:
        raise refusal
    text = body.strip()
    if not text:
        raise ValidationFailed("Write something first.", code="comment_empty")
    if len(text) > settings.social_comment_max_chars:
        raise ValidationFailed(
            f"A comment may be at most {settings.social_comment_max_chars} characters.",
            code="comment_too_long",
        )
    await ratelimit.limit(
        "social:comment",
        str(user.id),
        settings.social_comments_per_window,
        settings.social_comment_window_seconds,
    )
    parent: Comment | None = None
    if parent_id is not None:
        parent = await _load(session, parent_id)
        if parent.video_id != video_id:
            raise NotFound("No such comment.", code="comment_not_found")
        if parent.parent_id is not None:  # two levels: attach to the thread's head
            parent = await _load(session, parent.parent_id)
        if parent.status != CommentStatus.visible:
            raise Conflict("This comment no longer takes replies.", code="comment_closed")
    comment = Comment(
        video_id=video_id, author_id=user.id, parent_id=parent.id if parent else None, body=text
    )
    session.add(comment)
    await session.flush()
    comment_id, title, author_id, owner_id = comment.id, video.title, user.id, video.owner_id
    if parent is None:
        if owner_id != author_id:
            await session.run_sync(
                lambda s: events.comment_created(
                    s,
                    comment_id=comment_id,
                    video_id=video_id,
                    video_title=title,
                    author_id=author_id,
                    recipient_id=owner_id,
                )
            )
    elif parent.author_id is not None and parent.author_id != user.id:
        parent_id_, recipient_id = parent.id, parent.author_id
        await session.run_sync(
            lambda s: events.comment_reply(
                s,
                comment_id=comment_id,
                parent_id=parent_id_,
                video_id=video_id,
                video_title=title,
                author_id=author_id,
                recipient_id=recipient_id,
            )
        )
    await session.commit()
    [out] = await _to_out(
        session, [comment], video_owner_id=video.owner_id, viewer=user, manager=_is_manager(video, user)
    )
    return out


async def delete_comment(session: AsyncSession, *, user: User, comment_id: uuid.UUID) -> None:
    """The author removes their own comment: its text goes, its replies stay."""
    comment = await _load(session, comment_id, for_update=True)
    if comment.author_id != user.id:
        raise PermissionDenied("Only its author may delete a comment.", code="not_comment_author")
    comment.status = CommentStatus.deleted
    comment.body = ""
    comment.pinned_at = None
    await session.commit()


async def react(
    session: AsyncSession, *, user: User, comment_id: uuid.UUID, kind: Reaction, on: bool
) -> dict[str, int]:
    """Add (`on`) or remove one of the user's reactions; idempotent. Returns the comment's counts."""
    comment = await _load(session, comment_id)
    if comment.status != CommentStatus.visible:
        raise NotFound("No such comment.", code="comment_not_found")
    await _published_video(session, comment.video_id)
    if on:
        exists = await session.scalar(
            select(CommentReaction.id).where(
                CommentReaction.comment_id == comment_id,
                CommentReaction.user_id == user.id,
                CommentReaction.kind == kind,
            )
        )
        if exists is None:
            await _insert_once(session, CommentReaction(comment_id=comment_id, user_id=user.id, kind=kind))
    else:
        await session.execute(
            delete(CommentReaction).where(
                CommentReaction.comment_id == comment_id,
                CommentReaction.user_id == user.id,
                CommentReaction.kind == kind,
            )
        )
        await session.commit()
    counts, _ = await _reactions(session, [comment_id], None)
    return counts.get(comment_id, {})


async def _insert_once(session: AsyncSession, row: VideoLike | Follow | CommentReaction) -> None:
    """Insert and commit a row a unique constraint keeps single; when it is already there (say,
    two taps at once) nothing changes. A savepoint, so the session's objects stay loaded."""
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass
    await session.commit()


# --- moderation --------------------------------------------------------------------------------


async def report_comment(
    session: AsyncSession,
    settings: Settings,
    *,
    user: User,
    comment_id: uuid.UUID,
    reason: CommentReportReason,
    details: str,
) -> None:
    await ratelimit.limit("social:report", str(user.id), settings.social_reports_per_hour, 3600)
    comment = await _load(session, comment_id, for_update=True)
    if comment.status == CommentStatus.deleted:
        raise NotFound("No such comment.", code="comment_not_found")
    if comment.author_id == user.id:
        raise Conflict("You cannot report your own comment.", code="own_comment")
    trusted = is_trusted_reporter(settings, user)
    session.add(
        CommentReport(
            comment_id=comment.id,
            reporter_id=user.id,
            reason=reason,
            details=details.strip(),
            trusted=trusted,
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("You have already reported this comment.", code="already_reported") from exc
    comment.open_report_count += 1
    threshold = settings.social_comment_reports_auto_hide
    if trusted and threshold > 0 and comment.status == CommentStatus.visible:
        trusted_open = await session.scalar(
            select(func.count())
            .select_from(CommentReport)
            .where(
                CommentReport.comment_id == comment.id,
                CommentReport.resolved_at.is_(None),
                CommentReport.trusted.is_(True),
            )
        )
        if int(trusted_open or 0) >= threshold:
            # Like videos: enough trusted reports hide it until a moderator decides (it stays
            # in the queue with its reports; "restore" brings it back).
            comment.status = CommentStatus.hidden
            comment.hidden_by = HiddenBy.moderator
            comment.hidden_reason = None
            comment.pinned_at = None
            record(
                session,
                actor_id=None,
                action="social.comment.auto_hide",
                subject_type="comment",
                subject_id=comment.id,
                reason=f"{trusted_open} trusted reports",
                data={"video_id": str(comment.video_id), "open_reports": comment.open_report_count},
            )
    await session.commit()


async def review_queue(
    session: AsyncSession, *, state: str, limit: int, cursor: str | None
) -> schemas.ReportedCommentPage:
    """Oldest first. `reported`: comments with open reports; `hidden`: comments hidden by
    anyone (a moderator may restore them)."""
    stmt = select(Comment)
    if state == "hidden":
        stmt = stmt.where(Comment.status == CommentStatus.hidden)
    else:
        stmt = stmt.where(Comment.open_report_count > 0, Comment.status != CommentStatus.deleted)
    rows = (
        await session.scalars(apply_cursor(stmt, Comment.id, limit=limit, cursor=cursor, newest_first=False))
    ).all()
    comments, next_cursor = page_of(rows, limit)
    owners: dict[uuid.UUID, uuid.UUID] = {}
    for c in comments:
        if c.video_id not in owners:
            owners[c.video_id] = (await media_service.get_video_summary(session, c.video_id)).owner_id
    reports: dict[uuid.UUID, list[CommentReport]] = defaultdict(list)
    if comments:
        for r in await session.scalars(
            select(CommentReport)
            .where(
                CommentReport.comment_id.in_([c.id for c in comments]), CommentReport.resolved_at.is_(None)
            )
            .order_by(CommentReport.id)
        ):
            reports[r.comment_id].append(r)
    items = []
    for c in comments:
        [out] = await _to_out(session, [c], video_owner_id=owners[c.video_id], viewer=None, manager=True)
        items.append(
            schemas.ReportedCommentOut(
                comment=out,
                reports=[
                    schemas.CommentReportOut(
                        reason=r.reason.value, details=r.details, created_at=r.created_at
                    )
                    for r in reports[c.id]
                ],
            )
        )
    return schemas.ReportedCommentPage(items=items, next_cursor=next_cursor)


async def _resolve_reports(session: AsyncSession, comment: Comment, admin: User, resolution: str) -> int:
    result = await session.execute(
        update(CommentReport)
        .where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by=admin.id, resolution=resolution)
    )
    comment.open_report_count = 0
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def moderate(
    session: AsyncSession, *, admin: User, comment_id: uuid.UUID, action: str, reason: str
) -> None:
    """An admin's decision on a comment: `hide` (reports upheld), `restore` (a hidden comment
    back; open reports dismissed) or `dismiss` (reports dismissed, the comment stays)."""
    comment = await _load(session, comment_id, for_update=True)
    if comment.status == CommentStatus.deleted:
        raise Conflict("This comment was deleted.", code="comment_deleted")
    if action == "hide":
        resolved = await _resolve_reports(session, comment, admin, "upheld")
        comment.status = CommentStatus.hidden
        comment.hidden_by = HiddenBy.moderator
        comment.hidden_reason = reason
        comment.pinned_at = None
    elif action == "restore":
        if comment.status != CommentStatus.hidden:
            raise Conflict("This comment is not hidden.", code="comment_not_hidden")
        resolved = await _resolve_reports(session, comment, admin, "dismissed")
        comment.status = CommentStatus.visible
        comment.hidden_by = None
        comment.hidden_reason = None
    elif action == "dismiss":
        resolved = await _resolve_reports(session, comment, admin, "dismissed")
    else:
        raise ValidationFailed("Unknown action.", code="invalid_action")
    record(
        session,
        actor_id=admin.id,
        action=f"social.comment.{action}",
        subject_type="comment",
        subject_id=comment.id,
        reason=reason,
        data={"video_id": str(comment.video_id), "reports_resolved": resolved},
    )
    await session.commit()


async def _managed(
    session: AsyncSession, user: User, comment_id: uuid.UUID, *, lock_thread_heads: bool = False
) -> Comment:
    """The comment, locked, if `user` manages its video. `lock_thread_heads`: first lock every
    top-level comment of the video, in id order, so two pins at once on one video take turns
    (and cannot deadlock) and exactly one comment ends up pinned."""
    if lock_thread_heads:
        video_id = await session.scalar(select(Comment.video_id).where(Comment.id == comment_id))
        if video_id is None:
            raise NotFound("No such comment.", code="comment_not_found")
        await session.execute(
            select(Comment.id)
            .where(Comment.video_id == video_id, Comment.parent_id.is_(None))
            .order_by(Comment.id)
            .with_for_update()
        )
    comment = await _load(session, comment_id, for_update=True)
    video = await media_service.get_video_summary(session, comment.video_id)
    if not _is_manager(video, user):
        raise PermissionDenied("Only the video's instructor may do this.", code="not_video_owner")
    if comment.status == CommentStatus.deleted:
        raise Conflict("This comment was deleted.", code="comment_deleted")
    return comment


async def set_pinned(session: AsyncSession, *, user: User, comment_id: uuid.UUID, pinned: bool) -> None:
    """The instructor pins one top-level comment per video (pinning another unpins the first)."""
    comment = await _managed(session, user, comment_id, lock_thread_heads=pinned)
    if pinned:
        if comment.parent_id is not None:
            raise Conflict("Only a top-level comment can be pinned.", code="reply_not_pinnable")
        if comment.status != CommentStatus.visible:
            raise Conflict("A hidden comment cannot be pinned.", code="comment_not_visible")
        await session.execute(
            update(Comment)
            .where(
                Comment.video_id == comment.video_id, Comment.pinned_at.is_not(None), Comment.id != comment.id
            )
            .values(pinned_at=None)
        )
        comment.pinned_at = utcnow()
    else:
        comment.pinned_at = None
    record(
        session,
        actor_id=user.id,
        action="social.comment.pin" if pinned else "social.comment.unpin",
        subject_type="comment",
        subject_id=comment.id,
        data={"video_id": str(comment.video_id)},
    )
    await session.commit()


async def set_hidden_by_instructor(
    session: AsyncSession, *, user: User, comment_id: uuid.UUID, hidden: bool, reason: str | None
) -> None:
    """The instructor hides a comment on their own video, or shows again one they hid (a
    moderator's hide is the moderators' to undo)."""
    comment = await _managed(session, user, comment_id)
    if hidden:
        if comment.status == CommentStatus.hidden:
            return
        comment.status = CommentStatus.hidden
        comment.hidden_by = HiddenBy.instructor
        comment.hidden_reason = reason
        comment.pinned_at = None
    else:
        if comment.status != CommentStatus.hidden:
            return
        if comment.hidden_by == HiddenBy.moderator and user.role != Role.admin:
            raise PermissionDenied("A moderator hid this comment.", code="hidden_by_moderator")
        comment.status = CommentStatus.visible
        comment.hidden_by = None
        comment.hidden_reason = None
    record(
        session,
        actor_id=user.id,
        action="social.comment.instructor_hide" if hidden else "social.comment.instructor_unhide",
        subject_type="comment",
        subject_id=comment.id,
        reason=reason,
        data={"video_id": str(comment.video_id)},
    )
    await session.commit()


# --- likes -------------------------------------------------------------------------------------


async def likes(session: AsyncSession, *, video_id: uuid.UUID, viewer: User | None) -> schemas.LikesOut:
    await _published_video(session, video_id)
    count = await session.scalar(
        select(func.count()).select_from(VideoLike).where(VideoLike.video_id == video_id)
    )
    liked = False
    if viewer is not None:
        liked = (
            await session.scalar(
                select(VideoLike.id).where(VideoLike.video_id == video_id, VideoLike.user_id == viewer.id)
            )
        ) is not None
    return schemas.LikesOut(count=int(count or 0), liked=liked)


async def set_like(
    session: AsyncSession, *, user: User, video_id: uuid.UUID, liked: bool
) -> schemas.LikesOut:
    """Idempotent: liking twice counts once."""
    await _published_video(session, video_id)
    if liked:
        await _insert_once(session, VideoLike(video_id=video_id, user_id=user.id))
    else:
        await session.execute(
            delete(VideoLike).where(VideoLike.video_id == video_id, VideoLike.user_id == user.id)
        )
        await session.commit()
    return await likes(session, video_id=video_id, viewer=user)


# --- follows and the feed ----------------------------------------------------------------------


async def _instructor(session: AsyncSession, instructor_id: uuid.UUID) -> User:
    try:
        instructor = await auth_service.get_user(session, instructor_id)
    except NotFound:
        raise NotFound("No such instructor.", code="instructor_not_found") from None
    if instructor.role == Role.student or not instructor.is_active:
        raise NotFound("No such instructor.", code="instructor_not_found")
    return instructor


async def follow_state(
    session: AsyncSession, *, instructor_id: uuid.UUID, viewer: User | None
) -> schemas.FollowOut:
    await _instructor(session, instructor_id)
    count = await session.scalar(
        select(func.count()).select_from(Follow).where(Follow.instructor_id == instructor_id)
    )
    following = False
    if viewer is not None:
        following = (
            await session.scalar(
                select(Follow.id).where(
                    Follow.instructor_id == instructor_id, Follow.follower_id == viewer.id
                )
            )
        ) is not None
    return schemas.FollowOut(followers=int(count or 0), following=following)


async def set_follow(
    session: AsyncSession, *, user: User, instructor_id: uuid.UUID, follow: bool
) -> schemas.FollowOut:
    await _instructor(session, instructor_id)
    if follow:
        if instructor_id == user.id:
            raise Conflict("You cannot follow yourself.", code="follow_self")
        await _insert_once(session, Follow(follower_id=user.id, instructor_id=instructor_id))
    else:
        await session.execute(
            delete(Follow).where(Follow.follower_id == user.id, Follow.instructor_id == instructor_id)
        )
        await session.commit()
    return await follow_state(session, instructor_id=instructor_id, viewer=user)


async def feed(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None
) -> media_schemas.VideoPage:
    """The followed instructors' published videos, newest published first."""
    followed = (
        await session.scalars(select(Follow.instructor_id).where(Follow.follower_id == user.id))
    ).all()
    if not followed:
        return media_schemas.VideoPage(items=[], next_cursor=None)
    return await catalog.query_page(
        session, catalog.CatalogQuery(instructor_ids=tuple(followed), limit=limit, cursor=cursor)
    )


def notify_followers(
    session: Session, video_id: uuid.UUID, *, after: uuid.UUID | None, batch: int
) -> uuid.UUID | None:
    """One batch of the "new video" fan-out (worker): the instructor's followers whose Follow id
    comes after `after`, in id order. A follower already told about this video is skipped, so a
    redelivered batch tells nobody twice. Returns the cursor of the next batch, or None when done."""
    video = session.get(Video, video_id)
    if video is None or video.status != VideoStatus.published:
        return None
    query = select(Follow.id, Follow.follower_id).where(Follow.instructor_id == video.owner_id)
    if after is not None:
        query = query.where(Follow.id > after)
    rows = session.execute(query.order_by(Follow.id).limit(batch)).tuples().all()
    link = f"/videos/{video_id}"
    told = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.kind == events.NEW_VIDEO.name,
                Notification.link == link,
                Notification.user_id.in_([follower for _, follower in rows]),
            )
        )
    )
    instructor = session.get(User, video.owner_id)
    params = {"instructor": instructor.display_name if instructor else "", "title": video.title}
    for _, follower in rows:
        if follower not in told:
            notify(session, user_id=follower, kind=events.NEW_VIDEO.name, params=params, link=link)
    return rows[-1][0] if len(rows) == batch else None


# --- user data rights (#17 "Your data") -------------------------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    comments = session.scalars(select(Comment).where(Comment.author_id == user_id).order_by(Comment.id))
    reactions = session.scalars(select(CommentReaction).where(CommentReaction.user_id == user_id))
    reports = session.scalars(select(CommentReport).where(CommentReport.reporter_id == user_id))
    liked = session.scalars(select(VideoLike).where(VideoLike.user_id == user_id))
    follows = session.scalars(select(Follow).where(Follow.follower_id == user_id))
    courses = session.scalars(select(Course).where(Course.owner_id == user_id))
    return {
        "comments": [
            {
                "id": str(c.id),
                "video_id": str(c.video_id),
                "parent_id": str(c.parent_id) if c.parent_id else None,
                "body": c.body,
                "status": c.status.value,
                "created_at": as_utc(c.created_at).isoformat(),
            }
            for c in comments
        ],
        "reactions": [
            {
                "comment_id": str(r.comment_id),
                "kind": r.kind.value,
                "created_at": as_utc(r.created_at).isoformat(),
            }
            for r in reactions
        ],
        "comment_reports": [
            {
                "comment_id": str(r.comment_id),
                "reason": r.reason.value,
                "details": r.details,
                "created_at": as_utc(r.created_at).isoformat(),
            }
            for r in reports
        ],
        "liked_videos": [
            {"video_id": str(v.video_id), "created_at": as_utc(v.created_at).isoformat()} for v in liked
        ],
        "following": [
            {"instructor_id": str(f.instructor_id), "created_at": as_utc(f.created_at).isoformat()}
            for f in follows
        ],
        "courses": [{"id": str(c.id), "title": c.title, "description": c.description} for c in courses],
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Comments lose their text and author (replies by others stay in their thread); reactions,
        likes and follows (both ways) go; reports keep their reason for the moderators' record but
        lose their reporter and free text; an instructor's courses go (their videos are media's).
    Does not commit."""
    session.execute(
        update(Comment)
        .where(Comment.author_id == user_id)
        .values(status=CommentStatus.deleted, body="", author_id=None, pinned_at=None, hidden_reason=None)
    )
    session.execute(delete(CommentReaction).where(CommentReaction.user_id == user_id))
    session.execute(delete(VideoLike).where(VideoLike.user_id == user_id))
    session.execute(delete(Follow).where((Follow.follower_id == user_id) | (Follow.instructor_id == user_id)))
    session.execute(
        update(CommentReport).where(CommentReport.reporter_id == user_id).values(reporter_id=None, details="")
    )
    session.execute(delete(Course).where(Course.owner_id == user_id))
