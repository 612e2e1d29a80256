"""Backend fixtures: migrated database, an ASGI client, user factories and auth headers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.security import create_access_token, hash_password
from app.db.session import sync_session

BACKEND_DIR = Path(__file__).resolve().parents[1]
TEST_PASSWORD = "Correct-horse-42"


def run_migrations() -> None:
    from alembic.config import Config

    from alembic import command

    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND_DIR / "alembic"))
    command.upgrade(config, "heads")


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> None:
    run_migrations()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def app() -> FastAPI:
    from app.main import create_app

    return create_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(f"203.0.113.{uuid.uuid4().int % 250}", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(autouse=True)
def _fresh_memory_rate_limits() -> Iterator[None]:
    from app.core import ratelimit

    if not ratelimit.uses_redis():
        ratelimit.reset()
    yield


UserFactory = Callable[..., User]


@pytest.fixture
def make_user() -> UserFactory:
    def factory(
        *,
        role: Role = Role.student,
        verified: bool = True,
        active: bool = True,
        email: str | None = None,
        password: str = TEST_PASSWORD,
        display_name: str = "Test User",
    ) -> User:
        with sync_session() as session:
            user = User(
                email=email or f"user-{uuid.uuid4().hex[:12]}@example.com",
                display_name=display_name,
                password_hash=hash_password(password),
                role=role,
                is_active=active,
                email_verified_at=utcnow() if verified else None,
            )
            session.add(user)
        return user

    return factory


@pytest.fixture
def auth_headers(settings: Settings) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        token, _ = create_access_token(settings, user.id, user.role.value)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def outbox(settings: Settings) -> Callable[..., list[dict[str, Any]]]:
    from app.core.email import read_outbox

    def read(to: str | None = None) -> list[dict[str, Any]]:
        return read_outbox(settings.effective_outbox_dir, to=to)

    return read


@pytest.fixture(scope="session")
def _session_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.support.worker import WorkerProcess

    worker = WorkerProcess(log_dir=tmp_path_factory.mktemp("celery"))
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(_session_worker: Any) -> Iterator[Any]:
    """A real `celery worker` process consuming every queue; the app enqueues instead of running inline."""
    from app.worker.celery_app import celery_app

    if _session_worker.process.poll() is not None:
        _session_worker.start()
    celery_app.conf.task_always_eager = False
    try:
        yield _session_worker
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Start dedicated worker processes (e.g. to kill one mid-task; `wait=False` to start several
    at once, then `wait_ready`); all are stopped afterwards.
    They are the only consumers: a running shared worker is stopped first (celery_worker starts
    it again when a later test needs it)."""
    from app.worker.celery_app import celery_app
    from tests.support.worker import WorkerProcess, running_workers

    for other in running_workers():
        other.stop()
    started: list[WorkerProcess] = []

    def start(*, wait: bool = True, **kwargs: Any) -> WorkerProcess:
        worker = WorkerProcess(log_dir=tmp_path, **kwargs)
        started.append(worker)  # stopped afterwards even when it never became ready
        worker.start(wait=wait)
        return worker

    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = True
        for worker in started:
            worker.stop()
