"""The test harness keeps each test to its own rows (tests/support/database.py).

Before it, every test committed into one shared database: crash tests reaped other tests' rows
and some assertions held only in a given order. After each rolled-back test the fixture also
checks that no table gained rows for good."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.core.config import get_settings
from app.db.session import async_session_scope, get_sync_engine, sync_session

Headers = Callable[[User], dict[str, str]]


def _users_outside_the_test(url: str, email: str) -> int:
    """Count through a connection of our own, outside whatever the test is inside."""
    if url.startswith("sqlite"):
        with sqlite3.connect(Path(url.split(":///", 1)[1])) as conn:
            return int(conn.execute("SELECT count(*) FROM users WHERE email = ?", (email,)).fetchone()[0])
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute("SELECT count(*) FROM users WHERE email = %s", (email,)).fetchone()
        assert row is not None
        return int(row[0])


async def test_api_sessions_and_sync_sessions_share_the_tests_transaction(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers
) -> None:
    admin = make_user(role=Role.admin)  # written by a sync session (as workers write)
    student = make_user()
    listed = await client.get("/api/v1/admin/users", headers=auth_headers(admin), params={"limit": 100})
    assert listed.status_code == 200
    # The API (async session) sees the sync session's rows, and only this test's users exist.
    assert {item["id"] for item in listed.json()["items"]} == {str(admin.id), str(student.id)}

    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": "Correct-horse-42", "display_name": "New"},
    )
    assert registered.status_code == 201, registered.text
    with sync_session() as session:  # ...and a sync session sees what the API committed
        assert session.scalar(select(func.count()).select_from(User).where(User.email == email)) == 1
    async with async_session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 3


async def test_what_a_rolled_back_test_commits_never_reaches_the_database(
    client: httpx.AsyncClient, make_user: Callable[..., User], isolated_database: str
) -> None:
    user = make_user()
    with sync_session() as session:
        assert session.get(User, user.id) is not None
    assert _users_outside_the_test(isolated_database, user.email) == 0


@pytest.mark.own_database
def test_a_database_of_its_own_starts_empty_commits_for_real_and_is_what_workers_get(
    make_user: Callable[..., User], isolated_database: str
) -> None:
    assert os.environ["DATABASE_URL"] == isolated_database == get_settings().effective_database_url
    assert str(get_sync_engine().url.database) in isolated_database
    with sync_session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    user = make_user()
    assert _users_outside_the_test(isolated_database, user.email) == 1
