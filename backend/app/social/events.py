"""The social domain's events, as plain function hooks (issue 17).

Other domains (notifications first) will be wired here with one line each; until then each
hook only logs. They are called inside the transaction that stores the comment, before its
commit, so a hook may add rows of its own to the same transaction (e.g. a notification); a
rollback drops both.

- `comment_created`: "comment.created" — a new top-level comment on a video; the video's
  instructor is the one to tell (never when they wrote it themselves).
- `comment_reply`: "comment.reply" — a reply to a comment; the parent's author is the one to
  tell (never when they reply to themselves, nor when the author's account is gone).
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog

log = structlog.get_logger("app.social.events")


def comment_created(
    session: Any,
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


def comment_reply(
    session: Any,
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
