"""Backups on a real PostgreSQL: dump -> drop/recreate -> restore gives back the same rows; a
tampered archive and a non-empty target are refused. Each test makes its own scratch databases
(unique names) and drops them afterwards; skipped only when PostgreSQL is unreachable."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.config import Settings
from app.core.storage import LocalObjectStore
from app.ops import service

BACKEND = Path(__file__).resolve().parents[2]
PG_HOST, PG_PORT = "127.0.0.1", 5432


def _admin_connect() -> tuple[Any, str]:
    import psycopg

    last: Exception | None = None
    for user in ("postgres", "root", os.environ.get("USER", "")):
        if not user:
            continue
        try:
            conn = psycopg.connect(
                host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", connect_timeout=3, autocommit=True
            )
            return conn, user
        except Exception as exc:
            last = exc
    raise RuntimeError(f"PostgreSQL unreachable: {last}")


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[tuple[Any, str]]:
    try:
        conn, user = _admin_connect()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    yield conn, user
    conn.close()


DbFactory = Callable[[], str]


@pytest.fixture
def scratch_db(pg_admin: tuple[Any, str]) -> Iterator[DbFactory]:
    """Creates empty databases with unique names; drops every one of them at the end."""
    conn, user = pg_admin
    made: list[str] = []

    def create() -> str:
        name = f"mamc_ops_{uuid.uuid4().hex[:12]}"
        conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}"

    yield create
    for name in made:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _connect(url: str) -> Any:
    return service.Database.from_url(url).connect()


def _recreate_empty(pg_admin: tuple[Any, str], url: str) -> None:
    conn, _ = pg_admin
    name = service.Database.from_url(url).name
    conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')


SCHEMA = """
CREATE TYPE belt AS ENUM ('white', 'yellow', 'black');
CREATE TABLE students (
    id bigserial PRIMARY KEY, email text UNIQUE NOT NULL, belt belt NOT NULL,
    profile jsonb NOT NULL DEFAULT '{}', joined timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE videos (
    id uuid PRIMARY KEY, owner_id bigint NOT NULL REFERENCES students(id),
    title text NOT NULL, price_minor integer NOT NULL, thumb bytea
);
CREATE INDEX videos_owner ON videos(owner_id);
CREATE VIEW video_counts AS SELECT owner_id, count(*) AS n FROM videos GROUP BY owner_id;
"""


def _populate(url: str) -> None:
    with _connect(url) as conn:
        conn.execute(SCHEMA)
        for i in range(250):
            conn.execute(
                "INSERT INTO students (email, belt, profile) VALUES (%s, %s, %s::jsonb)",
                (f"s{i}@dojo.test", ("white", "yellow", "black")[i % 3], f'{{"n": {i}, "k": "kata"}}'),
            )
        for i in range(600):
            conn.execute(
                "INSERT INTO videos (id, owner_id, title, price_minor, thumb) VALUES (%s,%s,%s,%s,%s)",
                (uuid.UUID(int=i + 1), (i % 250) + 1, f"Kata {i} — 型", i * 100, bytes([i % 256]) * 32),
            )


def _fingerprint(url: str) -> dict[str, Any]:
    with _connect(url) as conn:
        return {
            "students": conn.execute(
                "SELECT count(*), md5(string_agg(s::text, '|' ORDER BY id)) FROM students s"
            ).fetchone(),
            "videos": conn.execute(
                "SELECT count(*), md5(string_agg(v::text, '|' ORDER BY id)) FROM videos v"
            ).fetchone(),
            "view": conn.execute("SELECT sum(n) FROM video_counts").fetchone(),
            "sequence": conn.execute("SELECT last_value FROM students_id_seq").fetchone(),
        }


@pytest.fixture
def media_store(tmp_path: Path) -> LocalObjectStore:
    store = LocalObjectStore(tmp_path / "objects", base_url="http://t", secret=b"k" * 32)
    store.put_bytes("videos/v1/hls/index.m3u8", b"#EXTM3U\n")
    store.put_bytes("videos/v1/hls/seg-00001.ts", b"\x47" * 188)
    store.put_bytes("backups/should-be-skipped.tar", b"x")
    return store


def _run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.ops", *args],
        cwd=BACKEND,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_backup_then_restore_into_recreated_database_gives_identical_rows(
    pg_admin: tuple[Any, str], scratch_db: DbFactory, tmp_path: Path, media_store: LocalObjectStore
) -> None:
    url = scratch_db()
    _populate(url)
    before = _fingerprint(url)

    made = service.create_archive(
        url, tmp_path / "out", object_store=media_store, exclude_prefixes=("backups/",)
    )
    assert made.database_kind == "postgresql"
    assert made.object_count == 2
    assert made.checksum.read_text().split() == [made.sha256, made.archive.name]
    # the checksum file is in `sha256sum -c` format
    check = subprocess.run(
        ["sha256sum", "-c", made.checksum.name], cwd=made.archive.parent, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

    _recreate_empty(pg_admin, url)
    assert service.is_database_empty(service.Database.from_url(url))
    result = service.restore_archive(made.archive, url)

    assert result.database == "postgresql" and result.objects_in_manifest == 2
    after = _fingerprint(url)
    assert after == before
    assert after["students"][0] == 250 and after["videos"][0] == 600


def test_manifest_lists_media_objects_with_sizes_and_sha256(
    scratch_db: DbFactory, tmp_path: Path, media_store: LocalObjectStore
) -> None:
    import json
    import tarfile

    made = service.create_archive(
        scratch_db(), tmp_path, object_store=media_store, exclude_prefixes=("backups/",)
    )
    with tarfile.open(made.archive) as tar:
        assert sorted(tar.getnames()) == ["database.pgdump", "meta.json", "objects-manifest.json"]
        member = tar.extractfile("objects-manifest.json")
        assert member is not None
        manifest = json.load(member)
    by_key = {entry["key"]: entry for entry in manifest["objects"]}
    assert set(by_key) == {"videos/v1/hls/index.m3u8", "videos/v1/hls/seg-00001.ts"}
    seg = by_key["videos/v1/hls/seg-00001.ts"]
    assert seg["size"] == 188
    assert seg["sha256"] == service.hashlib.sha256(b"\x47" * 188).hexdigest()
    assert manifest["total_bytes"] == 188 + len(b"#EXTM3U\n")


def test_tampered_archive_is_refused_before_the_database_is_touched(
    scratch_db: DbFactory, tmp_path: Path
) -> None:
    source = scratch_db()
    _populate(source)
    made = service.create_archive(source, tmp_path)
    data = bytearray(made.archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    made.archive.write_bytes(bytes(data))

    target = scratch_db()
    with pytest.raises(service.ChecksumMismatch, match="checksum mismatch"):
        service.restore_archive(made.archive, target)
    assert service.is_database_empty(service.Database.from_url(target))

    cli = _run_cli("restore", str(made.archive), "--database-url", target)
    assert cli.returncode == 1
    assert cli.stderr.strip().startswith("error: checksum mismatch")
    assert len(cli.stderr.strip().splitlines()) == 1

    made.checksum.unlink()
    with pytest.raises(service.ChecksumMismatch, match="no checksum file"):
        service.restore_archive(made.archive, target)


def test_restore_into_non_empty_database_exits_2_with_one_line_and_changes_nothing(
    scratch_db: DbFactory, tmp_path: Path
) -> None:
    source = scratch_db()
    _populate(source)
    made = service.create_archive(source, tmp_path)
    before = _fingerprint(source)

    cli = _run_cli("restore", str(made.archive), "--database-url", source)

    assert cli.returncode == 2, cli.stderr
    lines = cli.stderr.strip().splitlines()
    assert len(lines) == 1 and "non-empty database" in lines[0]
    assert _fingerprint(source) == before


def test_cli_backup_and_restore_use_the_configured_store_and_retention(
    scratch_db: DbFactory, tmp_path: Path
) -> None:
    source = scratch_db()
    _populate(source)
    backups = tmp_path / "backups"
    env = {
        "DATABASE_URL": source,
        "BACKUP_DIR": str(backups),
        "VAR_DIR": str(tmp_path / "var"),
        "S3_BUCKET": "",
        "BACKUP_KEEP_DAILY": "2",
        "BACKUP_KEEP_WEEKLY": "1",
    }
    # three older archives from three different days of one week, then a real one now
    now = dt.datetime.now(dt.UTC)
    backups.mkdir()
    for days in (3, 2, 1):
        old = backups / service.archive_name(now - dt.timedelta(days=days))
        old.write_bytes(b"old")
        service.write_checksum(old)

    made = _run_cli("backup", env=env)
    assert made.returncode == 0, made.stderr
    listed = _run_cli("list", env=env).stdout.split()
    assert len(listed) == 2, listed  # keep 2 daily (today + yesterday); the week is covered
    assert Path(made.stdout.strip().splitlines()[-1].split()[0]).name == listed[-1]
    assert service.archive_name(now - dt.timedelta(days=1)) in listed

    target = scratch_db()
    restored = _run_cli("restore", "latest", "--database-url", target, env=env)
    assert restored.returncode == 0, restored.stderr
    assert _fingerprint(target)["videos"] == _fingerprint(source)["videos"]


def test_sqlite_round_trip_and_refusal(tmp_path: Path) -> None:
    source = tmp_path / "src.db"
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        conn.executemany("INSERT INTO t (v) VALUES (?)", [(f"row{i}",) for i in range(50)])
    made = service.create_archive(f"sqlite:///{source}", tmp_path / "out")
    target = tmp_path / "restored.db"
    service.restore_archive(made.archive, f"sqlite:///{target}")
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*), group_concat(v) FROM t").fetchone() == (
            50,
            ",".join(f"row{i}" for i in range(50)),
        )
    with pytest.raises(service.TargetNotEmpty):
        service.restore_archive(made.archive, f"sqlite:///{target}")


def _names(*stamps: str) -> list[str]:
    return [f"mamc-{s}.tar" for s in stamps]


def test_retention_keeps_newest_per_day_for_n_days_and_per_week_for_m_weeks() -> None:
    start = dt.datetime(2025, 3, 31, 2, 0, tzinfo=dt.UTC)  # a Monday
    names = [service.archive_name(start + dt.timedelta(days=d)) for d in range(35)]
    names += [service.archive_name(start + dt.timedelta(days=34, hours=5))]  # 2nd of last day
    keep = service.select_retained([*names, "notes.txt"], keep_daily=7, keep_weekly=4)
    kept_days = sorted({service.parse_archive_time(n).date() for n in keep})  # type: ignore[union-attr]
    # the newest archive of the last 7 days...
    last = (start + dt.timedelta(days=34)).date()
    for d in range(7):
        assert last - dt.timedelta(days=d) in kept_days
    assert service.archive_name(start + dt.timedelta(days=34)) not in keep  # same day, older
    # ...plus the newest of each of the 4 most recent ISO weeks (Sundays), nothing else
    assert len(keep) == 7 + 3  # the newest week's Sunday is already a daily keeper
    assert service.select_retained([], 7, 4) == set()
    assert service.select_retained(names, 0, 0) == {max(names)}


def test_prune_deletes_archives_and_their_checksums(tmp_path: Path) -> None:
    store = service.LocalBackupStore(tmp_path)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for d in range(10):
        path = tmp_path / service.archive_name(start + dt.timedelta(days=d))
        path.write_bytes(b"x")
        service.write_checksum(path)
    deleted = service.prune(store, keep_daily=3, keep_weekly=0)
    assert len(deleted) == 7
    assert len(store.names()) == 3
    assert len(list(tmp_path.glob("*.sha256"))) == 3


def test_settings_defaults_for_retention() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.backup_keep_daily, settings.backup_keep_weekly) == (7, 4)
    assert service.local_backup_dir(settings) == settings.var_dir / "backups"
