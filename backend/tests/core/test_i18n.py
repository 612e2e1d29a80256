"""The platform catalogue (app/locales) has every key in it and en with the same placeholders."""

from __future__ import annotations

from app.core.i18n import catalogue, t


def test_platform_catalogue_is_complete_in_both_languages() -> None:
    assert catalogue().problems() == []


def test_platform_text_follows_the_language() -> None:
    assert t("language.it", "it") == "Italiano"
    assert t("language.it", "en-US") == "Italian"
