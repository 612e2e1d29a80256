"""The social domain's events, as plain function hooks (issue 17).

Each hook logs and notifies the recipient (kinds "comment" and "comment_reply"). They are
called, through `session.run_sync`, inside the transaction that stores the comment, before its
commit, so the notification joins that transaction; a rollback drops both.

- `comment_created`: "comment.created" — a new top-level comment on a video; the video's
  instructor is the one to tell (never when they wrote it themselves).
- `comment_reply`: "comment.reply" — a reply to a comment; the parent's author is the one to
  tell (never when they reply to themselves, nor when the author's account is gone).
- `video_published`: media moderation published a video for the first time; its instructor's
  followers are told (kind "new_video", email off by default) by a task fanning out in batches
  (app/social/tasks.py), queued when the publication commits.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.orm import Session

from app.auth.models import User
from app.notifications import Kind, notify, register_kind
from app.worker.dispatch import enqueue_after_commit

log = structlog.get_logger("app.social.events")

COMMENT = register_kind(Kind("comment"))
COMMENT_REPLY = register_kind(Kind("comment_reply"))
NEW_VIDEO = register_kind(Kind("new_video", email=False))
NOTIFY_FOLLOWERS_TASK = "default.social.notify_followers"


def _name(session: Session, user_id: uuid.UUID) -> str:
    author = session.get(User, user_id)
    return author.display_name if author is not None else ""


def comment_created(
    session: Session,
    *,
    comment_id: uuid.UUID,
    video_id: uuid.UUID,
    video_title: str,
    author_id: uuid.UUID,
    recipient_id: uuid.UUID,
) -> None:
    """ "comment.created": tell `recipient_id` (the video's instructor)."""
    log.info(
        "comment.created",
        comment_id=str(comment_id),
        video_id=str(video_id),
        author_id=str(author_id),
        recipient_id=str(recipient_id),
    )
    params = {"author": _name(session, author_id), "title": video_title}
    notify(session, user_id=recipient_id, kind=COMMENT.name, params=params, link=f"/videos/{video_id}")


def comment_reply(
    session: Session,
    *,
    comment_id: uuid.UUID,
    parent_id: uuid.UUID,
    video_id: uuid.UUID,
    video_title: str,
    author_id: uuid.UUID,
    recipient_id: uuid.UUID,
) -> None:
    """ "comment.reply": tell `recipient_id` (the parent comment's author)."""
    log.info(
        "comment.reply",
        comment_id=str(comment_id),
        parent_id=str(parent_id),
        video_id=str(video_id),
        author_id=str(author_id),
        recipient_id=str(recipient_id),
    )
    params = {"author": _name(session, author_id), "title": video_title}
    notify(session, user_id=recipient_id, kind=COMMENT_REPLY.name, params=params, link=f"/videos/{video_id}")


def video_published(session: Session, *, video_id: uuid.UUID) -> None:
    """A video is published for the first time: queue the followers' fan-out after the commit."""
    enqueue_after_commit(session, NOTIFY_FOLLOWERS_TASK, str(video_id))
