"""Engines and sessions: async for the API, sync for workers, Alembic and the CLI.

Both talk to the same database through the same models.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import get_settings
from app.core.text_search import register_sqlite_functions


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    register_sqlite_functions(dbapi_connection)


def _engine_kwargs(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    settings = get_settings()
    kwargs: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
        "pool_recycle": settings.db_pool_recycle_seconds,
    }
    if settings.db_pgbouncer:
        # PgBouncer in transaction mode hands each transaction any server connection, so a
        # statement psycopg prepared on one is missing on the next: never prepare.
        kwargs["connect_args"] = {"prepare_threshold": None}
    return kwargs


@lru_cache
def get_async_engine() -> AsyncEngine:
    settings = get_settings()
    url = settings.effective_database_url
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **_engine_kwargs(url))
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache
def get_sync_engine() -> Engine:
    settings = get_settings()
    url = settings.sync_database_url
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **_engine_kwargs(url))
    if settings.is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache
def _async_sessionmaker() -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(get_async_engine(), expire_on_commit=False)


@lru_cache
def _sync_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(get_sync_engine(), expire_on_commit=False)


async def get_async_session() -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request, rolled back if the request fails."""
    async with _async_sessionmaker()() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise


def async_session_scope() -> AsyncSession:
    return _async_sessionmaker()()


@contextmanager
def sync_session() -> Iterator[Session]:
    """Worker/CLI unit of work: commit on success, roll back on error."""
    session = _sync_sessionmaker()()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def reset_engines() -> None:
    """Forget cached engines (tests switch DATABASE_URL between runs)."""
    for cached in (get_async_engine, get_sync_engine, _async_sessionmaker, _sync_sessionmaker):
        cached.cache_clear()
