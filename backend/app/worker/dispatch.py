"""How services hand work to workers without holding Celery objects themselves.

A service calls `enqueue_after_commit(session, "media.process_video", str(video_id))` inside its
transaction: the task is sent once that transaction commits, and dropped if it rolls back, so a
worker never looks for a row that is not there (yet). `enqueue(...)` sends at once (callers that
have already committed, or that hold no session).

Sending talks to the broker (network or disk): from async code it runs in a worker thread, so the
event loop is never blocked; the task id is chosen here and returned at once.
Task names start with their queue (`default.`, `media.`, `studio.`); routing follows the prefix.
With CELERY_TASK_ALWAYS_EAGER (some tests), the task runs inline instead.
"""

from __future__ import annotations

import asyncio
import uuid
from functools import partial
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from app.worker.celery_app import celery_app

log = structlog.get_logger(__name__)

_AFTER_COMMIT = "mamc_tasks_after_commit"
_sending: set[asyncio.Future[Any]] = set()  # strong references until each send finishes


def enqueue(task_name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> str:
    if celery_app.conf.task_always_eager:
        if task_name not in celery_app.tasks:
            celery_app.loader.import_default_modules()
        result = celery_app.tasks[task_name].apply(args=args, kwargs=kwargs)
        return str(result.id)
    task_id = str(uuid.uuid4())
    send = partial(
        celery_app.send_task, task_name, args=args, kwargs=kwargs, countdown=countdown, task_id=task_id
    )
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a worker, beat or the CLI: plain synchronous code
        send()
        return task_id
    future = loop.run_in_executor(None, send)
    _sending.add(future)
    future.add_done_callback(partial(_sent, task_name, task_id))
    return task_id


def _sent(task_name: str, task_id: str, future: asyncio.Future[Any]) -> None:
    _sending.discard(future)
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:  # the rows are committed; each domain's reaper re-enqueues lost work
        log.error("task_enqueue_failed", task=task_name, task_id=task_id, error_type=type(error).__name__)


async def wait_for_sends() -> None:
    """Until every task handed to the broker from this process has been sent (tests, shutdown)."""
    while _sending:
        await asyncio.gather(*list(_sending), return_exceptions=True)


def enqueue_after_commit(session: AsyncSession | Session, task_name: str, *args: Any, **kwargs: Any) -> None:
    """Send the task when `session`'s transaction commits; forget it if the transaction rolls back."""
    sync_session = session.sync_session if isinstance(session, AsyncSession) else session
    if not sync_session.in_transaction():
        sync_session.begin()  # no I/O; makes "the transaction" exist, so a rollback can drop the task
    sync_session.info.setdefault(_AFTER_COMMIT, []).append((task_name, args, kwargs))


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    for task_name, args, kwargs in session.info.pop(_AFTER_COMMIT, []):
        enqueue(task_name, *args, **kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work queued
        session.info.pop(_AFTER_COMMIT, None)
