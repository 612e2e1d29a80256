"""Test environment, decided before any app module is imported.

MAMC_TEST_PROFILE=services  → a fresh PostgreSQL database and a Redis db of its own
MAMC_TEST_PROFILE=embedded  → SQLite, in-process cache/rate limits, filesystem broker
Unset: services when PostgreSQL and Redis answer on 127.0.0.1, embedded otherwise.
`make test` runs both profiles. Within a run each backend test sees only its own rows: a rolled-back
transaction, or a database of its own (backend/tests/support/database.py); `make test-shuffled`
proves the order does not matter.
"""

from __future__ import annotations

import os
import random
import socket
import tempfile
import uuid
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("MAMC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _create_pg_database() -> str:
    import psycopg

    name = f"mamc_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_CLAIM_KEY = "mamc:test-run:redis-db:{}"
_CLAIM_SECONDS = 3 * 3600


def _claim_redis_db() -> int:
    """A Redis db no other test run on this machine is using (its broker queues live there)."""
    import redis

    registry = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
    candidates = list(range(1, 16))
    random.shuffle(candidates)
    for number in candidates:
        if registry.set(_CLAIM_KEY.format(number), os.getpid(), nx=True, ex=_CLAIM_SECONDS):
            return number
    raise RuntimeError("every Redis db 1-15 is claimed by another test run; wait or clear mamc:test-run:*")


def pytest_configure(config: pytest.Config) -> None:
    profile = os.environ.get("MAMC_TEST_PROFILE")
    if not profile:
        services_up = _reachable("127.0.0.1", 5432) and _reachable(REDIS_HOST, REDIS_PORT)
        profile = "services" if services_up else "embedded"
    os.environ["MAMC_TEST_PROFILE"] = profile
    var_dir = Path(tempfile.mkdtemp(prefix="mamc-test-"))
    os.environ.update(
        {
            "APP_ENV": "test",
            "VAR_DIR": str(var_dir),
            "SECRET_KEY": "test-secret-key-not-for-production-0123456789",
            "LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "APP_BASE_URL": "http://testserver",
        }
    )
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "S3_BUCKET",
        "SENDGRID_API_KEY",
        "STRIPE_SECRET_KEY",
        "SENTRY_DSN",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
    ):
        os.environ.pop(name, None)
    if profile == "services":
        db_name = _create_pg_database()
        config._mamc_pg_db = db_name  # type: ignore[attr-defined]
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        os.environ["DATABASE_URL"] = f"{base}/{db_name}"
        redis_db = _claim_redis_db()
        config._mamc_redis_db = redis_db  # type: ignore[attr-defined]
        os.environ["REDIS_URL"] = f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}"
        import redis

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_db).flushdb()
    config._mamc_var_dir = var_dir  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    database = os.environ.get("DATABASE_URL", "sqlite")
    return f"mamc test profile: {os.environ.get('MAMC_TEST_PROFILE')} db={database}"


def pytest_unconfigure(config: pytest.Config) -> None:
    redis_db = getattr(config, "_mamc_redis_db", None)
    if redis_db is not None:
        import redis

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0).delete(_CLAIM_KEY.format(redis_db))
    db_name = getattr(config, "_mamc_pg_db", None)
    if db_name:
        try:
            from app.db.session import get_sync_engine

            get_sync_engine().dispose()
        except Exception:  # teardown must not mask test results
            pass
        _drop_pg_database(db_name)
