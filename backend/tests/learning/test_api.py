"""The student's progress API: summary, settings, milestones; data export and erasure."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from app.auth.models import User
from app.core.clock import utcnow
from app.db.session import sync_session
from app.learning import rules, service
from app.learning.models import LearningAward, LearningBadge, LearningEvent, LearningProfile
from tests.conftest import UserFactory
from tests.learning.conftest import Practice

Headers = Callable[[User], dict[str, str]]


async def test_my_progress_shows_xp_streak_goal_and_badges(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    student = make_user()
    now = utcnow()
    practice(student.id, score=92.0, at=now - timedelta(days=1), technique="kick")
    practice(student.id, score=None, at=now, technique="kick")
    set_goal = await client.patch(
        "/api/v1/learning/me",
        json={"weekly_goal": 3, "timezone": "Europe/Rome"},
        headers=auth_headers(student),
    )
    assert set_goal.status_code == 200, set_goal.text
    body = (await client.get("/api/v1/learning/me", headers=auth_headers(student))).json()
    assert body["weekly_goal"] == 3 and body["timezone"] == "Europe/Rome"
    assert body["streak"]["alive"] is True and body["streak"]["days"] >= 1
    assert {b["badge"] for b in body["badges"]} == {"first_attempt", "score_90"}  # belts are milestones
    assert body["techniques"] == ["kick"]
    assert body["xp"] > 0 and body["level"] >= 1

    cleared = await client.patch(
        "/api/v1/learning/me", json={"weekly_goal": None}, headers=auth_headers(student)
    )
    assert cleared.json()["weekly_goal"] is None and cleared.json()["timezone"] == "Europe/Rome"


async def test_bad_settings_are_refused_with_the_error_envelope(
    client: httpx.AsyncClient, make_user: UserFactory, auth_headers: Headers
) -> None:
    student = make_user()
    zone = await client.patch(
        "/api/v1/learning/me", json={"timezone": "Mars/Olympus"}, headers=auth_headers(student)
    )
    assert zone.status_code == 422 and zone.json()["error"]["code"] == "learning_unknown_timezone"
    goal = await client.patch("/api/v1/learning/me", json={"weekly_goal": 9}, headers=auth_headers(student))
    assert goal.status_code == 422 and "error" in goal.json()
    italian = await client.patch(
        "/api/v1/learning/me",
        json={"timezone": "Mars/Olympus"},
        headers={**auth_headers(student), "Accept-Language": "it"},
    )
    assert italian.json()["error"]["message"] != zone.json()["error"]["message"]


async def test_a_techniques_milestones_carry_the_score_history(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    student = make_user()
    start = utcnow() - timedelta(days=3)
    for k, score in enumerate([55.0, 63.0, 72.0]):
        practice(student.id, score=score, at=start + timedelta(days=k), technique="throw")
    body = (await client.get("/api/v1/learning/me/techniques/throw", headers=auth_headers(student))).json()
    assert [p["score"] for p in body["history"]] == [55.0, 63.0, 72.0]
    assert [b["belt"] for b in body["belts"] if b["earned_at"]] == ["white", "yellow"]
    assert body["next_belt"] == "orange" and body["next_needs"] == 1 and body["best"] == 72.0
    unknown = await client.get("/api/v1/learning/me/techniques/teleport", headers=auth_headers(student))
    assert unknown.status_code == 404


def test_export_holds_the_students_learning_data_and_erase_removes_it(
    make_user: UserFactory, practice: Practice
) -> None:
    student, other = make_user(), make_user()
    practice(student.id, score=80.0, at=utcnow(), technique="stance")
    practice(other.id, score=70.0, at=utcnow())
    with sync_session() as session:
        service.update_settings(session, student.id, weekly_goal=4)
        exported = service.export_user_data(session, student.id)
    assert exported["profile"]["weekly_goal"] == 4
    assert [e["score"] for e in exported["events"]] == [80.0]
    assert {b["badge"] for b in exported["badges"]} >= {rules.FIRST_ATTEMPT}
    assert sum(a["xp"] for a in exported["awards"]) == exported["profile"]["xp"]

    with sync_session() as session:
        service.erase_user_data(session, student.id)
    with sync_session() as session:
        for model in (LearningEvent, LearningAward, LearningBadge, LearningProfile):
            left = session.scalar(select(func.count()).select_from(model).where(model.user_id == student.id))
            assert left == 0, model.__tablename__
        assert (
            session.scalar(
                select(func.count()).select_from(LearningEvent).where(LearningEvent.user_id == other.id)
            )
            == 1
        )
        assert service.export_user_data(session, student.id)["events"] == []


def test_unknown_students_get_an_empty_summary(make_user: UserFactory) -> None:
    with sync_session() as session:
        summary = service.summary(session, uuid.uuid4(), utcnow())
    assert (summary.xp, summary.streak.days, summary.badges) == (0, 0, [])
