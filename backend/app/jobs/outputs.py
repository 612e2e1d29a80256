"""Where a job's outputs go: object keys derived from the job id, so a rerun overwrites them and
two jobs never collide. Kept apart from the engine (light: key layouts import it anywhere)."""

from __future__ import annotations

import uuid


def output_prefix(root: str, job_id: uuid.UUID) -> str:
    """The object-key prefix of one job's outputs under `root` (e.g. "videos/<video>")."""
    return f"{root.rstrip('/')}/{job_id}/"
