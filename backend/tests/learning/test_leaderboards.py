"""Leaderboards: display names only, opted-out students hidden, SQL and Redis agree."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.auth.models import User
from app.core.clock import utcnow
from app.core.redis import get_redis
from app.learning import leaderboard
from tests.conftest import UserFactory
from tests.learning.conftest import Practice

Headers = Callable[[User], dict[str, str]]


async def board(client: httpx.AsyncClient, path: str, user: User, auth_headers: Headers) -> dict[str, object]:
    response = await client.get(f"/api/v1/learning/leaderboards/{path}", headers=auth_headers(user))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_a_reference_board_shows_best_scores_by_display_name_only(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    reference = uuid.uuid4()
    ada = make_user(display_name="Ada", email=f"ada-{uuid.uuid4().hex[:6]}@example.com")
    bruno = make_user(display_name="Bruno")
    now = utcnow()
    practice(ada.id, score=71.0, at=now, reference_id=reference)
    practice(ada.id, score=64.0, at=now, reference_id=reference)
    practice(bruno.id, score=88.5, at=now, reference_id=reference)
    body = await board(client, f"references/{reference}", ada, auth_headers)
    assert body["rows"] == [
        {"rank": 1, "display_name": "Bruno", "value": 88.5, "is_me": False},
        {"rank": 2, "display_name": "Ada", "value": 71.0, "is_me": True},
    ]
    text = str(body)
    for secret in (str(ada.id), str(bruno.id), ada.email, bruno.email):
        assert secret not in text


async def test_opting_out_hides_the_student_from_every_board_and_back(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    reference = uuid.uuid4()
    shy, other = make_user(display_name="Shy"), make_user(display_name="Other")
    practice(shy.id, score=95.0, at=utcnow(), reference_id=reference)
    practice(other.id, score=60.0, at=utcnow(), reference_id=reference)
    # read once first: with Redis the board is now built, so the opt-out must hold on the Redis path too
    assert len((await board(client, f"references/{reference}", other, auth_headers))["rows"]) == 2  # type: ignore[arg-type]

    response = await client.patch(
        "/api/v1/learning/me", json={"leaderboard_opt_out": True}, headers=auth_headers(shy)
    )
    assert response.status_code == 200 and response.json()["leaderboard_opt_out"] is True
    for path in (f"references/{reference}", "weeks/current"):
        names = [r["display_name"] for r in (await board(client, path, other, auth_headers))["rows"]]  # type: ignore[attr-defined]
        assert names == ["Other"]
    mine = await board(client, f"references/{reference}", shy, auth_headers)
    assert mine["opted_out"] is True and [r["display_name"] for r in mine["rows"]] == ["Other"]  # type: ignore[attr-defined]

    await client.patch("/api/v1/learning/me", json={"leaderboard_opt_out": False}, headers=auth_headers(shy))
    names = [
        r["display_name"]
        for r in (await board(client, f"references/{reference}", other, auth_headers))["rows"]
    ]  # type: ignore[attr-defined]
    assert names == ["Shy", "Other"]


async def test_the_week_board_ranks_xp_earned_that_week(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    busy, idle = make_user(display_name="Busy"), make_user(display_name="Idle")
    week_ago = datetime(2026, 11, 2, 12, tzinfo=UTC)  # 2026-W45
    for k in range(3):
        practice(busy.id, score=None, at=week_ago + timedelta(hours=k))
    practice(idle.id, score=None, at=week_ago)
    practice(idle.id, score=None, at=week_ago + timedelta(days=7))  # the next week
    rows = (await board(client, "weeks/2026-W45", idle, auth_headers))["rows"]
    assert rows == [
        {"rank": 1, "display_name": "Busy", "value": 70.0, "is_me": False},  # 3 x 20 + first attempt 10
        {"rank": 2, "display_name": "Idle", "value": 30.0, "is_me": True},
    ]
    bad = await client.get("/api/v1/learning/leaderboards/weeks/yesterday", headers=auth_headers(idle))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "learning_bad_week"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the services profile (REDIS_URL) only")
async def test_with_redis_a_new_score_reaches_a_built_board(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    """The board lives in a sorted set once read; the worker writes later scores into it."""
    redis = get_redis()
    reference = uuid.uuid4()
    first, late = make_user(display_name="First"), make_user(display_name="Late")
    practice(first.id, score=50.0, at=utcnow(), reference_id=reference)
    await board(client, f"references/{reference}", first, auth_headers)
    practice(late.id, score=77.0, at=utcnow(), reference_id=reference)
    assert redis is not None
    stored = redis.zrevrange(leaderboard.reference_key(reference), 0, -1, withscores=True)
    assert stored == [(str(late.id).encode(), 77.0), (str(first.id).encode(), 50.0)]
    rows = (await board(client, f"references/{reference}", first, auth_headers))["rows"]
    assert [r["display_name"] for r in rows] == ["Late", "First"]  # type: ignore[index]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the services profile (REDIS_URL) only")
async def test_erasing_a_student_removes_them_from_the_redis_boards(
    client: httpx.AsyncClient, make_user: UserFactory, practice: Practice, auth_headers: Headers
) -> None:
    from app.db.session import sync_session
    from app.learning import service

    redis = get_redis()
    assert redis is not None
    reference = uuid.uuid4()
    gone, stays = make_user(display_name="Gone"), make_user(display_name="Stays")
    practice(gone.id, score=90.0, at=utcnow(), reference_id=reference)
    practice(stays.id, score=40.0, at=utcnow(), reference_id=reference)
    await board(client, f"references/{reference}", stays, auth_headers)  # builds the sets
    await board(client, "weeks/current", stays, auth_headers)
    with sync_session() as session:
        service.erase_user_data(session, gone.id)
    for key in (
        leaderboard.reference_key(reference),
        leaderboard.week_key(leaderboard.current_week(utcnow())),
    ):
        assert redis.zscore(key, str(gone.id)) is None and redis.zscore(key, str(stays.id)) is not None
