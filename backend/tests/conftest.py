"""Backend fixtures: migrated database, an ASGI client, user factories and auth headers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.security import create_access_token, hash_password
from app.db.session import get_sync_engine, sync_session
from tests.support.database import SharedConnection, Template, sessionmakers_bound_to

BACKEND_DIR = Path(__file__).resolve().parents[1]
TEST_PASSWORD = "Correct-horse-42"


def run_migrations() -> None:
    from alembic.config import Config

    from alembic import command

    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND_DIR / "alembic"))
    command.upgrade(config, "heads")


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> Iterator[Template]:
    """Migrate the run's database once, then freeze a copy as the template own-database tests clone."""
    run_migrations()
    get_sync_engine().dispose()
    template = Template.create_from(get_settings().effective_database_url)
    yield template
    for url in list(template.clones):
        template.drop(url)
    template.drop_all()


@pytest.fixture(scope="session")
async def _shared_connection(migrated_database: Template) -> AsyncIterator[SharedConnection]:
    shared = SharedConnection(get_settings().effective_database_url)
    await shared.open()
    yield shared
    await shared.close()


# A test that uses one of these gets a database of its own (see tests/support/database.py).
OWN_DATABASE_FIXTURES = frozenset({"celery_worker", "worker_factory", "live_server"})


def _own_database_scope(node: pytest.Item | pytest.Collector) -> str | None:
    marker = node.get_closest_marker("own_database")
    return None if marker is None else str(marker.kwargs.get("scope", "function"))


@asynccontextmanager
async def _own_database(template: Template) -> AsyncIterator[str]:
    """Point the app, and every process started meanwhile, at a fresh clone of the template."""
    from app.db import session as db_session

    settings = get_settings()
    url = template.clone()
    previous_env, previous_setting = os.environ.get("DATABASE_URL"), settings.database_url
    os.environ["DATABASE_URL"] = url
    settings.database_url = url
    db_session.reset_engines()
    try:
        yield url
    finally:
        await db_session.get_async_engine().dispose()
        db_session.get_sync_engine().dispose()
        db_session.reset_engines()
        settings.database_url = previous_setting
        if previous_env is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous_env
        template.drop(url)


def _forget_shared_state() -> None:
    """What outlives a test outside the database: cached bodies, rate-limit windows, stream counts."""
    from app.core import cache, ratelimit
    from app.core.redis import get_redis

    cache.get_cache.cache_clear()
    if not ratelimit.uses_redis():
        ratelimit.reset()
    client = get_redis()
    if client is not None:
        try:
            keys = list(client.scan_iter(match="mamc:*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


@pytest.fixture(scope="module", autouse=True)
async def _module_database(
    request: pytest.FixtureRequest, migrated_database: Template
) -> AsyncIterator[str | None]:
    """`pytestmark = pytest.mark.own_database(scope="module")`: the module's tests share one database
    of their own (for a server the module starts once)."""
    if _own_database_scope(request.node) != "module":
        yield None
        return
    async with _own_database(migrated_database) as url:
        yield url


@pytest.fixture(autouse=True)
async def isolated_database(
    request: pytest.FixtureRequest,
    migrated_database: Template,
    _module_database: str | None,
    _shared_connection: SharedConnection,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[str]:
    """Every test sees only its own rows: rolled back, or in a database of its own. Yields the
    database URL the test runs against."""
    from app.db import session as db_session

    _forget_shared_state()
    if _module_database is not None:
        yield _module_database
        return
    by_fixture = OWN_DATABASE_FIXTURES.intersection(request.fixturenames)
    if _own_database_scope(request.node) == "function" or by_fixture:
        async with _own_database(migrated_database) as url:
            yield url
        return
    async with _shared_connection.transaction() as (sync_conn, async_conn):
        sync_maker, async_maker = sessionmakers_bound_to(sync_conn, async_conn)
        monkeypatch.setattr(db_session, "_sync_sessionmaker", lambda: sync_maker)
        monkeypatch.setattr(db_session, "_async_sessionmaker", lambda: async_maker)
        yield _shared_connection.url


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
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(_session_worker: Any, isolated_database: str) -> Iterator[Any]:
    """A real `celery worker` process consuming every queue, on this test's own database; the app
    enqueues instead of running inline. Started again when the previous test used another database."""
    from app.worker.celery_app import celery_app

    if _session_worker.process is None or _session_worker.process.poll() is not None:
        _session_worker.start()
    elif _session_worker.database_url != isolated_database:
        _session_worker.stop()
        _session_worker.start()
    celery_app.conf.task_always_eager = False
    try:
        yield _session_worker
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def worker_factory(tmp_path: Path, isolated_database: str) -> Iterator[Callable[..., Any]]:
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
