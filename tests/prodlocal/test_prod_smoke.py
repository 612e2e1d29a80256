"""`make prod-smoke` inside `make test`: the production topology started for real (nginx with
prod.conf over TLS, gunicorn, one worker per queue, beat, moto S3, the Stripe and SendGrid
stand-ins, this machine's Postgres and Redis) and the whole journey driven through it.
Free ports, its own database and Redis dbs: it runs beside a developer's prod-local and other
test runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.prodlocal.smoke import smoke
from tests.prodlocal.topology import services_reachable

pytestmark = pytest.mark.slow


def test_the_whole_journey_passes_through_the_production_topology(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not services_reachable():
        pytest.skip("prod-smoke needs this machine's PostgreSQL (5432) and Redis (6379)")
    ok, summary = smoke(tmp_path / "prod-smoke")
    with capsys.disabled():
        print("\n" + summary.splitlines()[0])
    assert ok, summary
