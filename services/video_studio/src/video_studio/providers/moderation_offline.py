"""The offline moderation check: a word list (it/en).

What it catches: common insults and slurs, threats of violence against a person ("I will kill
you", "ti ammazzo"), and sexual harassment terms — matched as whole words after lower-casing and
folding accents and simple obfuscations (digits for letters, repeated letters, "f*ck"). What it
does not catch: abuse without these words, sarcasm, other languages, or context (a martial arts
question about a "choke" or a "strike" is fine: the list holds no technique words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

_LEET: Final = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "*": "u"}
)
_INSULTS: Final = frozenset(
    """idiot idiots moron morons retard retarded stupid bitch bitches bastard asshole assholes fuck
    fucking fucker motherfucker shit dickhead cunt whore slut faggot fag nigger nigga idiota idioti
    cretino cretina cretini stronzo stronza stronzi coglione coglioni vaffanculo fanculo puttana
    troia bastardo bastarda frocio negro deficiente minchia cazzo""".split()  # noqa: SIM905
)
_THREATS: Final = (
    re.compile(r"\b(i\s*(will|'ll|am\s+going\s+to|gonna)\s+(kill|murder|hurt|rape)\s+(you|u))\b"),
    re.compile(r"\b(ti\s+(ammazzo|uccido|ammazzerò|ammazzero|uccidero|ucciderò|stupro))\b"),
    re.compile(r"\b(kill\s+yourself|ammazzati|ucciditi)\b"),
)
_SEXUAL: Final = frozenset(
    """rape stupro stuprare porn porno nudes""".split()  # noqa: SIM905
)


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.translate(_LEET)
    return re.sub(r"(\w)\1{2,}", r"\1", folded)  # "stuuuupid" -> "stupid"


@dataclass
class WordListModerator:
    name: str = "wordlist"

    def flagged(self, text: str) -> tuple[str, ...]:
        normal = normalise(text)
        words = set(re.findall(r"\w+", normal))
        found = []
        if words & _INSULTS:
            found.append("harassment")
        if any(p.search(normal) for p in _THREATS):
            found.append("violence")
        if words & _SEXUAL:
            found.append("sexual")
        return tuple(found)
