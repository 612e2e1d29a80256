"""The shared message catalogue mechanism and the studio's own catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from video_studio.i18n import Catalogue, normalize_language, studio_catalogue


def _write(folder: Path, en: dict[str, object], it: dict[str, object]) -> Catalogue:
    (folder / "en.json").write_text(json.dumps(en), encoding="utf-8")
    (folder / "it.json").write_text(json.dumps(it), encoding="utf-8")
    return Catalogue.from_dir(folder)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("it-IT,it;q=0.9,en;q=0.8", "it"),
        ("en_GB", "en"),
        ("fr-FR, it;q=0.5", "it"),
        ("de", "en"),
        (None, "en"),
    ],
)
def test_language_is_the_first_supported_tag(header: str | None, expected: str) -> None:
    assert normalize_language(header) == expected


def test_nested_keys_placeholders_and_italian_plural(tmp_path: Path) -> None:
    catalogue = _write(
        tmp_path,
        {"report": {"count": {"one": "{count} report", "other": "{count} reports"}, "hi": "Hi {name}"}},
        {
            "report": {
                "count": {"one": "{count} segnalazione", "other": "{count} segnalazioni"},
                "hi": "Ciao {name}",
            }
        },
    )
    assert catalogue.text("report.count", "it", count=1) == "1 segnalazione"
    assert catalogue.text("report.count", "it", count=3) == "3 segnalazioni"
    assert catalogue.text("report.count", "en", count=0) == "0 reports"
    assert catalogue.text("report.hi", "it-IT", name="Ana") == "Ciao Ana"
    assert catalogue.problems() == []


def test_missing_italian_falls_back_to_english_and_is_reported(tmp_path: Path) -> None:
    catalogue = _write(tmp_path, {"a": "A {x}", "b": "B"}, {"a": "A {y}"})
    assert catalogue.text("b", "it") == "B"
    assert catalogue.problems() == [
        "b: present in only one of en/it",
        "a: placeholders differ between en and it",
    ]
    with pytest.raises(KeyError):
        catalogue.text("nope", "it")


def test_studio_catalogue_is_complete_in_both_languages() -> None:
    assert studio_catalogue().problems() == []
