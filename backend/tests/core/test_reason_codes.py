"""Every code the server raises or stores has its text in it and en.

Error codes (the `code` of the error envelope) answer in the client's language from the server's
catalogue (`errors.<code>`, backend/app/locales). Failure reasons stored on job rows are codes
with parameters (`video_too_long?duration=...`) shown from `reasons.<code>` by the server and by
both apps (packages/shared, `reasonLabel`). The codes are found by reading the source
(tests/core/raised_codes.py), so a new raise site without texts fails here."""

from __future__ import annotations

import json
import string
import uuid
from pathlib import Path

import pytest

from app.core.errors import NotFound, localized_message
from app.core.i18n import Phrase, catalogue, reason_text
from app.studio.jobs import BadInput
from tests.core.raised_codes import Site, raised
from video_studio import errors
from video_studio.errors import decode_reason, encode_reason

SHARED = Path(__file__).resolve().parents[3] / "packages" / "shared" / "src" / "i18n"
ERROR_SITES, REASON_SITES = raised()


def _shared(lang: str) -> dict[str, str]:
    reasons: dict[str, str] = json.loads((SHARED / f"{lang}.json").read_text(encoding="utf-8"))["reasons"]
    return reasons


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _server_fields(key: str, lang: str) -> set[str]:
    message = catalogue()._messages[lang][key]
    templates = message.values() if isinstance(message, dict) else [message]
    return set().union(*(_fields(t) for t in templates))


def _key(site: Site) -> str:
    return site.code.strip().replace(" ", "_")  # as reasonLabel looks it up


def test_the_source_reading_finds_the_codes_it_should() -> None:
    """The reader of the source is not blind: it finds known sites of each kind."""
    error_codes = {s.code for s in ERROR_SITES}
    assert {
        "same_language",
        "caption_not_found",
        "not_found",
        "document_too_large",
        "range_too_long",
    } <= error_codes
    document = next(s for s in ERROR_SITES if s.code == "document_too_large")
    assert document.params == {"limit_mib"}  # the params of the flow's raise site that passes it
    assert "audio_too_large" not in error_codes  # the coach's message is already the catalogue's
    reason_codes = {s.code for s in REASON_SITES}
    assert {"not_a_video", "video_too_long", "attempt_too_long", "upload_abandoned_after"} <= reason_codes
    assert {
        "temporarily_unavailable",
        "processing_failed",
        "upload abandoned",
        "pdf_too_many_pages",
    } <= reason_codes
    too_long = next(s for s in REASON_SITES if s.code == "video_too_long")
    assert too_long.params == {"duration", "max_duration"}


