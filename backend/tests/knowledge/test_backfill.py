"""Backfill: published videos without an extraction (published before knowledge was deployed)
get exactly one queued job, from the CLI or the beat task, however often either runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.__main__ import main
from app.auth.models import User
from app.db.session import sync_session
from app.jobs.models import JobStatus
from app.knowledge import backfill as backfill_module
from app.knowledge import pipeline, tasks
from app.knowledge.models import KnowledgeJob
from app.media.models import Video, VideoStatus
from app.worker.celery_app import BEAT_SCHEDULE


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The tasks the backfill enqueues (recorded, not run: the sources here are not videos)."""
    calls: list[tuple[str, str]] = []

    def record(session: Any, task_name: str, *args: Any, **kwargs: Any) -> None:
        calls.append((task_name, str(args[0])))

    monkeypatch.setattr(backfill_module, "enqueue_after_commit", record)
    return calls


def _with_source(make_video: Callable[..., Video], owner: User, **fields: Any) -> uuid.UUID:
    video = make_video(owner, **fields)
    with sync_session() as session:
        row = session.get(Video, video.id)
        assert row is not None
        row.source_key, row.source_size_bytes = f"uploads/{video.id}/source", 1000
        session.commit()
    return video.id


def _printed(capsys: Any) -> str:
    """The CLI's own last line (logs go to stdout too)."""
    return str(capsys.readouterr().out.strip().splitlines()[-1])


def _jobs(video_ids: list[uuid.UUID]) -> dict[uuid.UUID, KnowledgeJob]:
    with sync_session() as session:
        rows = session.scalars(select(KnowledgeJob).where(KnowledgeJob.video_id.in_(video_ids))).all()
        return {row.video_id: row for row in rows if row.video_id is not None}


def test_published_videos_without_an_extraction_get_one_job_once(
    make_video: Callable[..., Video], instructor: User, sent: list[tuple[str, str]], capsys: Any
) -> None:
    old = [_with_source(make_video, instructor) for _ in range(3)]
    draft = _with_source(make_video, instructor, status=VideoStatus.draft)
    no_source = make_video(instructor).id
    done = _with_source(make_video, instructor)
    with sync_session() as session:
        ready = KnowledgeJob(owner_id=instructor.id, video_id=done, source_key="k", status=JobStatus.ready)
        session.add(ready)
        session.commit()

    assert main(["knowledge", "backfill", "--dry-run"]) == 0
    missing = int(_printed(capsys).split()[0])
    assert missing >= 3 and not _jobs([*old, draft, no_source]) and sent == []

    with sync_session() as session:
        report = backfill_module.backfill(session, limit=None)
    jobs = _jobs([*old, draft, no_source, done])
    assert set(jobs) == {*old, done} and jobs[done].status == JobStatus.ready
    for video_id in old:
        job = jobs[video_id]
        expected = (JobStatus.pending, "queued", f"uploads/{video_id}/source")
        assert (job.status, job.stage, job.source_key) == expected
        assert (pipeline.EXTRACT_TASK, str(job.id)) in sent
        assert job.id in report.queued
    assert len(sent) == len(report.queued) == missing

    # Again, by the CLI and by the beat task: nothing more for these videos.
    assert main(["knowledge", "backfill"]) == 0
    assert _printed(capsys) == "0 published videos without an extraction; queued 0"
    assert tasks.backfill.apply().get() == 0
    assert len(sent) == missing and {v: j.id for v, j in _jobs(old).items()} == {v: jobs[v].id for v in old}
    assert BEAT_SCHEDULE["knowledge-backfill"]["task"] == "default.knowledge.backfill"


def test_a_racing_run_skips_the_videos_the_other_run_queued(
    make_video: Callable[..., Video],
    instructor: User,
    sent: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = (_with_source(make_video, instructor) for _ in range(2))
    real_missing = backfill_module._missing
    calls: list[int | None] = []  # once: picking the videos to queue

    def raced(session: Any, limit: int | None) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
        found = real_missing(session, limit)
        calls.append(limit)
        assert first in [video_id for video_id, _, _ in found]
        with sync_session() as other:  # another run queues `first` between our read and insert
            other.add(KnowledgeJob(owner_id=instructor.id, video_id=first, source_key="other-run"))
            other.commit()
        return found

    monkeypatch.setattr(backfill_module, "_missing", raced)
    with sync_session() as session:
        report = backfill_module.backfill(session, limit=None)
    jobs = _jobs([first, second])
    assert jobs[first].source_key == "other-run" and jobs[first].id not in report.queued
    assert jobs[second].id in report.queued
