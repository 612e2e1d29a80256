"""The search folding and the trigram rule that SQLite uses in place of pg_trgm."""

from __future__ import annotations

import pytest

from app.core.text_search import WORD_SIMILARITY_THRESHOLD, fold, forgives_typos, terms, word_similarity


def test_fold_removes_case_and_accents() -> None:
    assert fold("Karaté Shōtōkan ÉCOLE") == "karate shotokan ecole"
    assert terms("  Ōi-zuki, gyaku   ZUKI! ") == ["oi", "zuki", "gyaku", "zuki"]


@pytest.mark.parametrize(
    ("term", "text", "pg_trgm"),
    # pg_trgm's word_similarity() on PostgreSQL 15 for the same pairs
    [
        ("squt", "deep squat for beginners", 0.6),
        ("kaarate", "karate kata heian", 0.75),
        ("mawasi", "mawashi geri", 0.7142857),
        ("gery", "mae geri", 0.6),
        ("kick", "mae geri front kick", 1.0),
        ("judo", "karate kata", 0.0),
    ],
)
def test_word_similarity_agrees_with_pg_trgm_on_single_word_typos(
    term: str, text: str, pg_trgm: float
) -> None:
    assert word_similarity(term, text) == pytest.approx(pg_trgm, abs=1e-6)
    assert (word_similarity(term, text) >= WORD_SIMILARITY_THRESHOLD) == (
        pg_trgm >= WORD_SIMILARITY_THRESHOLD
    )


def test_only_words_of_four_letters_or_more_forgive_typos() -> None:
    assert forgives_typos("squt") and forgives_typos("mawasi")
    assert not forgives_typos("kck")  # too short: one typo is most of the word
    assert not forgives_typos("2024") and not forgives_typos("dan5")  # codes match as typed
