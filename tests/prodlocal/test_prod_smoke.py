"""`make prod-smoke` inside `make test`: the production topology started for real (nginx with
prod.conf over TLS, gunicorn, one worker per queue, beat, moto S3, the Stripe and SendGrid
stand-ins, this machine's Postgres and Redis) and the whole journey driven through it.
Free ports, its own database and Redis dbs: it runs beside a developer's prod-local and other
test runs."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from tests.prodlocal.smoke import smoke

pytestmark = pytest.mark.slow


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_the_whole_journey_passes_through_the_production_topology(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (_reachable(5432) and _reachable(6379)):
        pytest.skip("prod-smoke needs this machine's PostgreSQL (5432) and Redis (6379)")
    ok, summary = smoke(tmp_path / "prod-smoke")
    with capsys.disabled():
        print("\n" + summary.splitlines()[0])
    assert ok, summary
