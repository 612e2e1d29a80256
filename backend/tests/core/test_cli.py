from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.db.session import sync_session
from tests.conftest import BACKEND_DIR

pytestmark = pytest.mark.own_database  # the CLI is another process: it commits for real


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=BACKEND_DIR, env={**os.environ, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_create_admin_cli_creates_a_verified_admin_who_can_log_in() -> None:
    email = f"root-{uuid.uuid4().hex[:6]}@example.com"
    result = _cli("create-admin", "--email", email, "--name", "Sensei", ADMIN_PASSWORD="Black-belt-2026")
    assert result.returncode == 0, result.stderr
    with sync_session() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None and user.role == Role.admin and user.email_verified_at is not None


def test_create_admin_with_a_weak_password_exits_2_with_one_line() -> None:
    result = _cli("create-admin", "--email", f"w-{uuid.uuid4().hex[:6]}@example.com", ADMIN_PASSWORD="weak")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "password" in result.stderr
