"""Dubbing: a video's transcript (a KnowledgeDoc, or an uploaded script) into another language,
spoken in the instructor's voice, mixed under the original and ready to publish as an HLS audio
rendition.

    script = load_script(json.load(...))
    doc = dub(video, script, out_dir, language="it", tts=..., profiles=[profile], stt=...)
    doc = resynthesize_segment(out_dir, segment_id, tts=..., stt=..., text="...")

Per segment: translate (translation memory first, the `Translator` only when the memory has
nothing close enough; offline and unmatched the segment stays `untranslated` and the original is
heard there) -> synthesize (espeak-ng's rate first, so the words fit the slot) -> convert toward
the speaker's profile and stretch to the slot in one WORLD pass -> loudness to -16 LUFS. The voice
track is mixed over the original's audio, which is ducked under each dubbed segment (there is no
source separation: the original voice is lowered, not removed). Everything the re-synthesis of
one segment needs is stored in `out_dir/dub.json` next to the segments' audio.

Files in out_dir: dub.json (DubDoc), original.wav, voice.wav, mix.wav (24 kHz mono),
segments/<id>.wav, and with `master` the HLS rendition beside the master playlist.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import numpy as np

from video_studio.errors import InvalidInputError
from video_studio.knowledge.memory import TranslationMemory, translate
from video_studio.providers.base import SpeechToText, TextToSpeech, Translator, Voice
from video_studio.voice import quality
from video_studio.voice.audio import (
    ANALYSIS_RATE,
    WORLD_RATE,
    AudioInputError,
    FloatArray,
    decode,
    resample,
    write_wav,
)
from video_studio.voice.base_voice import choose_base_voice
from video_studio.voice.convert import ConversionPlan, calibrate, convert
from video_studio.voice.profile import VoiceProfile
from video_studio.voice.rendition import add_audio_rendition, package_audio
from video_studio.voice.speakers import STOCK_VOICES, Casting, cast, diarise
from video_studio.voice.stats import VoiceStats, analyse, voice_stats

DUB_VERSION: Final = 1
DUCK_DB: Final = -15.0
DUCK_RAMP_S: Final = 0.12
MIN_RATE, MAX_RATE = 0.85, 1.8  # what the TTS rate may do to fit a slot
MIN_STRETCH, MAX_STRETCH = (
    0.75,
    1.15,
)  # what the WORLD time-stretch may do after it (slow speech sounds drawn out)
CALIBRATION_TEXT: Final = {
    "it": "Il maestro saluta gli allievi e comincia la lezione. Ogni tecnica nasce da una posizione stabile.",
    "en": "The teacher greets the students and starts the lesson. Each technique grows from a firm stance.",
}
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ScriptSegment:
    id: int
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Script:
    language: str | None
    segments: tuple[ScriptSegment, ...]


def load_script(data: Mapping[str, Any]) -> Script:
    """A KnowledgeDoc (its speech segments) or an uploaded script
    `{"language": "it", "segments": [{"start": 0.0, "end": 2.5, "text": "..."}]}`."""
    if isinstance(data.get("speech"), Mapping):
        raw, language = (
            data["speech"].get("segments") or [],
            data["speech"].get("language") or data.get("language"),
        )
    else:
        raw, language = data.get("segments"), data.get("language")
    if not isinstance(raw, list) or not raw:
        raise InvalidInputError("the transcript has no segments (a KnowledgeDoc or a script with segments)")
    segments = []
    for k, item in enumerate(raw):
        try:
            start, end, text = float(item["start"]), float(item["end"]), str(item["text"]).strip()
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"transcript segment {k}: needs start, end and text") from exc
        if not end > start >= 0:
            raise InvalidInputError(f"transcript segment {k}: end must come after start")
        if text:
            segments.append(ScriptSegment(int(item.get("id", k)), start, end, text))
    if not segments:
        raise InvalidInputError("the transcript's segments hold no text")
    return Script(str(language) if language else None, tuple(sorted(segments, key=lambda s: s.start)))


@dataclass(frozen=True)
class VoicePlan:
    """How one speaker is voiced: the provider's voice, and when converted, toward what."""

    casting: Casting
    target: VoiceStats | None
    embedding: tuple[float, ...] | None
    source: VoiceStats | None
    plan: ConversionPlan
    calibration: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.casting.to_dict(),
            "target": self.target.to_dict() if self.target else None,
            "embedding": None if self.embedding is None else [round(v, 6) for v in self.embedding],
            "source": self.source.to_dict() if self.source else None,
            "plan": self.plan.to_dict(),
            "calibration": self.calibration,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VoicePlan:
        voice = Voice(str(data["voice"]["id"]), data["voice"]["pitch"])
        casting = Casting(int(data["speaker"]), voice, data["profile"], data["match"])
        return cls(
            casting,
            VoiceStats.from_dict(data["target"]) if data["target"] else None,
            None if data["embedding"] is None else tuple(float(v) for v in data["embedding"]),
            VoiceStats.from_dict(data["source"]) if data["source"] else None,
            ConversionPlan.from_dict(data["plan"]),
            dict(data["calibration"]),
        )


