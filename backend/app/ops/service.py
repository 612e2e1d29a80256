"""Backups and restores: the database dump plus a manifest of the object store, in one archive.

An archive `mamc-<UTC timestamp>.tar` holds:
  meta.json              format version, creation time, database kind, member checksums
  database.pgdump        `pg_dump -Fc` (PostgreSQL)   -- or database.sqlite3 (SQLite)
  objects-manifest.json  every object in the media store: key, size, etag (+ sha256 when local)
and sits next to `mamc-<UTC timestamp>.tar.sha256` (the `sha256sum` format, so
`sha256sum -c` checks it by hand too). Archives live in a BackupStore: a directory (BACKUP_DIR,
default var/backups) or, when S3 is configured, BACKUP_BUCKET/S3_BUCKET under BACKUP_PREFIX.

Restores verify the checksum first and only ever go into an EMPTY database.
Object data is not copied: S3 versioning/replication keeps it; the manifest says what a given
database state expects to find (docs/RUNBOOK.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import structlog
from sqlalchemy.engine import URL, make_url

from app.core.config import Settings
from app.core.storage import ObjectStore

log = structlog.get_logger(__name__)

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "mamc-"
ARCHIVE_SUFFIX = ".tar"
CHECKSUM_SUFFIX = ".sha256"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
PG_DUMP_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
MANIFEST_MEMBER = "objects-manifest.json"
META_MEMBER = "meta.json"


class BackupError(Exception):
    """Anything that stops a backup or a restore; the message is one line for operators."""

    exit_code = 1


class ChecksumMismatch(BackupError):
    pass


class TargetNotEmpty(BackupError):
    exit_code = 2


# --- naming and retention ----------------------------------------------------------------------


def archive_name(when: dt.datetime) -> str:
    return f"{ARCHIVE_PREFIX}{when.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)}{ARCHIVE_SUFFIX}"


def parse_archive_time(name: str) -> dt.datetime | None:
    if not (name.startswith(ARCHIVE_PREFIX) and name.endswith(ARCHIVE_SUFFIX)):
        return None
    stamp = name[len(ARCHIVE_PREFIX) : -len(ARCHIVE_SUFFIX)]
    try:
        return dt.datetime.strptime(stamp, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def select_retained(names: Iterable[str], keep_daily: int, keep_weekly: int) -> set[str]:
    """Grandfather-father retention: the newest archive of each of the `keep_daily` most recent
    days that have one, plus the newest of each of the `keep_weekly` most recent ISO weeks.
    The newest archive overall is always kept. Names that are not archives are ignored."""
    dated = sorted(
        ((when, name) for name in names if (when := parse_archive_time(name)) is not None),
        reverse=True,
    )
    if not dated:
        return set()
    keep = {dated[0][1]}
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    for when, name in dated:
        day = when.date()
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(name)
        iso = when.isocalendar()
        week = (iso.year, iso.week)
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.add(week)
            keep.add(name)
    return keep


# --- checksums ---------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(archive: Path) -> Path:
    return archive.with_name(archive.name + CHECKSUM_SUFFIX)


def write_checksum(archive: Path) -> Path:
    target = checksum_path(archive)
    target.write_text(f"{sha256_file(archive)}  {archive.name}\n")
    return target


def verify_checksum(archive: Path, checksum_file: Path | None = None) -> str:
    checksum_file = checksum_file or checksum_path(archive)
    if not archive.is_file():
        raise BackupError(f"no such archive: {archive}")
    if not checksum_file.is_file():
        raise ChecksumMismatch(f"no checksum file {checksum_file.name} next to {archive.name}")
    fields = checksum_file.read_text().split()
    expected = fields[0].lower() if fields else ""
    actual = sha256_file(archive)
    if expected != actual:
        raise ChecksumMismatch(
            f"checksum mismatch for {archive.name}: expected {expected or '?'}, got {actual}"
        )
    return actual


# --- databases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    url: URL

    @classmethod
    def from_url(cls, raw: str) -> Database:
        url = make_url(raw)
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise BackupError(f"unsupported database for backups: {url.get_backend_name()}")
        return cls(url)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        if not self.url.database or self.url.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return Path(self.url.database)

    @property
    def name(self) -> str:
        return str(self.url.database or "")

    def libpq_env(self) -> dict[str, str]:
        """Connection settings for pg_dump/pg_restore/psycopg as PG* variables, so the password
        never appears on a command line."""
        env = {"PGDATABASE": self.name, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "mamc-ops"}
        if self.url.host:
            env["PGHOST"] = self.url.host
        if self.url.port:
            env["PGPORT"] = str(self.url.port)
        if self.url.username:
            env["PGUSER"] = self.url.username
        if self.url.password:
            env["PGPASSWORD"] = str(self.url.password)
        return env

    def connect(self) -> Any:
        import psycopg

        env = self.libpq_env()
        return psycopg.connect(
            host=env.get("PGHOST"),
            port=env.get("PGPORT"),
            user=env.get("PGUSER"),
            password=env.get("PGPASSWORD"),
            dbname=env["PGDATABASE"],
            connect_timeout=10,
        )


# Debian/Ubuntu (and the PGDG packages the images install) put each major's client tools here.
PG_LIB_DIRS = (Path("/usr/lib/postgresql"),)


def server_major(db: Database) -> int:
    try:
        conn = db.connect()
    except Exception as exc:
        raise BackupError(f"cannot connect to database {db.name!r}: {exc}".splitlines()[0]) from exc
    with conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    return int(row[0]) // 10000


def tool_major(binary: str) -> int | None:
    """The major version a pg_dump/pg_restore binary reports (`pg_dump (PostgreSQL) 16.4`)."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    words = out.split()
    return int(words[-1].split(".")[0]) if words and words[-1].split(".")[0].isdigit() else None


