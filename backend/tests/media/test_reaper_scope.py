"""The media reaper scoped to given jobs (what crash tests use) leaves every other job alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from app.auth.models import User
from app.core.clock import utcnow
from app.db.session import sync_session
from app.media import processing
from app.media.models import JobState, Video, VideoJob, VideoStatus


def _stale_job(video: Video) -> VideoJob:
    long_ago = utcnow() - timedelta(hours=1)
    with sync_session() as session:
        job = VideoJob(
            video_id=video.id, state=JobState.running, attempts=1, heartbeat_at=long_ago, started_at=long_ago
        )
        session.add(job)
    return job


def test_a_scoped_reap_touches_only_the_jobs_it_is_given(
    instructor: User, make_video: Callable[..., Video]
) -> None:
    # Both jobs are stale. Their videos are not processing any more, so a reap cancels a job
    # instead of requeuing it (nothing runs).
    mine = _stale_job(make_video(instructor, status=VideoStatus.draft))
    someone_elses = _stale_job(make_video(instructor, status=VideoStatus.draft))
    assert processing.reap_stuck_jobs(stale_seconds=1, only=[mine.id]) == []
    with sync_session() as session:
        states = {job.id: session.get(VideoJob, job.id).state for job in (mine, someone_elses)}  # type: ignore[union-attr]
    assert states == {mine.id: JobState.cancelled, someone_elses.id: JobState.running}
