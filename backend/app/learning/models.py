"""Learning tables: the student's settings, the events awards are computed from, the awards
(XP and badges), and the rewards instructors offer for a milestone. Only app/learning queries them.

Exactly once: an event is stored under (user, event key) with INSERT ... ON CONFLICT DO NOTHING
and only the delivery that inserts it computes awards; every award row is unique on
(user, award key, event), and a badge on (user, badge), so a second delivery, a concurrent one or
a rerun of the same computation adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin


class LearningProfile(Base):
    """One row per student who has done anything here; locked while an event is applied."""

    __tablename__ = "learning_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # IANA zone the student's days (streaks, weekly goals) are counted in; "UTC" until they set one.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    weekly_goal: Mapped[int | None] = mapped_column(Integer, default=None)  # practice days per week
    leaderboard_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    xp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LearningEvent(IdMixin, Base):
    """Something the student did, once: an attempt that became ready, a day's watching of a video."""

    __tablename__ = "learning_events"
    __table_args__ = (
        UniqueConstraint("user_id", "event_key"),
        Index("ix_learning_events_user_id_occurred_at", "user_id", "occurred_at"),
        Index("ix_learning_events_reference_id_score", "reference_id", "score"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(120))  # "attempt:<id>", "watch:<video>:<day>"
    kind: Mapped[str] = mapped_column(String(20))  # practice | watch
    occurred_at: Mapped[datetime]
    # practice: the reference practised, its technique type and the score (None: no score)
    reference_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    instructor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    technique: Mapped[str | None] = mapped_column(String(20), default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    # watch: seconds watched that day (the largest total reported)
    seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LearningAward(IdMixin, Base):
    """XP earned for one reason from one event."""

    __tablename__ = "learning_awards"
    __table_args__ = (
        UniqueConstraint("user_id", "award_key", "event_id"),
        Index("ix_learning_awards_created_at", "created_at"),  # the week's board
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    award_key: Mapped[str] = mapped_column(
        String(80)
    )  # practice | improvement | watch:<minutes> | badge:<id>
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("learning_events.id", ondelete="CASCADE"))
    xp: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LearningBadge(Base):
    """A badge (or a belt milestone: "belt:<technique>:<belt>") a student holds, once each."""

    __tablename__ = "learning_badges"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    badge: Mapped[str] = mapped_column(String(60), primary_key=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("learning_events.id", ondelete="SET NULL"), default=None
    )
    earned_at: Mapped[datetime]


class RewardOffer(IdMixin, Base):
    """An instructor's discount, unlocked by reaching a belt in a technique on their references."""

    __tablename__ = "learning_reward_offers"

    instructor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    technique: Mapped[str] = mapped_column(String(20))
    belt: Mapped[str] = mapped_column(String(20))
    percent_off: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RewardGrant(IdMixin, Base):
    """One student's unlocked discount: its code exists at Stripe (a one-use promotion code) once
    `provider_id` is set; until then `claim` creates it (idempotent on the grant id)."""

    __tablename__ = "learning_reward_grants"
    __table_args__ = (UniqueConstraint("offer_id", "user_id"),)

    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("learning_reward_offers.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    provider_id: Mapped[str | None] = mapped_column(String(255), default=None)  # promo_... or sandbox_...
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
