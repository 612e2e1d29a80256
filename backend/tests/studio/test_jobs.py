"""The studio job state machine: claims, leases, the ready-is-final rule and the reaper."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.core.clock import utcnow
from app.db.session import sync_session
from app.studio import jobs, tasks
from app.studio.models import JobStatus, StudioAttempt, StudioReference


def _row(model: Any, job_id: Any) -> Any:
    with sync_session() as session:
        row = session.get(model, job_id)
        session.expunge(row)
        return row


def _set(model: Any, job_id: Any, **values: Any) -> None:
    with sync_session() as session:
        row = session.get(model, job_id)
        for name, value in values.items():
            setattr(row, name, value)


def test_a_ready_attempt_is_not_redone(
    instructor: Any, student: Any, make_reference: Any, make_ready_attempt: Any
) -> None:
    attempt = make_ready_attempt(make_reference(instructor), student)
    before = _row(StudioAttempt, attempt.id)
    assert tasks.analyse_attempt.apply(args=[str(attempt.id)]).get() == "already_ready"
    after = _row(StudioAttempt, attempt.id)
    assert (after.status, after.finished_at, after.run_count, after.score) == (
        JobStatus.ready,
        before.finished_at,
        before.run_count,
        before.score,
    )


def test_a_running_job_is_claimed_only_by_its_own_task_or_after_it_went_quiet(
    instructor: Any, student: Any, make_reference: Any, make_attempt: Any, settings: Any
) -> None:
    attempt = make_attempt(make_reference(instructor), student)
    first = jobs.claim(StudioAttempt, attempt.id, "task-a", settings)
    assert isinstance(first, jobs.Claim) and first.run_count == 1
    progress = jobs.Progress(StudioAttempt, first)
    progress.set(40, "extracting")
    row = _row(StudioAttempt, attempt.id)
    assert (row.status, row.progress, row.stage) == (JobStatus.running, 40, "extracting")

    # Another task finds it busy while its holder reports progress.
    assert jobs.claim(StudioAttempt, attempt.id, "task-b", settings) == "busy"
    # The same task delivered again (its worker died): it takes over with a new lease...
    second = jobs.claim(StudioAttempt, attempt.id, "task-a", settings)
    assert isinstance(second, jobs.Claim) and second.lease != first.lease and second.run_count == 2
    # ...and the old run, if it is still alive somewhere, stops at its next report.
    with pytest.raises(jobs.JobLost):
        progress.set(50)
    # A holder silent for the timeout loses the job to anybody.
    _set(
        StudioAttempt,
        attempt.id,
        heartbeat_at=utcnow() - timedelta(seconds=settings.studio_job_timeout_seconds + 5),
    )
    third = jobs.claim(StudioAttempt, attempt.id, "task-b", settings)
    assert isinstance(third, jobs.Claim) and third.run_count == 3
    # Past STUDIO_JOB_MAX_RUNS the job is failed for good instead of looping.
    assert settings.studio_job_max_runs == 3
    assert jobs.claim(StudioAttempt, attempt.id, "task-b", settings) == "too_many_runs"
    row = _row(StudioAttempt, attempt.id)
    assert row.status == JobStatus.failed and row.failure_reason == jobs.TOO_MANY_RUNS
    assert jobs.claim(StudioAttempt, attempt.id, "task-c", settings) == "failed"


def test_the_reaper_requeues_quiet_running_jobs_and_lost_pending_ones(
    instructor: Any, student: Any, make_reference: Any, make_attempt: Any, settings: Any
) -> None:
    long_ago = utcnow() - timedelta(seconds=settings.studio_job_timeout_seconds + 60)
    reference = make_reference(instructor)
    stuck = make_attempt(reference, student, status=JobStatus.running, heartbeat_at=long_ago, task_id="t1")
    lost = make_attempt(
        reference,
        student,
        status=JobStatus.pending,
        queued_at=utcnow() - timedelta(seconds=settings.job_lost_after_seconds + 60),
    )
    waiting = make_attempt(reference, student, status=JobStatus.pending, queued_at=long_ago)
    busy = make_attempt(reference, student, status=JobStatus.running, heartbeat_at=utcnow(), task_id="t2")
    fresh = make_attempt(reference, student, status=JobStatus.pending)
    stuck_ref = make_reference(instructor, status=JobStatus.running)
    _set(StudioReference, stuck_ref.id, heartbeat_at=long_ago)

    requeued = jobs.reap_stuck_jobs(settings)
    assert {("attempt", stuck.id), ("attempt", lost.id), ("reference", stuck_ref.id)} <= set(requeued)
    # merely waiting behind other jobs (past the heartbeat timeout, not lost): not enqueued twice
    assert not {("attempt", busy.id), ("attempt", fresh.id), ("attempt", waiting.id)} & set(requeued)
    for model, job_id in (
        (StudioAttempt, stuck.id),
        (StudioAttempt, lost.id),
        (StudioReference, stuck_ref.id),
    ):
        row = _row(model, job_id)
        assert (row.status, row.stage, row.task_id) == (JobStatus.pending, "requeued", None)
    assert _row(StudioAttempt, busy.id).status == JobStatus.running


def test_the_reaper_task_puts_a_stuck_attempt_back_through_the_worker(
    instructor: Any, student: Any, make_reference: Any, make_attempt: Any, settings: Any
) -> None:
    long_ago = utcnow() - timedelta(seconds=settings.studio_job_timeout_seconds + 60)
    attempt = make_attempt(
        make_reference(instructor), student, status=JobStatus.running, heartbeat_at=long_ago, task_id="gone"
    )
    assert tasks.reap_stuck_jobs.apply().get() >= 1
    # Tasks run inline here: the requeued analysis ran and refused the (non-video) upload.
    row = _row(StudioAttempt, attempt.id)
    assert row.status == JobStatus.failed
    assert row.failure_reason == "not_a_video"
    assert row.run_count == 1


def test_a_job_failing_with_a_domain_error_stores_its_code_shown_in_the_readers_language(
    instructor: Any, student: Any, make_reference: Any, make_attempt: Any
) -> None:
    """The reported problem: the English message was stored; now the code (with its params), which
    the server and the apps show from `reasons.<code>` in it/en; a code without a reason text is
    the generic failure (the English message goes to the log)."""
    from app.core.errors import DomainError, NotFound
    from app.core.i18n import reason_text

    def failing(error: DomainError) -> Any:
        def body(_job: Any, _progress: Any, _workdir: Any, _settings: Any) -> dict[str, Any]:
            raise error

        return body

    reference = make_reference(instructor)
    gone, long_one, odd = (make_attempt(reference, student) for _ in range(3))
    assert (
        jobs._run("attempt", gone.id, "t-1", failing(NotFound("No object k", code="object_not_found")))
        == "failed"
    )
    too_long = DomainError("Too long.", code="attempt_too_long", params={"seconds": 125, "max_seconds": 60})
    assert jobs._run("attempt", long_one.id, "t-2", failing(too_long)) == "failed"
    assert (
        jobs._run("attempt", odd.id, "t-3", failing(DomainError("Odd.", code="no_such_code_anywhere")))
        == "failed"
    )
    assert _row(StudioAttempt, gone.id).failure_reason == "object_not_found"
    assert reason_text("object_not_found", "it") == "Il file caricato non è più disponibile."
    stored = _row(StudioAttempt, long_one.id).failure_reason
    assert stored == "attempt_too_long?seconds=125&max_seconds=60"
    assert reason_text(stored, "it").startswith(
        "Il video dura 125 s; un tentativo può durare al massimo 60 s."
    )
    assert _row(StudioAttempt, odd.id).failure_reason == jobs.GENERIC_FAILURE
