"""Test isolation: every test sees only the rows it created.

Two modes, chosen per test by `backend/tests/conftest.py`:

* **Rolled back** (the default). One database connection is opened for the whole run and each
  test runs inside one transaction on it that is rolled back afterwards. The app's sessions
  (the API's `AsyncSession`, `sync_session()` in services, workers run eagerly and fixtures, and
  `run_sync`) are all bound to that transaction with
  `join_transaction_mode="create_savepoint"`: their commits release a SAVEPOINT, their
  rollbacks roll back to it, and nothing ever reaches the database for good. The API is async
  and the workers are sync, so the connection is one server session seen through two driver
  objects over the same libpq/sqlite3 handle: a sync one and an async one (psycopg's
  `AsyncConnection` over the sync connection's `pgconn`; aiosqlite over the same `sqlite3`
  connection). Both therefore share the transaction. This is the SAVEPOINT pattern of Polar's
  `server/tests/fixtures/database.py` and Netflix Dispatch's `tests/conftest.py`, stretched
  over our two session kinds.

* **Own database** (`@pytest.mark.own_database`, and every test that starts a worker process or a
  server outside the test process, or races two connections). Its data must be committed for
  real to be seen by other processes or connections, so it gets a database of its own, cloned
  from the migrated template (PostgreSQL `CREATE DATABASE … TEMPLATE`, SQLite a file copy), and
  dropped afterwards. Worker processes it starts inherit its `DATABASE_URL`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, pool
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker

from app.core.text_search import register_sqlite_functions

PG_ADMIN_URL = os.environ.get("MAMC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin_execute(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(statement)


def _sqlite_path(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy even while WAL holds part of the data (the backup API reads through it)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@dataclass
class Template:
    """The migrated database every own-database test is cloned from."""

    url: str  # async URL, as DATABASE_URL is written
    name: str  # PostgreSQL database name or SQLite file path
    clones: list[str] = field(default_factory=list)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @classmethod
    def create_from(cls, migrated_url: str) -> Template:
        """Freeze the migrated database as the template (nobody may be connected to it)."""
        if migrated_url.startswith("sqlite"):
            source = _sqlite_path(migrated_url)
            target = source.with_name("template.db")
            _copy_sqlite(source, target)
            return cls(url=f"sqlite+aiosqlite:///{target}", name=str(target))
        base, source_name = migrated_url.rsplit("/", 1)
        name = f"{source_name}_tpl"
        _pg_admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{source_name}"')
        return cls(url=f"{base}/{name}", name=name)

    def clone(self) -> str:
        """A fresh database with the migrated schema and no rows; returns its DATABASE_URL."""
        suffix = uuid.uuid4().hex[:8]
        if self.is_sqlite:
            target = Path(self.name).with_name(f"own-{suffix}.db")
            _copy_sqlite(Path(self.name), target)
            url = f"sqlite+aiosqlite:///{target}"
        else:
            name = f"{self.name.removesuffix('_tpl')}_own_{suffix}"
            _pg_admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
            url = f"{self.url.rsplit('/', 1)[0]}/{name}"
        self.clones.append(url)
        return url

    def drop(self, url: str) -> None:
        if url in self.clones:
            self.clones.remove(url)
        if self.is_sqlite:
            path = _sqlite_path(url)
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        else:
            _pg_admin_execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def drop_all(self) -> None:
        if self.is_sqlite:
            Path(self.name).unlink(missing_ok=True)
        else:
            _pg_admin_execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class SharedConnection:
    """One server session, reachable as a sync and as an async SQLAlchemy connection.

    Opened once per test run; `transaction()` wraps one test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._sync_engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        self._raw: Any = None
        self._async_raw: Any = None
        self._baseline: dict[str, int] | None = None  # rows per table before any test (seed data)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    async def open(self) -> None:
        sync_url = self.url.replace("+aiosqlite", "")
        raw: Any
        async_raw: Any
        if self.is_sqlite:
            import aiosqlite

            # Autocommit at the driver level: BEGIN, SAVEPOINT and ROLLBACK are ours to send
            # (pysqlite's implicit transactions otherwise break savepoints).
            raw = sqlite3.connect(
                _sqlite_path(self.url), check_same_thread=False, isolation_level=None, timeout=30
            )
            raw.execute("PRAGMA foreign_keys=ON")
            raw.execute("PRAGMA busy_timeout=10000")
            register_sqlite_functions(raw)  # as app.db.session does on each of its connections
            async_raw = await aiosqlite.Connection(lambda: raw, 64)  # its thread runs our `raw`
        else:
            import psycopg

            # Prepared statements are per driver object; with two objects on one server session
            # their names would collide, so none are prepared.
            dsn = self.url.replace("postgresql+psycopg", "postgresql")
            raw = psycopg.connect(dsn, prepare_threshold=None)
            async_raw = psycopg.AsyncConnection(raw.pgconn)
            async_raw.prepare_threshold = None
        self._raw, self._async_raw = raw, async_raw

        async def async_creator() -> Any:
            return async_raw

        # StaticPool hands out this one connection; no reset on return (a reset is a ROLLBACK
        # that would end the test's transaction whenever any code closes a connection).
        self._sync_engine = create_engine(
            sync_url, creator=lambda: raw, poolclass=pool.StaticPool, pool_reset_on_return=None
        )
        self._async_engine = create_async_engine(
            self.url, async_creator=async_creator, poolclass=pool.StaticPool, pool_reset_on_return=None
        )
        if self._baseline is None:
            self._baseline = self._row_counts()  # before any test: the seed data, if any

    async def close(self) -> None:
        if self._async_engine is not None:
            await self._async_engine.dispose(close=False)
        if self._sync_engine is not None:
            self._sync_engine.dispose(close=False)
        if self.is_sqlite and self._async_raw is not None:
            await self._async_raw.close()  # stops aiosqlite's thread and closes `raw`
        elif self._raw is not None:
            self._raw.close()
        self._raw = self._async_raw = None

    def healthy(self) -> bool:
        """Idle and usable: a test that broke the connection (two commands at once, a dead
        server session) must not break the next one."""
        if self._raw is None:
            return False
        if self.is_sqlite:
            return not self._raw.in_transaction
        import psycopg

        return bool(self._raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE)

    async def reopen(self) -> None:
        with suppress(Exception):  # the old connection is being thrown away; its errors do not matter
            await self.close()
        await self.open()

    def _row_counts(self) -> dict[str, int]:
        """Rows per table, in one statement (cheap on the near-empty tables between tests)."""
        from app.db.registry import load_all_models

        names = sorted(load_all_models().tables)
        columns = ", ".join(f'(SELECT count(*) FROM "{name}")' for name in names)
        counts = self._raw.execute(f"SELECT {columns}").fetchone()
        if not self.is_sqlite:
            self._raw.rollback()  # psycopg opened a transaction for the SELECT
        return dict(zip(names, counts, strict=True))

    def _leftovers(self) -> dict[str, int]:
        assert self._baseline is not None
        return {
            name: count - self._baseline[name]
            for name, count in self._row_counts().items()
            if count != self._baseline[name]
        }

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[tuple[Connection, AsyncConnection]]:
        if not self.healthy():
            await self.reopen()
        assert self._sync_engine is not None and self._async_engine is not None
        sync_conn = self._sync_engine.connect()
        async_conn = await self._async_engine.connect()
        if self.is_sqlite:
            self._raw.execute("BEGIN")
        sync_conn.begin()
        await async_conn.begin()
        try:
            yield sync_conn, async_conn
        finally:
            await async_conn.rollback()
            sync_conn.rollback()
            if self.is_sqlite and self._raw.in_transaction:
                self._raw.execute("ROLLBACK")
            await async_conn.close()
            sync_conn.close()
        if self.healthy() and (leftovers := self._leftovers()):
            # Something wrote around the test's transaction (an engine of its own, a commit on
            # the raw connection): the next tests would see it. Fail this test and clean up.
            self._truncate(sorted(leftovers))
            raise AssertionError(f"the test committed rows outside its transaction: {leftovers}")

    def _truncate(self, tables: list[str]) -> None:
        if self.is_sqlite:
            for name in tables:
                self._raw.execute(f'DELETE FROM "{name}"')
        else:
            quoted = ", ".join(f'"{name}"' for name in tables)
            self._raw.execute(f"TRUNCATE {quoted} CASCADE")
            self._raw.commit()


class _OneAtATimeSession(Session):
    """A sync session that holds the shared connection until it closes.

    Sessions of one thread nest (the lock is re-entrant); a session of another thread (a job's
    keepalive thread, `asyncio.to_thread`) waits for them, so savepoints on the one connection
    stay properly nested."""

    lock = threading.RLock()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not self.lock.acquire(timeout=300):
            raise RuntimeError("a sync session of another thread held the test's connection for 300 s")
        self._holds_lock = True
        super().__init__(*args, **kwargs)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._holds_lock:
                self._holds_lock = False
                self.lock.release()


def sessionmakers_bound_to(
    sync_conn: Connection, async_conn: AsyncConnection
) -> tuple[sessionmaker[Session], async_sessionmaker[AsyncSession]]:
    """Session factories shaped like app.db.session's, whose commits are savepoint releases."""
    return (
        sessionmaker(
            bind=sync_conn,
            class_=_OneAtATimeSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        ),
        async_sessionmaker(bind=async_conn, expire_on_commit=False, join_transaction_mode="create_savepoint"),
    )
