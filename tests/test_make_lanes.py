"""`make test` runs its steps in two lanes (tests/make_lanes.py): every step's output is printed
whole, the first failure fails the run and stops the other lane's running step."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parent / "make_lanes.py"

MAKEFILE = """\
ok-a:
\t@echo "a says one"; echo "a says two"
ok-b:
\t@echo "b says hi"
fail:
\t@echo "about to fail"; exit 3
slow:
\t@trap 'echo slow interrupted; exit 130' INT; touch slow.started; \\
\t  while [ ! -e release ]; do sleep 0.05; done; echo slow finished; touch slow.done
after-slow:
\t@touch after-slow.ran
wait-started:
\t@while [ ! -e slow.started ]; do sleep 0.05; done
"""


def _run(tmp_path: Path, *lanes: str, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "Makefile").write_text(MAKEFILE)
    return subprocess.run(
        [sys.executable, str(RUNNER), *lanes],
        cwd=tmp_path,
        env={**os.environ, "MAKE": "make", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_step_runs_and_its_output_is_printed_whole(tmp_path: Path) -> None:
    (tmp_path / "release").touch()
    done = _run(tmp_path, "ok-a ok-b", "ok-b slow", MAKE_LANES_NOTICE_SECONDS="0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "slow finished" in done.stdout
    assert "a says one\na says two\n" in done.stdout  # one block, not interleaved
    assert done.stdout.count("===== make ok-b: passed") == 2
    assert "every step passed" in done.stdout


def test_the_first_failure_fails_the_run_and_stops_the_other_lane(tmp_path: Path) -> None:
    done = _run(tmp_path, "slow after-slow", "wait-started fail ok-a")
    assert done.returncode == 2  # make's status for a failed recipe
    assert "===== make fail: FAILED (exit 2)" in done.stdout and "about to fail" in done.stdout
    assert "make slow: stopped" in done.stdout and "slow interrupted" in done.stdout
    assert not (tmp_path / "slow.done").exists()  # interrupted, not waited for
    assert not (tmp_path / "after-slow.ran").exists()  # nothing starts after a failure
    assert "make ok-a" not in done.stdout
    assert "FAILED at make fail (exit 2)" in done.stdout


def test_make_lanes_1_runs_the_steps_one_after_the_other_and_stops_at_the_failure(tmp_path: Path) -> None:
    done = _run(tmp_path, "ok-a fail", "ok-b", MAKE_LANES="1")
    assert done.returncode == 2  # make's status for a failed recipe
    assert "make ok-a: passed" in done.stdout and "make ok-b" not in done.stdout
