"""Pose reports are stored language-neutral and rendered into the viewer's language.

The compare (video_studio.pose.compare) writes codes and numbers only: a feedback item names a
joint, a phase, a direction and a deviation; a warning has a code and parameters. This module,
dependency-free so the API can use it without the compute stack, adds every sentence from the
studio catalogue (locales/{en,it}.json): cue messages, phase labels, the tempo and match
messages, warnings and notes. The CLI, the worker (overlay, plots) and the API all render through
`render_report`, so they give the same report.

Reports of version 1 (before language-neutral storage) hold English messages and plain-string
notes; they are rendered as they are, with empty defaults for the fields they do not have.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from video_studio.i18n import Language, normalize_language, studio_catalogue
from video_studio.techniques import Technique, technique_or_default

REPORT_VERSION: Final = 2
TOP_CUES: Final = 3

# The limb a cue about a joint speaks of ("raise your right knee" judges the hip).
_LIMB: Final[dict[str, str]] = {
    "elbow": "arm",
    "shoulder": "arm",
    "hip": "knee",
    "knee": "leg",
    "ankle": "foot",
}


def number(value: float, lang: Language, digits: int = 1) -> str:
    """A decimal number as the language writes it (1.5 / 1,5)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "it" else text


def phase_label(name: str, lang: str | None) -> str:
    catalogue = studio_catalogue()
    key = f"pose.phase.{name}"
    return catalogue.text(key, lang) if catalogue.has(key) else name


def joint_label(joint: str, lang: str | None) -> str:
    catalogue = studio_catalogue()
    key = f"pose.joint.{joint}"
    return catalogue.text(key, lang) if catalogue.has(key) else joint.replace("_", " ")


def technique_label(technique: str, lang: str | None) -> str:
    return studio_catalogue().text(f"pose.technique.{technique_or_default(technique)}", lang)


def _split(joint: str) -> tuple[str, str]:
    side, _, part = joint.partition("_")
    return (side, part) if part else ("", joint)


def cue_text(item: Mapping[str, Any], technique: Technique, lang: str | None) -> str:
    """The coaching sentence of one feedback item, worded for the technique when the catalogue
    has a technique-specific cue, else the general one. The number in it is the deviation the
    fault test judged (`deviation_deg`), the verb follows `direction`."""
    catalogue = studio_catalogue()
    language = normalize_language(lang)
    side, part = _split(str(item["joint"]))
    direction = str(item.get("direction", "mixed"))
    key = f"pose.cue.{technique}.{part}.{direction}"
    if not catalogue.has(key):
        key = f"pose.cue.any.{part}.{direction}"
    limb_key = f"pose.body.{side}_{_LIMB[part]}" if part in _LIMB and side else f"pose.body.{item['joint']}"
    deviation = item.get("deviation_deg")
    if deviation is None:
        deviation = abs(float(item["measured_deg"]) - float(item["reference_deg"]))
    return catalogue.text(
        key,
        language,
        phase=phase_label(str(item["phase"]), language),
        joint=catalogue.text(f"pose.body.{item['joint']}", language),
        limb=catalogue.text(limb_key, language),
        deg=round(float(deviation)),
    )


def _message(code_key: str, params: Mapping[str, Any], lang: Language) -> str:
    values = {
        name: number(value, lang) if isinstance(value, float) else value for name, value in params.items()
    }
    return studio_catalogue().text(code_key, lang, **values)


def warning_text(warning: Mapping[str, Any], lang: str | None) -> str:
    language = normalize_language(lang)
    params = dict(warning.get("params") or {})
    key = f"pose.warning.{warning['code']}"
    kind = params.get("kind")
    if kind is not None and studio_catalogue().has(f"{key}.{kind}"):
        key = f"{key}.{kind}"
    return _message(key, params, language)


def note_text(note: Mapping[str, Any], lang: str | None) -> str:
    return _message(f"pose.note.{note['code']}", dict(note.get("params") or {}), normalize_language(lang))


def tempo_text(tempo: Mapping[str, Any], lang: str | None) -> str:
    language = normalize_language(lang)
    code = str(tempo["code"])
    ratio = float(tempo["ratio"])
    factor = ratio if code == "slower" else 1.0 / max(ratio, 1e-6)
    return _message(f"pose.tempo.{code}", {"factor": round(factor, 1)}, language)


def match_text(match: Mapping[str, Any], lang: str | None) -> str:
    return studio_catalogue().text(f"pose.match.{match['reason']}", lang)


def render_report(report: Mapping[str, Any], lang: str | None) -> dict[str, Any]:
    """A copy of a stored report with every message in `lang` (en or it; anything else: en)."""
    language = normalize_language(lang)
    out: dict[str, Any] = copy.deepcopy(dict(report))
    out["lang"] = language
    if int(out.get("version", 1)) < REPORT_VERSION:
        return _render_legacy(out, language)
    technique = technique_or_default(out.get("technique"))
    out["technique"] = technique
    out["technique_label"] = technique_label(technique, language)
    for item in [*out.get("feedback", []), *out.get("top_cues", [])]:
        item["message"] = cue_text(item, technique, language)
        item["phase_label"] = phase_label(str(item["phase"]), language)
    for phase in out.get("phases", []):
        phase["label"] = phase_label(str(phase["name"]), language)
    if out.get("tempo"):
        out["tempo"]["message"] = tempo_text(out["tempo"], language)
    if out.get("match"):
        out["match"]["message"] = match_text(out["match"], language)
    for warning in out.get("warnings", []):
        warning["message"] = warning_text(warning, language)
    out["notes"] = [{"code": n["code"], "message": note_text(n, language)} for n in out.get("notes", [])]
    return out


def _render_legacy(out: dict[str, Any], lang: Language) -> dict[str, Any]:
    """Version 1: English sentences already inside; keep them and fill the newer fields."""
    out["technique"] = technique_or_default(out.get("technique"))
    out["technique_label"] = technique_label(out["technique"], lang)
    feedback = out.get("feedback", [])
    for item in feedback:
        item.setdefault("deviation_deg", round(abs(item["measured_deg"] - item["reference_deg"]), 1))
        item["phase_label"] = phase_label(str(item["phase"]), lang)
    out.setdefault("top_cues", copy.deepcopy(feedback[:TOP_CUES]))
    for phase in out.get("phases", []):
        phase["label"] = phase_label(str(phase["name"]), lang)
    out["notes"] = [
        {"code": "legacy", "message": str(n)}
        if isinstance(n, str)
        else {**n, "message": n.get("message", "")}
        for n in out.get("notes", [])
    ]
    out.setdefault("match", None)
    out.setdefault("tempo", None)
    out.setdefault("warnings", [])
    out.setdefault("reps", None)
    return out