def find_pg_tool(
    tool: str, server: int, *, lib_dirs: tuple[Path, ...] = PG_LIB_DIRS, search_path: bool = True
) -> str:
    """The `tool` (pg_dump, pg_restore) that can talk to a server of major version `server`: the
    same major if installed, else the oldest newer one (pg_dump refuses newer servers)."""
    candidates: dict[str, int] = {}
    for root in lib_dirs:
        for binary in sorted(root.glob(f"*/bin/{tool}")):
            major = tool_major(str(binary))
            if major is not None:
                candidates[str(binary)] = major
    on_path = shutil.which(tool) if search_path else None
    if on_path:
        major = tool_major(on_path)
        if major is not None:
            candidates.setdefault(on_path, major)
    usable = sorted((major, binary) for binary, major in candidates.items() if major >= server)
    if not usable:
        have = ", ".join(sorted({str(m) for m in candidates.values()})) or "none"
        raise BackupError(
            f"{tool} for PostgreSQL {server} is not installed (found: {have}); "
            f"install postgresql-client-{server}"
        )
    return usable[0][1]


def _run(cmd: list[str], env: dict[str, str]) -> None:
    binary = cmd[0] if os.path.isabs(cmd[0]) else shutil.which(cmd[0])
    if binary is None:
        raise BackupError(f"{cmd[0]} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run([binary, *cmd[1:]], env={**os.environ, **env}, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackupError(f"{Path(cmd[0]).name} failed ({result.returncode}): {detail}")


def dump_database(db: Database, dest_dir: Path) -> Path:
    if db.is_sqlite:
        target = dest_dir / SQLITE_MEMBER
        if not db.sqlite_path.is_file():
            raise BackupError(f"no SQLite database at {db.sqlite_path}")
        with sqlite3.connect(db.sqlite_path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    target = dest_dir / PG_DUMP_MEMBER
    pg_dump = find_pg_tool("pg_dump", server_major(db))
    _run([pg_dump, "-Fc", "--no-owner", "--no-privileges", "-f", str(target)], db.libpq_env())
    return target


def is_database_empty(db: Database) -> bool:
    """True when the database has no user relations (tables, views, sequences) and no user types.
    A missing SQLite file counts as empty; a missing PostgreSQL database is an error."""
    if db.is_sqlite:
        if not db.sqlite_path.exists():
            return True
        with sqlite3.connect(db.sqlite_path) as conn:
            row = conn.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()
        return int(row[0]) == 0
    try:
        conn = db.connect()
    except Exception as exc:
        raise BackupError(f"cannot connect to database {db.name!r}: {exc}".splitlines()[0]) from exc
    with conn:
        row = conn.execute(
            """
            SELECT
              (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%')
            + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE t.typtype IN ('e', 'd', 'r')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema'))
            """
        ).fetchone()
    return int(row[0]) == 0


def load_database(db: Database, dump: Path) -> None:
    if db.is_sqlite:
        target = db.sqlite_path
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(dump) as source, sqlite3.connect(target) as dest:
            source.backup(dest)
        return
    _run(
        [
            find_pg_tool("pg_restore", server_major(db)),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            db.name,
            str(dump),
        ],
        db.libpq_env(),
    )


# --- object manifest ---------------------------------------------------------------------------


def build_manifest(store: ObjectStore, *, exclude_prefixes: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every object in the media store with its size and etag; local stores add a sha256."""
    root: Path | None = getattr(store, "root", None)
    objects = []
    total = 0
    for info in store.list_objects(""):
        if any(info.key.startswith(prefix) for prefix in exclude_prefixes if prefix):
            continue
        entry: dict[str, Any] = {"key": info.key, "size": info.size, "etag": info.etag}
        if root is not None:
            entry["sha256"] = sha256_file(root / info.key)
        objects.append(entry)
        total += info.size
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "count": len(objects),
        "total_bytes": total,
        "objects": objects,
    }


# --- archives ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupArchive:
    archive: Path
    checksum: Path
    sha256: str
    database_kind: str
    object_count: int

    @property
    def name(self) -> str:
        return self.archive.name


def create_archive(
    database_url: str,
    out_dir: Path,
    *,
    object_store: ObjectStore | None = None,
    exclude_prefixes: tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> BackupArchive:
    db = Database.from_url(database_url)
    when = now or dt.datetime.now(dt.UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / archive_name(when)
    with tempfile.TemporaryDirectory(prefix="mamc-backup-") as tmp:
        work = Path(tmp)
        dump = dump_database(db, work)
        manifest: dict[str, Any] = {"count": 0, "total_bytes": 0, "objects": []}
        if object_store is not None:
            manifest = build_manifest(object_store, exclude_prefixes=exclude_prefixes)
        (work / MANIFEST_MEMBER).write_text(json.dumps(manifest, indent=1))
        meta = {
            "format": FORMAT_VERSION,
            "created_at": when.isoformat(),
            "database": "sqlite" if db.is_sqlite else "postgresql",
            "database_member": dump.name,
            "members": {
                dump.name: sha256_file(dump),
                MANIFEST_MEMBER: sha256_file(work / MANIFEST_MEMBER),
            },
            "objects": manifest["count"],
        }
        (work / META_MEMBER).write_text(json.dumps(meta, indent=1))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            for member in (META_MEMBER, dump.name, MANIFEST_MEMBER):
                tar.add(work / member, arcname=member)
        partial.replace(archive)
    checksum = write_checksum(archive)
    log.info(
        "backup_created",
        archive=archive.name,
        database=meta["database"],
        objects=manifest["count"],
        bytes=archive.stat().st_size,
    )
    return BackupArchive(
        archive, checksum, sha256_file(archive), str(meta["database"]), int(manifest["count"])
    )


@dataclass(frozen=True)
class RestoreResult:
    archive: str
    database: str
    objects_in_manifest: int


def restore_archive(archive: Path, database_url: str, *, checksum_file: Path | None = None) -> RestoreResult:
    """Verify, unpack and load an archive into an EMPTY database (TargetNotEmpty otherwise)."""
    verify_checksum(archive, checksum_file)
    db = Database.from_url(database_url)
    with tempfile.TemporaryDirectory(prefix="mamc-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive, "r") as tar:
                tar.extractall(work, filter="data")
            meta = json.loads((work / META_MEMBER).read_text())
        except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
            raise BackupError(f"unreadable archive {archive.name}: {exc}") from exc
        for member, digest in meta.get("members", {}).items():
            if sha256_file(work / member) != digest:
                raise ChecksumMismatch(f"member {member} of {archive.name} is corrupt")
        kind = "sqlite" if db.is_sqlite else "postgresql"
        if meta.get("database") != kind:
            raise BackupError(f"archive holds a {meta.get('database')} dump; target is {kind}")
        if not is_database_empty(db):
            where = db.sqlite_path if db.is_sqlite else db.name
            raise TargetNotEmpty(
                f"refusing to restore into non-empty database {where}: "
                "restore only into a freshly created, empty database"
            )
        load_database(db, work / str(meta["database_member"]))
    log.info("backup_restored", archive=archive.name, database=kind)
    return RestoreResult(archive.name, kind, int(meta.get("objects", 0)))


# --- where archives are kept -------------------------------------------------------------------


class BackupStore(Protocol):
    description: str

    def put(self, archive: Path, checksum: Path) -> None: ...
    def names(self) -> list[str]: ...
    def fetch(self, name: str, dest_dir: Path) -> Path: ...
    def delete(self, name: str) -> None: ...


class LocalBackupStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = str(root)

    def put(self, archive: Path, checksum: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for path in (archive, checksum):
            if path.parent.resolve() != self.root.resolve():
                shutil.copyfile(path, self.root / path.name)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if parse_archive_time(p.name))

    def fetch(self, name: str, dest_dir: Path) -> Path:
        source = self.root / name
        if not source.is_file():
            raise BackupError(f"no backup named {name} in {self.root}")
        return source

    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)
        (self.root / (name + CHECKSUM_SUFFIX)).unlink(missing_ok=True)


class ObjectBackupStore:
    """Archives as objects under a prefix of an ObjectStore (app.core.storage)."""

    def __init__(self, store: ObjectStore, prefix: str, description: str) -> None:
        self.store = store
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.description = description

    def put(self, archive: Path, checksum: Path) -> None:
        self.store.put_file(self.prefix + archive.name, archive, "application/x-tar")
        self.store.put_file(self.prefix + checksum.name, checksum, "text/plain")

    def names(self) -> list[str]:
        found = (info.key[len(self.prefix) :] for info in self.store.list_objects(self.prefix))
        return sorted(name for name in found if parse_archive_time(name))

    def fetch(self, name: str, dest_dir: Path) -> Path:
        if self.store.head(self.prefix + name) is None:
            raise BackupError(f"no backup named {name} in {self.description}")
        dest = dest_dir / name
        self.store.download(self.prefix + name, dest)
        if self.store.head(self.prefix + name + CHECKSUM_SUFFIX) is not None:
            self.store.download(self.prefix + name + CHECKSUM_SUFFIX, checksum_path(dest))
        return dest

    def delete(self, name: str) -> None:
        self.store.delete(self.prefix + name)
        self.store.delete(self.prefix + name + CHECKSUM_SUFFIX)


def local_backup_dir(settings: Settings) -> Path:
    return settings.backup_dir or (settings.var_dir / "backups")


def backup_store_for(settings: Settings) -> BackupStore:
    """S3 configured: the backup bucket (or the media bucket) under BACKUP_PREFIX. Otherwise a
    local directory -- never the local media store, which nginx serves under /media/."""
    if settings.uses_s3:
        from app.core.storage import S3ObjectStore

        bucket = settings.backup_bucket or settings.s3_bucket
        store = S3ObjectStore(settings.model_copy(update={"s3_bucket": bucket}))
        return ObjectBackupStore(store, settings.backup_prefix, f"s3://{bucket}/{settings.backup_prefix}")
    return LocalBackupStore(local_backup_dir(settings))


def prune(store: BackupStore, keep_daily: int, keep_weekly: int) -> list[str]:
    names = store.names()
    keep = select_retained(names, keep_daily, keep_weekly)
    doomed = [name for name in names if name not in keep]
    for name in doomed:
        store.delete(name)
    if doomed:
        log.info("backups_pruned", deleted=len(doomed), kept=len(keep))
    return doomed


# --- the whole job -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupRun:
    archive: str
    sha256: str
    stored_in: str
    objects: int
    pruned: list[str]


def run_backup(settings: Settings, *, now: dt.datetime | None = None) -> BackupRun:
    """Dump, manifest, archive + checksum, upload, prune: what the beat job and the CLI run."""
    from app.core.storage import build_object_store

    store = backup_store_for(settings)
    media = build_object_store(settings)
    excluded = (settings.backup_prefix,) if settings.uses_s3 and not settings.backup_bucket else ()
    if isinstance(store, LocalBackupStore):
        made = create_archive(
            settings.sync_database_url,
            store.root,
            object_store=media,
            exclude_prefixes=excluded,
            now=now,
        )
    else:
        with tempfile.TemporaryDirectory(prefix="mamc-backup-out-") as tmp:
            made = create_archive(
                settings.sync_database_url,
                Path(tmp),
                object_store=media,
                exclude_prefixes=excluded,
                now=now,
            )
            store.put(made.archive, made.checksum)
    pruned = prune(store, settings.backup_keep_daily, settings.backup_keep_weekly)
    return BackupRun(made.name, made.sha256, store.description, made.object_count, pruned)


def resolve_archive(settings: Settings, ref: str, dest_dir: Path) -> Path:
    """A local path if `ref` is one; otherwise a backup name (or 'latest') in the backup store."""
    path = Path(ref)
    if path.is_file():
        return path
    store = backup_store_for(settings)
    if ref == "latest":
        names = store.names()
        if not names:
            raise BackupError(f"no backups in {store.description}")
        ref = names[-1]
    return store.fetch(Path(ref).name, dest_dir)


def iter_backups(settings: Settings) -> Iterator[str]:
    yield from backup_store_for(settings).names()
