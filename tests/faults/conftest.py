"""Fault drills against real processes (docs/RUNBOOK.md, "Fault drills"): `tests.prodlocal`
starts the production topology (or the part of it a drill needs) with faults under our control."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[2])
if REPO not in sys.path:
    sys.path.insert(0, REPO)


import pytest  # noqa: E402

from app.core.config import Settings, get_settings  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()
