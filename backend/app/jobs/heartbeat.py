"""A running job's heartbeat, kept apart from its progress.

Progress reports come when the work advances; a long download, one slow segment upload or a
render without callbacks can go minutes without one. The job reaper (app/jobs/engine.py) must
nevertheless tell a busy worker from a dead one within JOB_HEARTBEAT_SECONDS + their stale
limit, so while a job runs a daemon thread refreshes its heartbeat every JOB_HEARTBEAT_SECONDS.
The thread dies with the worker process (SIGKILL, OOM, time limit): the heartbeat then stops and
the reaper requeues the job. It stops by itself once the job's lease is lost; the run notices at
its next progress write, which checks the lease too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

import structlog

log = structlog.get_logger(__name__)


class Keepalive:
    """`with Keepalive(touch, every=15.0, lost=(LeaseLost,)):` calls `touch()` every `every`
    seconds in a daemon thread until the block ends or `touch` raises one of `lost`."""

    def __init__(
        self,
        touch: Callable[[], None],
        *,
        every: float,
        lost: tuple[type[BaseException], ...] = (),
        name: str = "job-heartbeat",
    ) -> None:
        self._touch = touch
        self._every = every
        self._lost = lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.lease_lost = False

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self._touch()
            except self._lost:
                self.lease_lost = True
                return
            except Exception as exc:  # a database blip: the next beat may get through
                log.warning("job_heartbeat_failed", error=type(exc).__name__)

    def __enter__(self) -> Keepalive:
        if self._every > 0:
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=max(5.0, self._every))
