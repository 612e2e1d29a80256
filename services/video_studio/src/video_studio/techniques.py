"""Technique types an instructor picks when marking a reference, and the phase names of each.

Dependency-free (like joints.py) so the API can validate a technique type without importing the
compute code. A reference's motion is split into three phases around its motion peak (see
video_studio.pose.phases); the names of those three parts depend on the technique. When the
reference shows no clear peak the split is even and the parts are start / middle / end.
"""

from __future__ import annotations

from typing import Final, Literal, TypeAlias

Technique: TypeAlias = Literal["kick", "strike", "block", "stance", "kata", "throw", "general"]
TECHNIQUES: Final[tuple[Technique, ...]] = ("kick", "strike", "block", "stance", "kata", "throw", "general")
DEFAULT_TECHNIQUE: Final[Technique] = "general"

# Before the peak, around the peak, after the peak.
PEAK_PHASES: Final[dict[Technique, tuple[str, str, str]]] = {
    "kick": ("chamber", "extension", "retraction"),
    "strike": ("load", "impact", "recovery"),
    "block": ("preparation", "block", "recovery"),
    "stance": ("departure", "transition", "arrival"),
    "kata": ("opening", "sequence", "closing"),
    "throw": ("unbalancing", "entry", "execution"),
    "general": ("buildup", "peak", "return"),
}
EVEN_PHASES: Final[tuple[str, str, str]] = ("start", "middle", "end")
# A kata is a chain of techniques, not one movement with one peak: always split evenly, named
# after the kata's own parts.
EVEN_ONLY: Final[frozenset[Technique]] = frozenset({"kata"})
# Repetitions are looked for in these; a kata or a stance transition is performed once.
REPEATABLE: Final[frozenset[Technique]] = frozenset({"kick", "strike", "block", "throw", "general"})

ALL_PHASES: Final[tuple[str, ...]] = tuple(
    dict.fromkeys([*EVEN_PHASES, *(name for names in PEAK_PHASES.values() for name in names)])
)


def technique_or_default(value: str | None) -> Technique:
    """The technique named by `value`; unknown or missing values mean a general exercise."""
    for technique in TECHNIQUES:
        if value == technique:
            return technique
    return DEFAULT_TECHNIQUE


def phase_names(technique: Technique, peaked: bool) -> tuple[str, str, str]:
    if technique in EVEN_ONLY:
        return PEAK_PHASES[technique]
    return PEAK_PHASES[technique] if peaked else EVEN_PHASES
