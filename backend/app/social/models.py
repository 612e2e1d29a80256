"""Social tables: comments (two levels: a comment and its replies), reactions, comment reports,
video likes and instructor follows. Only app/social/service.py queries them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin, TimestampMixin


class CommentStatus(enum.StrEnum):
    visible = "visible"
    hidden = "hidden"  # by a moderator or the video's instructor (hidden_by says which)
    deleted = "deleted"  # by its author, or erased with the account: text gone, replies kept


class HiddenBy(enum.StrEnum):
    moderator = "moderator"
    instructor = "instructor"


class Reaction(enum.StrEnum):
    """The fixed set of reactions (the web client draws each as an emoji)."""

    like = "like"
    bow = "bow"  # respect, "oss"
    fire = "fire"
    insightful = "insightful"


class CommentReportReason(enum.StrEnum):
    spam = "spam"
    abuse = "abuse"
    inappropriate = "inappropriate"
    misinformation = "misinformation"
    other = "other"


class Comment(IdMixin, TimestampMixin, Base):
    __tablename__ = "social_comments"
    __table_args__ = (
        Index("ix_social_comments_video_parent", "video_id", "parent_id", "id"),
        Index("ix_social_comments_open_reports", "open_report_count"),
    )

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    # NULL once the author's account is erased (the thread keeps its shape)
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    # NULL: a top-level comment; otherwise the top-level comment it replies to (one level only)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("social_comments.id", ondelete="CASCADE"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(
        Enum(CommentStatus, name="social_comment_status", native_enum=False, length=12),
        default=CommentStatus.visible,
    )
    hidden_by: Mapped[HiddenBy | None] = mapped_column(
        Enum(HiddenBy, name="social_comment_hidden_by", native_enum=False, length=12), default=None
    )
    hidden_reason: Mapped[str | None] = mapped_column(Text, default=None)
    pinned_at: Mapped[datetime | None] = mapped_column(default=None)
    open_report_count: Mapped[int] = mapped_column(default=0)


class CommentReaction(IdMixin, Base):
    __tablename__ = "social_comment_reactions"
    __table_args__ = (
        UniqueConstraint(
            "comment_id", "user_id", "kind", name="uq_social_comment_reactions_comment_user_kind"
        ),
    )

    comment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("social_comments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Reaction] = mapped_column(
        Enum(Reaction, name="social_reaction", native_enum=False, length=12)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentReport(IdMixin, Base):
    __tablename__ = "social_comment_reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_id", name="uq_social_comment_reports_comment_reporter"),
    )

    comment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("social_comments.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    reason: Mapped[CommentReportReason] = mapped_column(
        Enum(CommentReportReason, name="social_comment_report_reason", native_enum=False, length=20)
    )
    details: Mapped[str] = mapped_column(Text, default="")
    # Verified and old enough when reporting (as for videos): counts toward the auto-hide.
    trusted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    resolution: Mapped[str | None] = mapped_column(String(20), default=None)


class VideoLike(IdMixin, Base):
    __tablename__ = "social_video_likes"
    __table_args__ = (UniqueConstraint("video_id", "user_id", name="uq_social_video_likes_video_user"),)

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follow(IdMixin, Base):
    __tablename__ = "social_follows"
    __table_args__ = (
        UniqueConstraint("follower_id", "instructor_id", name="uq_social_follows_follower_instructor"),
    )

    follower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    instructor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Course(IdMixin, TimestampMixin, Base):
    """An instructor's ordered series of their own videos, optionally sold as one bundle at
    `price_cents` (minor units of `currency`); each video keeps its own offer too."""

    __tablename__ = "social_courses"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    price_cents: Mapped[int | None] = mapped_column(default=None)  # None: not sold as a bundle
    currency: Mapped[str | None] = mapped_column(String(3), default=None)  # ISO, lowercase


class CourseItem(IdMixin, Base):
    __tablename__ = "social_course_items"
    __table_args__ = (
        UniqueConstraint("course_id", "video_id", name="uq_social_course_items_course_video"),
        Index("ix_social_course_items_course_position", "course_id", "position"),
    )

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("social_courses.id", ondelete="CASCADE"))
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
