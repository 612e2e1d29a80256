"""The voice jobs fail with stable reason codes (shown in it/en), not English sentences (#18)."""

from __future__ import annotations

import ast
from pathlib import Path

from app.core.i18n import catalogue

JOBS = Path(__file__).resolve().parents[2] / "app" / "voice" / "jobs.py"


def _bad_input_calls() -> list[ast.Call]:
    tree = ast.parse(JOBS.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "BadInput"
    ]


def test_every_voice_job_failure_has_a_reason_code_with_it_and_en_texts() -> None:
    calls = _bad_input_calls()
    assert len(calls) >= 5  # the sample check, the dub, the profile and the files gone, the providers
    for lang in ("en", "it"):
        keys = catalogue().keys(lang)
        for call in calls:
            codes = [k.value for k in call.keywords if k.arg == "reason_code"]
            assert codes and isinstance(codes[0], ast.Constant), f"jobs.py:{call.lineno} has no reason code"
            assert f"reasons.{codes[0].value}" in keys, f"jobs.py:{call.lineno}: no {lang} text"
