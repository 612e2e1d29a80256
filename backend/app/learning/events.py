"""What learning tells the rest of the platform when it happens: one function per event, each
a notification to the student (issue 17).

Called inside the transaction that made the award, after it is known to be new (never twice).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.notifications import Kind, notify, register_kind
from app.notifications.models import Notification

log = structlog.get_logger(__name__)

BADGE_EARNED = register_kind(Kind("badge_earned"))
REWARD_UNLOCKED = register_kind(Kind("reward_unlocked"))
STREAK_AT_RISK = register_kind(Kind("streak_at_risk"))


def badge_earned(session: Session, *, user_id: uuid.UUID, badge: str) -> None:
    """A badge or belt was earned (`badge` is its id, e.g. "belt:kick:white")."""
    log.info("learning_badge_earned", user_id=str(user_id), badge=badge)
    notify(session, user_id=user_id, kind=BADGE_EARNED.name, params={"badge": badge}, link="/learning")


def reward_unlocked(session: Session, *, user_id: uuid.UUID, grant_id: uuid.UUID) -> None:
    """A student unlocked an instructor's discount."""
    log.info("learning_reward_unlocked", user_id=str(user_id), grant_id=str(grant_id))
    notify(session, user_id=user_id, kind=REWARD_UNLOCKED.name, params={}, link="/learning")


def streak_at_risk(session: Session, *, user_id: uuid.UUID, since: datetime) -> bool:
    """The student's streak needs practice today; `since` is the start of their local today, so
    they are told at most once that day. The caller holds the student's profile row lock (two
    beats racing tell them once). Returns whether a notification was stored."""
    told = session.scalar(
        select(Notification.id)
        .where(
            Notification.user_id == user_id,
            Notification.kind == STREAK_AT_RISK.name,
            Notification.created_at >= since,
        )
        .limit(1)
    )
    if told is not None:
        return False
    return notify(session, user_id=user_id, kind=STREAK_AT_RISK.name, params={}, link="/learning") is not None
