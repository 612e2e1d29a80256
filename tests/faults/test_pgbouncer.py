"""PgBouncer in transaction mode in front of this machine's PostgreSQL, for real: psycopg's
automatic prepared statements break as soon as consecutive transactions land on different server
connections; DB_PGBOUNCER=true (prepare_threshold=None) keeps every query working."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from tests.prodlocal.topology import free_port

from app.core.config import Settings
from app.db.session import _engine_kwargs

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _as_postgres(command: list[str]) -> list[str]:
    """pgbouncer refuses to run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def pgbouncer(settings: Settings) -> Iterator[str]:
    if settings.is_sqlite:
        pytest.skip("needs PostgreSQL (services profile)")
    if not Path(PGBOUNCER).exists():
        pytest.skip("pgbouncer is not installed (make system-deps)")
    url = settings.sync_database_url
    db = url.rsplit("/", 1)[1]
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="mamc-pgbouncer-"))
    (folder / "users.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{db} = host=127.0.0.1 port=5432 dbname={db}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 2
min_pool_size = 2
server_round_robin = 1
logfile = {folder / "pgbouncer.log"}
pidfile = {folder / "pgbouncer.pid"}
"""
    )
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for child in folder.iterdir():
            shutil.chown(child, "postgres")
    proc = subprocess.Popen(_as_postgres([PGBOUNCER, str(folder / "pgbouncer.ini")]))
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        ).returncode:
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (folder / "pgbouncer.log").read_text() if (folder / "pgbouncer.log").exists() else ""
                raise RuntimeError(f"pgbouncer did not start:\n{log}")
            time.sleep(0.2)
        yield url.rsplit("@", 1)[0] + f"@127.0.0.1:{port}/{db}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _run_queries(url: str) -> None:
    """Client A repeats one query (psycopg prepares it after 5 runs, on the server connection A
    had); then client B takes that server connection and A's next transaction gets another one."""
    engine = create_engine(url, **_engine_kwargs(url))
    query = text("SELECT CAST(:n AS integer) + 1")
    try:
        with engine.connect() as a:
            for n in range(7):
                assert a.execute(query, {"n": n}).scalar() == n + 1
                a.commit()
            with engine.connect() as b:
                b.execute(text("SELECT 1"))  # B's transaction holds the server connection
                for n in range(3):
                    assert a.execute(query, {"n": n}).scalar() == n + 1
                    a.commit()
    finally:
        engine.dispose()


def test_prepared_statements_break_behind_pgbouncer_and_db_pgbouncer_fixes_it(
    pgbouncer: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "db_pgbouncer", False)
    with pytest.raises(DBAPIError, match="prepared statement"):
        _run_queries(pgbouncer)  # the defect, reproduced
    monkeypatch.setattr(settings, "db_pgbouncer", True)
    _run_queries(pgbouncer)
