"""Server-made failure reasons are stable codes the clients show from their it/en catalogues
(`reasons.<code>` in packages/shared, see frontend/src/lib/serverWords.ts `reasonLabel`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.media import processing
from app.studio import jobs as studio_jobs
from app.studio import service as studio_service
from video_studio import errors

SHARED = Path(__file__).resolve().parents[3] / "packages" / "shared" / "src" / "i18n"

CODES = [
    processing.GENERIC_FAILURE,
    studio_jobs.GENERIC_FAILURE,
    studio_jobs.TOO_MANY_RUNS,
    studio_jobs.UPLOAD_ABANDONED,
    studio_service.TOO_LARGE,
    "no_person_in_range",  # studio.jobs BadInput codes
    "reference_gone",
    *(cls.reason_code for cls in errors.InvalidInputError.__subclasses__() if cls.reason_code),
]


def test_the_compute_tags_its_common_reasons() -> None:
    codes = {cls.reason_code for cls in errors.InvalidInputError.__subclasses__()}
    assert {"not_a_video", "corrupt_video", "empty_file", "no_person"} <= codes


@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_server_made_reason_code_has_a_catalogue_text(lang: str) -> None:
    reasons = json.loads((SHARED / f"{lang}.json").read_text(encoding="utf-8"))["reasons"]
    for code in CODES:
        key = code.strip().replace(" ", "_")  # as reasonLabel looks it up
        assert reasons.get(key), f"reasons.{key} missing in {lang}.json"


def test_the_italian_texts_are_translations() -> None:
    it = json.loads((SHARED / "it.json").read_text(encoding="utf-8"))["reasons"]
    en = json.loads((SHARED / "en.json").read_text(encoding="utf-8"))["reasons"]
    assert all(it[k] != en[k] for k in en)
