"""A studio worker SIGKILLed mid-analysis: the reaper puts the attempt back, a fresh worker
finishes it exactly once, and a late redelivery of the original message is a no-op."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.core.storage import get_object_store
from app.db.session import sync_session
from app.studio import jobs, keys
from app.studio.models import JobStatus, StudioAttempt
from app.studio.service import ANALYSE_ATTEMPT_TASK
from app.worker.celery_app import celery_app

from .conftest import person_frames, upload_attempt, wait_for, write_mp4

pytestmark = pytest.mark.slow
API = "/api/v1/studio"
# Past the skeleton (stored at 60 %), before the outputs are uploaded (95 %): the killed run has
# left a partial output behind that the rerun must overwrite, not add to.
MID_WAY = ("comparing", "rendering_overlay", "rendering_plots")


def _row(attempt_id: uuid.UUID) -> StudioAttempt:
    with sync_session() as session:
        row = session.get(StudioAttempt, attempt_id)
        assert row is not None
        session.expunge(row)
        return row


def _keys_under(prefix: str) -> list[str]:
    return sorted(info.key for info in get_object_store().list_objects(prefix))


async def _wait_for(predicate: Callable[[], bool], seconds: float, what: str, worker: Any) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{worker.logs()[-4000:]}")


def _task_lines(worker: Any, task_id: str, *, settle: float = 0.0) -> list[str]:
    """What the worker's log says about one task: "received", "succeeded: '<result>'"... The
    worker logs an outcome just after storing the result: `settle` waits for that line."""
    marker = f"studio.analyse_attempt[{task_id}] "
    deadline = time.monotonic() + settle
    while True:
        found = []
        for line in worker.logs().splitlines():
            if marker in line:
                event = line.split(marker, 1)[1]
                found.append(
                    f"succeeded: {event.rsplit(': ', 1)[1]}" if event.startswith("succeeded") else event
                )
        if time.monotonic() >= deadline or any(e.startswith("succeeded") for e in found):
            return found
        time.sleep(0.1)


@pytest.fixture(scope="module")
def long_attempt(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """8 s of the flattened astronaut at 30 fps: long enough to be caught mid-analysis."""
    path = tmp_path_factory.mktemp("studio-crash") / "long-attempt.mp4"
    return write_mp4(path, person_frames(240, -0.4, squash_y=0.6), fps=30.0).read_bytes()


async def test_worker_killed_mid_analysis_attempt_completes_exactly_once(
    worker_factory: Callable[..., Any],
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    reference_skeleton: dict[str, Any],
    long_attempt: bytes,
) -> None:
    learner = auth_headers(student)
    reference = make_reference(instructor, skeleton=reference_skeleton)
    doomed = worker_factory()

    submitted = await upload_attempt(client, learner, reference.id, long_attempt)
    assert submitted["status"] in ("pending", "running")  # a worker process does the work
    attempt_id = uuid.UUID(submitted["id"])
    prefix = keys.attempt_prefix(attempt_id)

    def mid_way() -> bool:
        row = _row(attempt_id)
        assert row.status in (JobStatus.pending, JobStatus.running), (row.status, row.stage)
        return row.status == JobStatus.running and row.stage in MID_WAY

    await _wait_for(mid_way, 120, "the analysis to be mid-way", doomed)
    doomed.kill()  # SIGKILL the worker's process group: main process and pool child
    killed = _row(attempt_id)
    assert killed.status == JobStatus.running and killed.stage in MID_WAY, (killed.status, killed.stage)
    assert killed.run_count == 1 and killed.task_id and killed.lease_id
    assert killed.heartbeat_at is not None and killed.finished_at is None
    # The killed run stored the skeleton, nothing after it.
    assert _keys_under(prefix) == sorted([keys.attempt_source(attempt_id), keys.attempt_skeleton(attempt_id)])

    # A fresh worker alone does not pick it up (the message is unacked with its dead consumer, or
    # gone with the filesystem broker) and nothing touches the row: its heartbeat goes stale.
    fresh = worker_factory()
    await asyncio.sleep(1.5)
    quiet = _row(attempt_id)
    assert (quiet.status, quiet.lease_id, quiet.heartbeat_at, quiet.run_count) == (
        JobStatus.running,
        killed.lease_id,
        killed.heartbeat_at,
        1,
    )
    # The reaper (here with a 1 s timeout instead of STUDIO_JOB_TIMEOUT_SECONDS) requeues it.
    requeued = jobs.requeue_stuck_jobs(timeout_seconds=1, only=[attempt_id])  # not other tests' rows
    assert requeued == [("attempt", attempt_id)]

    final = await wait_for(
        client,
        f"{API}/attempts/{attempt_id}",
        learner,
        until=lambda a: a["status"] in ("ready", "failed"),
        within_s=180,
    )
    assert final["status"] == "ready", (final, fresh.logs()[-4000:])
    assert final["progress"] == 100 and final["stage"] == "done" and final["failure_reason"] is None
    report = (await client.get(f"{API}/attempts/{attempt_id}/report", headers=learner)).json()
    assert report["score"] == final["score"] and report["match"] is not None
    assert report["phases"] and report["plots"]

    # Exactly one successful completion: two claims in all (the killed run and the rerun, under
    # a new task and lease), the rerun's task ended "ready", and one set of outputs.
    done = _row(attempt_id)
    assert done.status == JobStatus.ready and done.run_count == 2
    assert done.task_id and done.task_id != killed.task_id and done.lease_id != killed.lease_id
    assert done.finished_at is not None and done.started_at is not None
    assert done.started_at > killed.heartbeat_at
    assert celery_app.AsyncResult(done.task_id).get(timeout=30) == "ready"
    assert _task_lines(doomed, killed.task_id) == ["received"]  # killed before any outcome
    assert _task_lines(fresh, done.task_id, settle=10) == ["received", "succeeded: 'ready'"]
    assert _task_lines(fresh, killed.task_id) == []  # the original message never came back by itself
    plots = sorted(key for by_joint in done.plot_keys.values() for key in by_joint.values())
    assert sorted(done.plot_keys["en"].values()) == sorted(
        keys.attempt_plot(attempt_id, p["joint"], "en") for p in report["plots"]
    )
    outputs = _keys_under(prefix)
    assert outputs == sorted(
        [
            keys.attempt_source(attempt_id),
            keys.attempt_skeleton(attempt_id),
            keys.attempt_overlay(attempt_id),
            keys.attempt_report(attempt_id),
            *plots,
        ]
    )
    assert done.overlay_key == keys.attempt_overlay(attempt_id)

    # The original message delivered late (acks_late: its worker died holding it) reaches a
    # worker under its own task id: the job is ready, so nothing is redone or rewritten.
    late = celery_app.send_task(ANALYSE_ATTEMPT_TASK, args=[str(attempt_id)], task_id=killed.task_id)
    assert late.get(timeout=60) == "already_ready", fresh.logs()[-4000:]
    assert _task_lines(fresh, killed.task_id, settle=10) == ["received", "succeeded: 'already_ready'"]
    after = _row(attempt_id)
    assert (after.status, after.run_count, after.task_id, after.lease_id) == (
        JobStatus.ready,
        2,
        done.task_id,
        done.lease_id,
    )
    assert (after.finished_at, after.updated_at, after.score) == (
        done.finished_at,
        done.updated_at,
        done.score,
    )
    assert _keys_under(prefix) == outputs
    # A ready job is never reaped again.
    assert jobs.requeue_stuck_jobs(timeout_seconds=1, only=[attempt_id]) == []
    assert _row(attempt_id).run_count == 2
