"""Issue 17 wiring: badges and unlocked rewards notify the student; the daily beat tells a
student whose streak is at risk, once per their local day."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.db.session import sync_session
from app.learning import service
from app.notifications.models import Notification
from tests.conftest import UserFactory
from tests.learning.conftest import Practice
from tests.learning.test_rewards import offer

Headers = Callable[[User], dict[str, str]]


def notes(user_id: uuid.UUID) -> list[tuple[str, dict[str, str], str | None]]:
    with sync_session() as s:
        query = select(Notification).where(Notification.user_id == user_id)
        return sorted(((n.kind, n.params, n.link) for n in s.scalars(query)), key=repr)


async def test_badges_and_unlocked_rewards_notify_the_student(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    teacher, student = make_user(role=Role.instructor), make_user()
    await offer(client, teacher, auth_headers, technique="kick", belt="yellow", percent_off=20)
    now = utcnow()
    practice(student.id, score=40.0, at=now, instructor_id=teacher.id, technique="kick")
    assert notes(student.id) == [
        ("badge_earned", {"badge": "belt:kick:white"}, "/learning"),
        ("badge_earned", {"badge": "first_attempt"}, "/learning"),
    ]
    practice(student.id, score=40.0, at=now + timedelta(minutes=1), instructor_id=teacher.id)
    assert len(notes(student.id)) == 2  # nothing new earned, nothing new told
    unlocked = practice(student.id, score=65.0, at=now + timedelta(minutes=2), instructor_id=teacher.id)
    assert len(unlocked.grants) == 1
    assert notes(student.id) == [
        ("badge_earned", {"badge": "belt:kick:white"}, "/learning"),
        ("badge_earned", {"badge": "belt:kick:yellow"}, "/learning"),
        ("badge_earned", {"badge": "first_attempt"}, "/learning"),
        ("reward_unlocked", {}, "/learning"),
    ]


def test_streak_at_risk_is_told_once_per_day(make_user: UserFactory, practice: Practice) -> None:
    from app.learning import tasks
    from app.worker.celery_app import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["learning-streak-reminders"]["task"] == tasks.streak_reminders.name
    at_risk, safe = make_user(), make_user()
    now = utcnow()
    for days in (2, 3):
        practice(at_risk.id, score=None, at=now - timedelta(days=days))
    practice(safe.id, score=None, at=now - timedelta(days=1))
    badges = {u: notes(u) for u in (at_risk.id, safe.id)}  # first_attempt etc.
    with sync_session() as session:
        assert service.remind_streaks_at_risk(session) == 1
    with sync_session() as session:
        assert service.remind_streaks_at_risk(session) == 0  # the beat again, the same day
    told = [n for n in notes(at_risk.id) if n not in badges[at_risk.id]]
    assert told == [("streak_at_risk", {}, "/learning")]
    assert notes(safe.id) == badges[safe.id]
