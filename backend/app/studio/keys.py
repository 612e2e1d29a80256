"""Object keys of studio outputs, derived from the job row so a rerun overwrites, never duplicates."""

from __future__ import annotations

import uuid

from app.jobs.outputs import output_prefix


def reference_prefix(reference_id: uuid.UUID) -> str:
    return output_prefix("studio/references", reference_id)


def reference_skeleton(reference_id: uuid.UUID) -> str:
    return f"{reference_prefix(reference_id)}skeleton.json"


def reference_clip(reference_id: uuid.UUID) -> str:
    return f"{reference_prefix(reference_id)}clip.mp4"


def attempt_prefix(attempt_id: uuid.UUID) -> str:
    return output_prefix("studio/attempts", attempt_id)


def attempt_source(attempt_id: uuid.UUID) -> str:
    return f"{attempt_prefix(attempt_id)}source"


def attempt_skeleton(attempt_id: uuid.UUID) -> str:
    return f"{attempt_prefix(attempt_id)}skeleton.json"


def attempt_report(attempt_id: uuid.UUID) -> str:
    return f"{attempt_prefix(attempt_id)}report.json"


def attempt_overlay(attempt_id: uuid.UUID) -> str:
    return f"{attempt_prefix(attempt_id)}overlay.mp4"


def attempt_plots_prefix(attempt_id: uuid.UUID) -> str:
    return f"{attempt_prefix(attempt_id)}plots/"


def attempt_plot(attempt_id: uuid.UUID, joint: str, lang: str) -> str:
    return f"{attempt_plots_prefix(attempt_id)}{lang}/angle_{joint}.png"
