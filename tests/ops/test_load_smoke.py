"""`make load` end to end, tiny: real uvicorn + real nginx + headless Locust, bounded, and a
summary with rps and percentiles lands in var/load/summary.txt with no failed requests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ops_support import REPO, backend_has_app  # type: ignore[import-not-found]


@pytest.mark.slow
def test_bounded_load_run_writes_a_summary_without_failures(tmp_path: Path) -> None:
    if not backend_has_app():
        pytest.skip("backend/app/main.py does not exist yet")
    env = {
        **os.environ,
        "LOAD_USERS": "4",
        "LOAD_SPAWN_RATE": "4",
        "LOAD_SECONDS": "4",
        "LOAD_SCENARIOS": "health,viewer",
        "LOAD_OUT_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(REPO / "tests" / "load" / "run_load.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = (tmp_path / "summary.txt").read_text()
    totals = re.search(
        r"rps=([\d.]+) p50_ms=(\d+) p95_ms=(\d+) p99_ms=(\d+) "
        r"requests=(\d+) failures=(\d+)",
        summary,
    )
    assert totals, summary
    rps, _, _, _, requests, failures = totals.groups()
    assert float(rps) > 0 and int(requests) > 10
    assert int(failures) == 0, summary
    assert "/media/[segment].ts" in summary
