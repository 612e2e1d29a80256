"""The one job engine: lease, heartbeat, attempts, backoff, reaper and per-run work directories,
for every domain that hands work to a Celery worker (media processing, studio analyses; next
knowledge extraction, dubbing, the coach, exports, analytics rollups).

Why a descriptor over each domain's own job rows, not one shared `jobs` table: a job's state is
read and changed in the same transactions as its domain row (a video leaves `processing` in the
transaction that lands its renditions; an attempt *is* its job and its status is what the web
client shows). One `jobs` table would add a join and a second row to lock to every one of those,
and a data migration of live rows, for no behaviour gained. What must not exist twice is the
mechanism, so a domain declares which of its columns hold the engine's fields (`JobTable`) —
new domains take them from `JobColumns` — and this module owns every read and write of them:

- **claim**: one conditional UPDATE takes a queued job, or a running one whose heartbeat is older
  than the stale limit (its worker died), with a fresh lease and `attempts + 1`. Anything else
  (done, failed, held by a live run) makes the run a no-op, so a redelivered message, a reaper
  requeue and a Celery retry can overlap without double effects.
- **lease**: every later write of the run (`beat`, `settle`, `release`) lands only while the
  row still holds the run's lease; otherwise `LeaseLost` and the run stops without touching
  state.
- **heartbeat**: progress writes refresh it, and while a job runs a background thread
  (`Lease.keepalive`, app/jobs/heartbeat.py) refreshes it every JOB_HEARTBEAT_SECONDS, so a busy
  run without progress reports never looks dead.
- **reaper** (`reap`): running rows without a heartbeat for the stale limit go back to queued (a
  dead worker is found within JOB_HEARTBEAT_SECONDS + stale + one reaper interval, under two
  minutes; tests/ops/test_production_settings.py checks every reaper's schedule), queued rows
  waiting for JOB_LOST_AFTER_SECONDS (a lost message) are enqueued again; the domain decides per
  row (cancel, fail after too many attempts, or requeue).
- **attempts and backoff**: `attempts` counts runs; the domain fails a job past its limit;
  transient faults are retried by the task after `retry_countdown` (exponential, capped).
- **work directories** (`run_dir`): `var/work/<domain>/<job>/<run>/`, one per run and removed
  after it: two runs of one job (a takeover while the old run still finishes its step) never
  share or wipe each other's files.
- **outputs keyed by job**: a run writes its outputs under object keys derived from the job id
  (`output_prefix`), so a rerun overwrites them and two jobs never collide.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import structlog
from sqlalchemy import ColumnElement, Select, and_, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings
from app.db.session import sync_session
from app.jobs.heartbeat import Keepalive
from app.jobs.models import JobStatus
from app.jobs.outputs import output_prefix as output_prefix  # the engine's API includes it
from app.worker.dispatch import enqueue

log = structlog.get_logger(__name__)


class LeaseLost(Exception):
    """Another run owns the job now (or it was reset or cancelled): stop without touching state."""


@dataclass(frozen=True)
class JobTable:
    """Where one kind of job keeps the engine's fields: the model and the names of its columns
    (the defaults are `JobColumns`'). `task` is the Celery task that runs one job of this kind
    (the reaper enqueues it again)."""

    model: Any
    domain: str
    task: str
    running: Any = JobStatus.running
    queued: Any = JobStatus.pending
    status: str = "status"
    lease: str = "lease_id"
    attempts: str = "run_count"
    heartbeat: str = "heartbeat_at"
    started: str = "started_at"
    queued_since: str = "queued_at"

    def col(self, name: str) -> Any:
        return getattr(self.model, name)

    @property
    def id(self) -> Any:
        return self.model.id


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def _update(table: JobTable, where: ColumnElement[bool], values: dict[str, Any]) -> Any:
    return (
        update(table.model)
        .where(where)
        .values({table.col(k): v for k, v in values.items()})
        .execution_options(synchronize_session=False)
    )


# --- claim and lease ----------------------------------------------------------------------------


def claimable(
    table: JobTable, *, stale_before: datetime, takeover: ColumnElement[bool] | None = None
) -> ColumnElement[bool]:
    """Queued, or running without a heartbeat since `stale_before` (or matching `takeover`, e.g.
    the same Celery task redelivered after its worker died)."""
    heartbeat = table.col(table.heartbeat)
    dead = or_(heartbeat < stale_before, heartbeat.is_(None))
    if takeover is not None:
        dead = or_(dead, takeover)
    status = table.col(table.status)
    return or_(status == table.queued, and_(status == table.running, dead))


def claim(
    session: Session,
    table: JobTable,
    job_id: uuid.UUID,
    *,
    stale_before: datetime,
    takeover: ColumnElement[bool] | None = None,
    values: dict[str, Any] | None = None,
) -> str | None:
    """Take the job for this run: its new lease, or None when it is not claimable. `values`: the
    domain's own columns to set in the same UPDATE."""
    lease, now = uuid.uuid4().hex, utcnow()
    taken = session.execute(
        _update(
            table,
            and_(table.id == job_id, claimable(table, stale_before=stale_before, takeover=takeover)),
            {
                table.status: table.running,
                table.lease: lease,
                table.attempts: table.col(table.attempts) + 1,
                table.started: now,
                table.heartbeat: now,
                **(values or {}),
            },
        )
    )
    return lease if _rowcount(taken) == 1 else None


def held(table: JobTable, job_id: uuid.UUID, lease: str) -> ColumnElement[bool]:
    """The row is running under this lease."""
    return and_(table.id == job_id, table.col(table.status) == table.running, table.col(table.lease) == lease)


def beat(session: Session, table: JobTable, job_id: uuid.UUID, lease: str, **values: Any) -> None:
    """Refresh the heartbeat (and write `values`, e.g. progress) under the lease; LeaseLost if the
    run no longer holds it."""
    written = session.execute(
        _update(table, held(table, job_id, lease), {table.heartbeat: utcnow(), **values})
    )
    if _rowcount(written) != 1:
        raise LeaseLost(str(job_id))


def settle(
    session: Session, table: JobTable, job_id: uuid.UUID, lease: str | None, status: Any, **values: Any
) -> bool:
    """Land the run's outcome (`status`, e.g. ready or failed) if it still holds the lease (any
    holder when `lease` is None: a task that gives up). Returns whether it landed."""
    where = table.id == job_id if lease is None else held(table, job_id, lease)
    done = session.execute(_update(table, where, {table.status: status, table.heartbeat: utcnow(), **values}))
    return _rowcount(done) == 1


def release(
    session: Session,
    table: JobTable,
    job_id: uuid.UUID,
    *,
    lease: str | None = None,
    holder: ColumnElement[bool] | None = None,
    **values: Any,
) -> bool:
    """Give a running job back to the queue for a retry (keeps `attempts`): the run holding
    `lease`, or the one matching `holder`. Returns whether it was given back."""
    where = and_(table.id == job_id, table.col(table.status) == table.running)
    if lease is not None:
        where = and_(where, table.col(table.lease) == lease)
    if holder is not None:
        where = and_(where, holder)
    queued = {table.status: table.queued, table.lease: None, table.queued_since: utcnow(), **values}
    return _rowcount(session.execute(_update(table, where, queued))) == 1


@dataclass(frozen=True)
class Lease:
    """One claimed run of one job."""

    table: JobTable
    job_id: uuid.UUID
    lease: str

    def touch(self) -> None:
        """Refresh only the heartbeat (the keepalive thread); LeaseLost if the lease is gone."""
        with sync_session() as session:
            beat(session, self.table, self.job_id, self.lease)

    def keepalive(self, every: float) -> Keepalive:
        """`with lease.keepalive(settings.job_heartbeat_seconds):` around the run's work."""
        return Keepalive(self.touch, every=every, lost=(LeaseLost,))


def retry_countdown(retries: int, *, base: float, cap: float = 300.0) -> float:
    """Seconds before a task's next try after a transient fault: base, 2·base, 4·base... capped."""
    return float(min(cap, base * 2**retries))


# --- the reaper ---------------------------------------------------------------------------------


def stuck(
    table: JobTable,
    *,
    stale_before: datetime,
    lost_before: datetime,
    only: Collection[uuid.UUID] | None = None,
) -> Select[Any]:
    """Running rows whose worker died, queued rows whose message was lost (a job merely waiting
    behind others must not be enqueued twice). `only` limits it to those ids (a test reaps its
    own rows, not other tests')."""
    heartbeat, status = table.col(table.heartbeat), table.col(table.status)
    query = select(table.model).where(
        or_(
            and_(status == table.running, or_(heartbeat < stale_before, heartbeat.is_(None))),
            and_(status == table.queued, table.col(table.queued_since) < lost_before),
        )
    )
    if only is not None:
        query = query.where(table.id.in_(list(only)))
    return query


Decide = Callable[[Session, Any], bool]
"""decide(session, row) -> requeue it? The domain may cancel or fail the row instead (and say no)."""


def reap(
    tables: Sequence[JobTable],
    *,
    stale_before: datetime,
    lost_before: datetime,
    only: Collection[uuid.UUID] | None = None,
    decide: Decide | None = None,
    values: dict[str, Any] | None = None,
) -> list[tuple[JobTable, uuid.UUID]]:
    """Put stuck jobs back to queued (lease cleared, `values` set) in one transaction, rows locked
    with SKIP LOCKED so two reapers never requeue one job twice. Returns what it requeued; the
    caller enqueues them once this has committed (`requeue` does both)."""
    requeued: list[tuple[JobTable, uuid.UUID]] = []
    now = utcnow()
    with sync_session() as session:
        for table in tables:
            query = stuck(table, stale_before=stale_before, lost_before=lost_before, only=only)
            for row in session.scalars(query.with_for_update(skip_locked=True)).all():
                if decide is not None and not decide(session, row):
                    continue
                if getattr(row, table.status) == table.running:
                    log.warning("job_requeued", domain=table.domain, job_id=str(row.id))
                setattr(row, table.status, table.queued)
                setattr(row, table.lease, None)
                setattr(row, table.queued_since, now)
                for name, value in (values or {}).items():
                    setattr(row, name, value)
                requeued.append((table, row.id))
    return requeued


def requeue(requeued: Sequence[tuple[JobTable, uuid.UUID]]) -> None:
    """Enqueue each reaped job's task again (after the reap committed)."""
    for table, job_id in requeued:
        enqueue(table.task, str(job_id))


# --- work directories ---------------------------------------------------------------


@contextmanager
def run_dir(settings: Settings, domain: str, job_id: uuid.UUID) -> Iterator[Path]:
    """A fresh directory for one run of one job, removed when the run ends."""
    path = settings.var_dir / "work" / domain / str(job_id) / uuid.uuid4().hex
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):  # another run of the job may still use the parent
            path.parent.rmdir()
