"""Glossary matching, language detection and the translation memory (pure functions + data)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from video_studio.i18n import studio_catalogue
from video_studio.knowledge.glossary import ROMAJI, default_glossary
from video_studio.knowledge.language import detect_language
from video_studio.knowledge.memory import MemoryEntry, TranslationMemory, translate
from video_studio.knowledge.text import chapter_title, render, term_name
from video_studio.techniques import TECHNIQUES


def found(text: str) -> list[tuple[str, float]]:
    return [(m.key, m.score) for m in default_glossary().find(text.split())]


def test_glossary_terms_have_all_three_languages_and_pose_categories() -> None:
    glossary = default_glossary()
    assert len(glossary.terms) >= 60
    for term in glossary.terms:
        assert all(term.names[lang] for lang in ("ja", "en", "it")), term.id
        assert term.category is None or term.category in TECHNIQUES
    required = {"mae_geri", "yoko_geri", "mawashi_geri", "gyaku_zuki", "oi_zuki", "age_uke", "gedan_barai",
                "kiba_dachi", "zenkutsu_dachi", "heian_shodan"}  # fmt: skip
    assert required <= set(glossary.by_id)


@pytest.mark.parametrize("text", ["mae geri", "Mae-Geri", "MAEGERI!", "calcio frontale", "Front kick"])
def test_spellings_and_translations_of_a_term_find_the_same_term(text: str) -> None:
    assert found(text) == [("mae_geri", 1.0)]


def test_misheard_romaji_matches_fuzzily_with_a_lower_score() -> None:
    matches = found("we practice megeri and ayaku zuki from nenkutsu dachi")
    keys = [k for k, _ in matches]
    assert keys == ["mae_geri", "gyaku_zuki", "zenkutsu_dachi"]
    assert all(0.85 <= score < 1.0 for _, score in matches)


def test_ordinary_words_do_not_match_terms() -> None:
    assert found("Oggi vediamo come respirare bene durante la lezione") == []


def test_generic_category_word_is_weaker_than_a_named_technique() -> None:
    assert found("a strong kick") == [("category:kick", 0.5)]
    # the longer named form wins over the generic word inside it
    assert found("un calcio circolare") == [("mawashi_geri", 1.0)]


def test_a_term_never_matches_inside_a_word() -> None:
    assert found("reiterate") == []


def test_language_detection_italian_english_and_romaji() -> None:
    assert detect_language("Oggi alleniamo il calcio frontale con la gamba destra").language == "it"
    assert detect_language("Keep your guard up and rotate the hips").language == "en"
    assert detect_language("Heian Shodan").language == ROMAJI
    assert detect_language("ok").language is None


def test_memory_returns_the_glossary_equivalent_and_prefers_human_entries() -> None:
    memory = TranslationMemory(glossary=default_glossary())
    assert translate("mae-geri", source="ja", target="it", memory=memory).text == "calcio frontale"
    memory.add(MemoryEntry("it", "Calcio frontale", "en", "Front snap kick", "human", ref="tr-1"))
    result = translate("calcio frontale", source="it", target="en", memory=memory)
    assert (result.text, result.origin, result.suggestions[0].ref) == ("Front snap kick", "tm", "tr-1")


def test_memory_matches_fuzzily_above_the_threshold_only() -> None:
    memory = TranslationMemory(
        [
            MemoryEntry(
                "it", "Tieni la guardia alta durante il calcio", "en", "Keep your guard up during the kick"
            )
        ]
    )
    close = translate("Tieni la guardia alta durante il calcio!", source="it", target="en", memory=memory)
    assert close.origin == "tm" and close.score == 1.0
    far = translate("Tieni la guardia bassa", source="it", target="en", memory=memory)
    assert far.text is None and far.origin is None  # offline: only suggestions
    assert far.suggestions and far.suggestions[0].score < 0.85


class RecordingTranslator:
    """Stands for the LLM translator (an outside service) so the memory's order can be seen."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Mapping[str, str]]] = []

    def translate(self, text: str, *, source: str, target: str, glossary: Mapping[str, str]) -> str:
        self.calls.append((text, dict(glossary)))
        return f"[{target}] {text}"


def test_translator_runs_only_when_the_memory_has_no_hit_and_gets_glossary_hints() -> None:
    memory = TranslationMemory(glossary=default_glossary())
    translator = RecordingTranslator()
    assert (
        translate("gedan barai", source="ja", target="en", memory=memory, translator=translator).origin
        == "tm"
    )
    assert translator.calls == []
    result = translate(
        "Dopo il gedan barai torna in guardia", source="it", target="en", memory=memory, translator=translator
    )
    assert result.origin == "machine" and result.text == "[en] Dopo il gedan barai torna in guardia"
    assert translator.calls[0][1] == {"gedan barai": "downward block", "guardia": "fighting guard"}


def test_chapter_titles_and_term_names_render_in_both_languages() -> None:
    assert term_name("mae_geri", "en") == "Mae geri (front kick)"
    assert term_name("mae_geri", "it") == "Mae geri (calcio frontale)"
    assert term_name("heian_shodan", "it") == "Heian shodan"
    chapter = {"index": 0, "start": 0.0, "end": 5.0, "labels": [], "segments": [],
               "title": {"key": "knowledge.chapter.category", "params": {"category": "kick"}}}  # fmt: skip
    assert chapter_title(chapter, "it") == "Argomento: Calcio"  # type: ignore[arg-type]
    assert render({"key": "knowledge.chapter.part", "params": {"number": 2}}, "en") == "Part 2"
    assert render(
        {"key": "knowledge.warning.language_unexpected", "params": {"language": "ja-Latn"}}, "it"
    ).startswith("Il parlato sembra in Giapponese")


def test_catalogue_has_every_knowledge_key_in_both_languages() -> None:
    catalogue = studio_catalogue()
    assert catalogue.problems() == []
    assert {k for k in catalogue.keys("en") if k.startswith("knowledge.")} == {
        k for k in catalogue.keys("it") if k.startswith("knowledge.")
    }