@pytest.mark.parametrize("lang", ["en", "it"])
def test_every_raised_error_code_has_a_text_that_its_raise_sites_can_fill(lang: str) -> None:
    keys = catalogue().keys(lang)
    problems = []
    for site in ERROR_SITES:
        key = f"errors.{site.code}"
        if key not in keys:
            problems.append(f"{site.where}: {key} missing in {lang}")
        elif site.params is not None and not _server_fields(key, lang) <= site.params:
            problems.append(
                f"{site.where}: {key} needs {_server_fields(key, lang)}, the site gives {site.params}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "it"])
def test_every_stored_reason_code_has_a_text_on_the_server_and_in_the_apps(lang: str) -> None:
    keys = catalogue().keys(lang)
    shared = _shared(lang)
    problems = []
    for site in REASON_SITES:
        key = _key(site)
        if f"reasons.{key}" not in keys:
            problems.append(f"{site.where}: reasons.{key} missing in backend {lang}.json")
        elif site.params is not None and _server_fields(f"reasons.{key}", lang) != set(site.params):
            problems.append(
                f"{site.where}: backend reasons.{key} placeholders differ from {set(site.params)}"
            )
        if not shared.get(key):
            problems.append(f"{site.where}: reasons.{key} missing in packages/shared {lang}.json")
        elif site.params is not None and _fields(shared[key]) != set(site.params):
            problems.append(f"{site.where}: shared reasons.{key} placeholders differ from {set(site.params)}")
    assert not problems, "\n".join(problems)


def test_the_server_and_the_apps_hold_the_same_reason_texts() -> None:
    for lang in ("en", "it"):
        server = {k.removeprefix("reasons."): catalogue().text(k, lang) for k in catalogue().keys(lang)}
        shared = _shared(lang)
        assert {k: server[f"{k}"] for k in shared if k in server} == shared
    assert not catalogue().problems()


def test_the_compute_tags_its_common_reasons() -> None:
    codes = {cls.reason_code for cls in errors.InvalidInputError.__subclasses__()}
    assert {"not_a_video", "corrupt_video", "empty_file", "no_person"} <= codes


def test_the_italian_texts_are_translations() -> None:
    it, en = _shared("it"), _shared("en")
    assert all(it[k] != en[k] for k in en)


def test_a_reason_keeps_its_numbers_and_shows_them_in_each_language() -> None:
    exc = BadInput(
        "The video lasts 95 s; ...", reason_code="attempt_too_long", seconds="95", max_seconds="60"
    )
    stored = exc.job_reason
    assert stored == "attempt_too_long?seconds=95&max_seconds=60"
    assert decode_reason(stored) == ("attempt_too_long", {"seconds": "95", "max_seconds": "60"})
    assert reason_text(stored, "it").startswith(
        "Il video dura 95 s; un tentativo può durare al massimo 60 s."
    )
    assert reason_text(stored, "en").startswith("The video lasts 95 s; attempts may last at most 60 s.")
    assert encode_reason("upload_abandoned_after", {"hours": 24.0}) == "upload_abandoned_after?hours=24"
    # No code: the message itself (a rare technical failure); an old row's text stays as it was.
    assert errors.InvalidInputError("frame 3 has no landmarks").job_reason == "frame 3 has no landmarks"
    assert reason_text("The upload was cut short", "it") == "The upload was cut short"


def test_an_error_message_renders_its_parameters_and_phrases_in_the_readers_language() -> None:
    error = NotFound(
        "The report is not ready: the analysis is failed (This file is not a video...).",
        code="report_not_ready",
        params={
            "status": Phrase("states.failed"),
            "detail": Phrase("errors.report_failure_detail", {"reason": Phrase("reasons.empty_file")}),
        },
    )
    assert (
        localized_message(error, "it")
        == "Il report non è pronto: l'analisi è non riuscita (Il file è vuoto.)."
    )
    assert localized_message(error, "en") == error.message


async def test_italian_messages_carry_the_numbers_of_their_raise_sites() -> None:
    """Raise sites with numbers pass them as params, so the Italian text (not only the English
    one written at the raise site) carries them."""
    from app.auth.service import check_password_strength
    from app.core import ratelimit
    from app.core.config import get_settings
    from app.core.errors import DomainError
    from app.media.service import VIDEO_UPLOAD
    from app.media.trailer import TrailerMode, check_choice
    from app.uploads.flow import check_declared

    settings = get_settings().model_copy(
        update={"password_min_length": 13, "media_max_upload_bytes": 7 * 1024**2}
    )
    raised: list[DomainError] = []
    identity = f"it-{uuid.uuid4().hex}"
    await ratelimit.limit("it-numbers", identity, 1)
    for attempt in (
        lambda: check_password_strength(settings, "abc1", "someone@example.com"),
        lambda: check_choice(settings, mode=TrailerMode.range, start_s=0.0, end_s=50.0, duration_s=100.0),
        lambda: check_declared(VIDEO_UPLOAD, settings, size_bytes=8 * 1024**2, content_type="video/mp4"),
    ):
        with pytest.raises(DomainError) as excinfo:
            attempt()
        raised.append(excinfo.value)
    with pytest.raises(DomainError) as limited:
        await ratelimit.limit("it-numbers", identity, 1)
    weak, trailer, too_large = (localized_message(e, "it") for e in raised)
    assert "13 caratteri" in weak
    assert "20%" in trailer and "20 s" in trailer
    assert "7 MiB" in too_large
    retry_after = (limited.value.headers or {})["Retry-After"]
    assert f"tra {retry_after} second" in localized_message(limited.value, "it")
