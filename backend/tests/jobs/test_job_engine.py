"""The job engine's own parts (app/jobs/engine.py) that no domain test pins down: per-run work
directories, the backoff and the outputs' keys."""

from __future__ import annotations

import uuid
from pathlib import Path

from app.core.config import Settings
from app.jobs import engine as jobs


def test_two_runs_of_one_job_never_share_or_wipe_each_others_work_directory(settings: Settings) -> None:
    """The reported problem: media's work directory was keyed by job id only, and a run starting
    (a takeover after a stale heartbeat) wiped the directory the older run was still using."""
    job_id = uuid.uuid4()
    with jobs.run_dir(settings, "media", job_id) as old_run:
        (old_run / "source").write_bytes(b"the older run's download")
        with jobs.run_dir(settings, "media", job_id) as new_run:
            assert new_run != old_run and new_run.parent == old_run.parent
            assert list(new_run.iterdir()) == []
            (new_run / "source").write_bytes(b"the newer run's download")
        assert not new_run.exists()
        assert (old_run / "source").read_bytes() == b"the older run's download"
    assert not old_run.exists() and not old_run.parent.exists()
    assert Path(settings.var_dir / "work" / "media") in old_run.parents


def test_retries_back_off_exponentially_up_to_the_cap() -> None:
    assert [jobs.retry_countdown(n, base=15) for n in range(6)] == [15, 30, 60, 120, 240, 300]
    assert jobs.retry_countdown(3, base=10, cap=50) == 50


def test_outputs_are_keyed_by_job() -> None:
    video, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert jobs.output_prefix(f"videos/{video}", first) == f"videos/{video}/{first}/"
    assert jobs.output_prefix(f"videos/{video}/", first) != jobs.output_prefix(f"videos/{video}", second)