def _fit(
    tts: TextToSpeech, text: str, language: str, plan: VoicePlan, slot: float
) -> tuple[FloatArray, dict[str, Any]]:
    """Speech for `text` lasting about `slot` seconds: the provider's rate first, then a WORLD
    stretch (with the voice conversion in the same pass)."""
    voice = plan.casting.voice
    first = tts.synthesize(text, language=language, voice=voice)
    rate = float(np.clip(first.duration_s / max(slot, 0.2), MIN_RATE, MAX_RATE))
    speech = (
        first if abs(rate - 1.0) < 0.03 else tts.synthesize(text, language=language, voice=voice, rate=rate)
    )
    samples = resample(speech.samples, speech.sample_rate, WORLD_RATE)
    stretch = float(np.clip(slot / max(len(samples) / WORLD_RATE, 1e-3), MIN_STRETCH, MAX_STRETCH))
    out, info = convert(samples, WORLD_RATE, plan.target, stretch=stretch, source=plan.source, plan=plan.plan)
    out = quality.normalise_loudness(out, WORLD_RATE)
    return out, {
        "rate": round(rate, 4),
        "conversion": info.to_dict(),
        "duration_s": round(len(out) / WORLD_RATE, 3),
    }


def _voice_plan(
    casting: Casting,
    profiles: Sequence[VoiceProfile],
    tts: TextToSpeech,
    language: str,
    convert_voice: bool,
    nearest_base: bool = False,
) -> VoicePlan:
    if casting.profile is None or not convert_voice:
        return VoicePlan(casting, None, None, None, ConversionPlan(identity=True), {})
    profile = profiles[casting.profile]
    text = CALIBRATION_TEXT.get(language, CALIBRATION_TEXT["en"])
    # Optionally start from the provider voice nearest the profile (small F0 shift left). Off by
    # default: espeak-ng's high-pitched female variants are far harder for Whisper (docs/VOICE.md).
    base_scores: dict[str, float] = {}
    if nearest_base:
        choice = choose_base_voice(tts, language, text, profile.stats.f0_median_hz, profile.vector())
        casting = replace(casting, voice=choice.voice)
        base_scores = {f"base {name}": sim for name, sim in choice.scores.items()}
    speech = tts.synthesize(text, language=language, voice=casting.voice)
    samples = resample(speech.samples, speech.sample_rate, WORLD_RATE)
    source = voice_stats([analyse(samples, WORLD_RATE, aperiodicity=False)])
    plan, scores = calibrate([samples], WORLD_RATE, profile.stats, profile.vector(), source=source)
    scores.update(base_scores)
    return VoicePlan(casting, profile.stats, profile.embedding, source, plan, scores)


