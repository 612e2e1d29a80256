"""The coach's offline default: no model, an honest retrieval answerer.

It says plainly that it is the offline assistant, then quotes the sentences of the retrieved
passages (catalog videos, the student's pose reports, knowledge items) that share the most words
with the question, each cited as [n] like an LLM's reply, in the student's language (it/en).
With no matching passage it says so instead of inventing an answer. A question about pain or
injury gets the safety note (stop, see a professional; no diagnosis).

`relevance` is the word-overlap score the backend's retrieval ranks candidates with (one scorer
for both), with a light it/en stemming ("kicks", "kicking" -> "kick"; "calci", "calcio" -> "calc").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from video_studio.i18n import normalize_language, studio_catalogue
from video_studio.providers.base import ChatChunk, ChatTurn, Passage

_WORD: Final = re.compile(r"[^\W\d_]{3,}")
_SENTENCE: Final = re.compile(r"(?<=[.!?])\s+|\n+")
_PIECE: Final = re.compile(r"\S+\s*")
_SUFFIXES: Final = ("ing", "ed", "es", "s", "io", "ia", "i", "o", "a", "e")
_STOPWORDS: Final = frozenset(
    """the and for are but not you your with this that what how why when can should would could about
    from have has had was were will into out more most some any all then than them they there their
    which who whom does did doing just very too also its it's che per con non una uno gli delle
    della dei del nel nella alla allo come cosa quando perché perche sono sei essere fare faccio
    posso devo mio mia miei mie tuo tua suo sua questo questa quello quella anche più piu molto
    poco dove quale quali chi""".split()  # noqa: SIM905
)
# Stems of words that make a question about pain or injury (it/en).
_PAIN: Final = frozenset(
    {"pain", "hurt", "injur", "injury", "sprain", "swollen", "swell", "dolor", "dolore", "male",
     "infortun", "ferit", "gonfi", "distorsion", "strapp"}
)  # fmt: skip
MAX_EXCERPT_CHARS: Final = 320


def stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def relevance(question: str | set[str], title: str, text: str) -> float:
    """Shared words (title words count double), damped by the passage's length."""
    wanted = terms(question) if isinstance(question, str) else question
    if not wanted:
        return 0.0
    in_title = wanted & terms(title)
    in_text = wanted & terms(text)
    hits = 2.0 * len(in_title) + len(in_text - in_title)
    return hits / math.sqrt(1.0 + len(terms(text)) / 50.0) if hits else 0.0


def _excerpt(question: set[str], text: str) -> str:
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not sentences:
        return ""
    ranked = sorted(range(len(sentences)), key=lambda i: (-len(question & terms(sentences[i])), i))
    chosen = sorted(ranked[:2])
    excerpt = " ".join(sentences[i] for i in chosen)
    if len(excerpt) > MAX_EXCERPT_CHARS:
        excerpt = excerpt[: MAX_EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return excerpt


def _about_pain(question: set[str]) -> bool:
    return any(q.startswith(p) or p.startswith(q) for q in question for p in _PAIN if len(q) >= 4)


def compose(question: str, passages: Sequence[Passage], language: str) -> str:
    lang = normalize_language(language)
    text = studio_catalogue().text
    wanted = terms(question)
    parts = [text("coach.offline.intro", lang)]
    if passages:
        parts.append(text("coach.offline.found", lang))
        parts += [
            f"[{n}] {p.title}: {_excerpt(wanted, p.text) or p.title}" for n, p in enumerate(passages, start=1)
        ]
    else:
        parts.append(text("coach.offline.nothing", lang))
    if _about_pain(wanted):
        parts.append(text("coach.offline.safety", lang))
    return "\n\n".join(parts)


def pieces(text: str) -> Iterable[str]:
    """The text in word-sized pieces (whitespace kept), as a model would stream it."""
    return _PIECE.findall(text)


@dataclass
class OfflineAnswerer:
    name: str = "offline"
    model: str = "retrieval"

    def stream(
        self,
        *,
        system: str,
        turns: Sequence[ChatTurn],
        passages: Sequence[Passage],
        language: str,
        max_tokens: int,
    ) -> Iterator[ChatChunk]:
        question = next((t.content for t in reversed(turns) if t.role == "user"), "")
        for piece in pieces(compose(question, passages, language)):
            yield ChatChunk(piece)
