"""What learning tells the rest of the platform when it happens: one function per event, so
wiring the notifications domain (issue 17) is one line in each.

Called inside the transaction that made the award, after it is known to be new (never twice).
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.orm import Session

log = structlog.get_logger(__name__)


def badge_earned(session: Session, *, user_id: uuid.UUID, badge: str) -> None:
    """A badge or belt was earned. Notifications: notify(session, user_id=user_id,
    kind="badge_earned", params={"badge": badge}, link="/learning")."""
    log.info("learning_badge_earned", user_id=str(user_id), badge=badge)


def reward_unlocked(session: Session, *, user_id: uuid.UUID, grant_id: uuid.UUID) -> None:
    """A student unlocked an instructor's discount. Notifications: notify(session, user_id=user_id,
    kind="reward_unlocked", params={}, link="/learning")."""
    log.info("learning_reward_unlocked", user_id=str(user_id), grant_id=str(grant_id))