def _duck_and_mix(original: FloatArray, voice: FloatArray, spans: list[tuple[float, float]]) -> FloatArray:
    gain = np.ones(len(original), np.float32)
    floor = 10 ** (DUCK_DB / 20)
    ramp = int(DUCK_RAMP_S * WORLD_RATE)
    for start, end in spans:
        a, b = max(0, int(start * WORLD_RATE) - ramp), min(len(gain), int(end * WORLD_RATE) + ramp)
        if b <= a:
            continue
        shape = np.full(b - a, floor, np.float32)
        r = min(ramp, (b - a) // 2)
        if r > 0:
            shape[:r] = np.linspace(1.0, floor, r)
            shape[-r:] = np.linspace(floor, 1.0, r)
        gain[a:b] = np.minimum(gain[a:b], shape)
    mix = original * gain + voice[: len(original)]
    return quality.normalise_loudness(mix.astype(np.float32), WORLD_RATE)


def _assemble(out_dir: Path, doc: dict[str, Any], length: int) -> FloatArray:
    voice = np.zeros(length, np.float32)
    for seg in doc["segments"]:
        if seg["status"] != "dubbed":
            continue
        audio = decode(out_dir / seg["audio"], rate=WORLD_RATE)
        at = int(seg["start"] * WORLD_RATE)
        end = min(length, at + len(audio))
        voice[at:end] += audio[: end - at]
    return voice


def _finish(out_dir: Path, doc: dict[str, Any], stt_used: bool) -> dict[str, Any]:
    original = decode(out_dir / "original.wav", rate=WORLD_RATE)
    voice = _assemble(out_dir, doc, len(original))
    spans = [(s["start"], s["end"]) for s in doc["segments"] if s["status"] == "dubbed"]
    mix = _duck_and_mix(original, voice, spans)
    write_wav(out_dir / "voice.wav", voice, WORLD_RATE)
    write_wav(out_dir / "mix.wav", mix, WORLD_RATE)
    assessed = [
        (s["text"], quality.SegmentQuality(**{**s["quality"], "flags": tuple(s["quality"]["flags"])}))
        for s in doc["segments"]
        if s["status"] == "dubbed"
    ]
    doc["quality"] = quality.overall(assessed, mix, WORLD_RATE)
    doc["quality"]["untranslated"] = sum(1 for s in doc["segments"] if s["status"] == "untranslated")
    doc["quality"]["stt"] = stt_used
    (out_dir / "dub.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return doc


def _render_segment(
    out_dir: Path,
    seg: dict[str, Any],
    plan: VoicePlan,
    tts: TextToSpeech,
    stt: SpeechToText | None,
    language: str,
) -> None:
    slot = seg["end"] - seg["start"]
    audio, info = _fit(tts, seg["text"], language, plan, slot)
    path = out_dir / "segments" / f"{seg['id']:04d}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, audio, WORLD_RATE)
    assessed = quality.assess_segment(
        audio, WORLD_RATE, slot_s=slot, text=seg["text"], language=language,
        profile=None if plan.embedding is None else np.asarray(plan.embedding, np.float32), stt=stt,
    )  # fmt: skip
    seg.update(
        status="dubbed", audio=path.relative_to(out_dir).as_posix(), fit=info, quality=assessed.to_dict()
    )


def dub(
    video: Path,
    script: Script,
    out_dir: Path,
    *,
    language: str,
    tts: TextToSpeech,
    profiles: Sequence[VoiceProfile] = (),
    stt: SpeechToText | None = None,
    memory: TranslationMemory | None = None,
    translator: Translator | None = None,
    convert_voice: bool = True,
    diarisation: bool = True,
    nearest_base_voice: bool = False,
    master: Path | None = None,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """The whole dub; returns the DubDoc also written to out_dir/dub.json. `convert_voice` False
    for a provider that already speaks in the profile's voice (a cloned ElevenLabs voice).
    `nearest_base_voice`: start from the provider voice nearest the profile (voice/base_voice.py;
    off: it raised similarity but cost Whisper words on female targets, docs/VOICE.md)."""
    report = on_progress or (lambda fraction, stage: None)
    support = tts.supports(language)
    if not support.supported:
        raise InvalidInputError(f"{tts.name} cannot speak {language!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    original = decode(video, rate=WORLD_RATE)
    if len(original) < WORLD_RATE // 2:
        raise AudioInputError("voice.reason.no_audio", f"{video.name}: has no audio track", name=video.name)
    write_wav(out_dir / "original.wav", original, WORLD_RATE)
    report(0.05, "translate")
    if memory is None:
        from video_studio.knowledge.glossary import default_glossary

        memory = TranslationMemory(glossary=default_glossary())
    duration = len(original) / WORLD_RATE
    segments: list[dict[str, Any]] = []
    for s in script.segments:
        if s.start >= duration:
            continue
        entry: dict[str, Any] = {
            "id": s.id,
            "start": s.start,
            "end": min(s.end, duration),
            "source_text": s.text,
        }
        if script.language in (None, language):
            entry.update(text=s.text, origin="source")
        else:
            found = translate(
                s.text, source=script.language, target=language, memory=memory, translator=translator
            )
            entry.update(text=found.text, origin=found.origin, tm_score=found.score)
        entry["status"] = "pending" if entry["text"] else "untranslated"
        segments.append(entry)
    if not segments:
        raise InvalidInputError("no transcript segment falls inside the video")
    report(0.1, "diarise")
    spans = [(s["start"], s["end"]) for s in segments]
    if diarisation and len(segments) > 1:
        labels, centroids = diarise(resample(original, WORLD_RATE, ANALYSIS_RATE), spans)
    else:
        labels, centroids = [0] * len(segments), {}
    base = tts.default_voice(language)
    stock = STOCK_VOICES.get(language, ()) if tts.name == "espeak-ng" else ()
    castings = cast(labels, centroids, [p.vector() for p in profiles], base_voice=base, stock=stock)
    report(0.2, "calibrate")
    plans = {
        sp: _voice_plan(c, profiles, tts, language, convert_voice, nearest_base_voice)
        for sp, c in castings.items()
    }
    for seg, label in zip(segments, labels, strict=True):
        seg["speaker"] = label
    for k, seg in enumerate(segments):
        report(0.25 + 0.65 * k / len(segments), "synthesize")
        if seg["status"] == "pending":
            _render_segment(out_dir, seg, plans[seg["speaker"]], tts, stt, language)
    doc: dict[str, Any] = {
        "version": DUB_VERSION,
        "language": language,
        "source_language": script.language,
        "provider": tts.name,
        "duration_s": round(duration, 3),
        "voices": [plans[sp].to_dict() for sp in sorted(plans)],
        "segments": segments,
    }
    report(0.9, "mix")
    doc = _finish(out_dir, doc, stt is not None)
    if master is not None:
        report(0.95, "package")
        publish(out_dir, master)
    report(1.0, "done")
    return doc


def publish(
    out_dir: Path, master: Path, *, name: str | None = None, original_language: str | None = None
) -> Path:
    """Package out_dir/mix.wav as an HLS rendition in master's folder and announce it there."""
    doc = json.loads((out_dir / "dub.json").read_text(encoding="utf-8"))
    language = str(doc["language"])
    playlist = package_audio(out_dir / "mix.wav", master.parent / f"audio_{language}")
    add_audio_rendition(
        master,
        playlist,
        language=language,
        name=name,
        original_language=original_language or doc["source_language"],
    )
    return playlist


def resynthesize_segment(
    out_dir: Path,
    segment_id: int,
    *,
    tts: TextToSpeech,
    stt: SpeechToText | None = None,
    text: str | None = None,
    voice: Voice | None = None,
) -> dict[str, Any]:
    """Re-do one segment (a fixed text, another voice) and re-mix; the others' audio is kept."""
    path = out_dir / "dub.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    seg = next((s for s in doc["segments"] if s["id"] == segment_id), None)
    if seg is None:
        raise InvalidInputError(f"the dub has no segment {segment_id}")
    if text is not None:
        if not text.strip():
            raise InvalidInputError("the new text is empty")
        seg.update(text=text.strip(), origin="edited")
    if not seg.get("text"):
        raise InvalidInputError(f"segment {segment_id} has no text to speak (translate it first)")
    plan = VoicePlan.from_dict(next(v for v in doc["voices"] if v["speaker"] == seg["speaker"]))
    if voice is not None:
        plan = VoicePlan(Casting(plan.casting.speaker, voice, plan.casting.profile, plan.casting.match),
                         plan.target, plan.embedding, plan.source, plan.plan, plan.calibration)  # fmt: skip
    _render_segment(out_dir, seg, plan, tts, stt, str(doc["language"]))
    return _finish(out_dir, doc, stt is not None)
