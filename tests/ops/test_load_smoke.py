"""`make load` end to end, tiny: prod-local, the seeded catalog, every profile through the edge
for a few seconds, the wrk ratios, and a table per endpoint with rps, percentiles and errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ops_support import REPO  # type: ignore[import-not-found]
from tests.prodlocal.topology import services_reachable


@pytest.mark.slow
def test_make_load_runs_every_profile_and_prints_the_table(tmp_path: Path) -> None:
    if not services_reachable():
        pytest.skip("make load needs this machine's PostgreSQL (5432) and Redis (6379)")
    env = {
        **os.environ,
        "LOAD_VIEWERS": "8",
        "LOAD_BROWSERS": "3",
        "LOAD_UPLOADERS": "1",
        "LOAD_PAYERS": "1",
        "LOAD_SPAWN_RATE": "20",
        "LOAD_SECONDS": "12",
        "LOAD_VIDEOS": "24",
        "LOAD_WRK_SECONDS": "2",
        "LOAD_WRK_CONNECTIONS": "20",
        "LOAD_OUT_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(REPO / "tests" / "load" / "run_load.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = (tmp_path / "summary.txt").read_text()
    assert "endpoint" in result.stdout and "p99 ms" in result.stdout  # printed, not only written
    for endpoint in (
        "GET /api/v1/videos/[id]/playback",
        "GET playlist master",
        "GET segment (nginx)",
        "GET /api/v1/videos?limit=24",
        "POST /api/v1/checkout",
        "PUT S3 presigned part PUT",
        "segment, signed, via nginx (cache hit)",
        "bare FastAPI, same size, same gunicorn conf",
    ):
        row = next((line for line in summary.splitlines() if line.startswith(endpoint)), None)
        assert row is not None, f"no row for {endpoint}:\n{summary}"
        rps, p50, p95, p99, errors, requests = row[len(endpoint) :].split()[-6:]
        assert float(rps) > 0 and int(requests) > 0, row
        assert float(p50) <= float(p95) <= float(p99), row
        assert int(errors) == 0, row
    totals = re.search(
        r"rps=([\d.]+) p50_ms=(\d+) p95_ms=(\d+) p99_ms=(\d+) requests=(\d+) failures=(\d+)", summary
    )
    assert totals and int(totals.group(6)) == 0, summary
    assert re.search(r"ratio signed/static segment: [\d.]+", summary)
