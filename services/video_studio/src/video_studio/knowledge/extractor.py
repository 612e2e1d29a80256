"""The one entry point: `extract(path, ...) -> KnowledgeDoc` for a video, a PDF or a picture."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from video_studio.errors import EmptyFileError, InvalidInputError
from video_studio.knowledge.captions import to_webvtt
from video_studio.knowledge.categorise import document_labels, segment_docs, units_for_pages, units_for_video
from video_studio.knowledge.chapters import make_chapters
from video_studio.knowledge.doc import (
    DEFAULT_THRESHOLD,
    FORMAT_VERSION,
    Kind,
    KnowledgeDoc,
    LanguageSupportDoc,
    Message,
    SourceDoc,
    SpeechDoc,
    SpeechSegmentDoc,
    TextDoc,
)
from video_studio.knowledge.documents import image_text, pdf_pages
from video_studio.knowledge.glossary import Glossary, default_glossary
from video_studio.knowledge.keyframes import KeyframeParams, keyframes
from video_studio.knowledge.language import TEXT_LANGUAGES, detect_language
from video_studio.knowledge.motion import motion_track
from video_studio.knowledge.ocr import Observation, merge_observations, read_text
from video_studio.providers.audio import speech_wav
from video_studio.providers.base import SpeechToText, Transcript
from video_studio.skeleton.doc import SkeletonDoc
from video_studio.transcode.probe import Limits, format_bytes, probe

Progress = Callable[[float, str], None]

# A lesson is rarely longer than two hours; longer uploads fail with a clear reason.
KNOWLEDGE_LIMITS: Final = Limits(max_duration_s=2 * 3600.0)

_IMAGE_MAGIC: Final = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)


class NothingFoundError(InvalidInputError):
    """The input holds no speech, no text and no movement we could use."""

    code = "nothing_found"
    reason_code = "nothing_found"


@dataclass(frozen=True)
class Options:
    languages: tuple[str, ...] = TEXT_LANGUAGES
    transcribe: bool = True
    glossary_prompt: bool = True
    ocr: bool = True
    use_motion: bool = True
    threshold: float = DEFAULT_THRESHOLD
    keyframes: KeyframeParams = field(default_factory=KeyframeParams)
    limits: Limits = KNOWLEDGE_LIMITS


def sniff_kind(path: Path) -> Kind:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(_IMAGE_MAGIC) or (head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        return "image"
    return "video"


def _message(key: str, **params: str | int | float) -> Message:
    return {"key": key, "params": dict(params)}


def extract(
    path: str | Path,
    *,
    skeleton: SkeletonDoc | None = None,
    stt: SpeechToText | None = None,
    languages: Sequence[str] = TEXT_LANGUAGES,
    options: Options | None = None,
    glossary: Glossary | None = None,
    on_progress: Progress | None = None,
) -> KnowledgeDoc:
    """Transcript, on-screen or document text, languages, categorised techniques with confidence
    and evidence, and chapters. `stt` None: the offline Whisper. `skeleton`: the video's skeleton
    document (motion evidence). Raises InvalidInputError (bad, huge or empty input),
    NothingFoundError, or ProviderError (the speech service failed: retry)."""
    opts = options or Options()
    opts = replace(opts, languages=tuple(languages))
    gloss = glossary or default_glossary()
    progress = on_progress or (lambda fraction, stage: None)
    source = Path(path)
    if not source.is_file():
        raise InvalidInputError(f"{source.name}: file not found")
    size = source.stat().st_size
    if size == 0:
        raise EmptyFileError(f"{source.name} is empty (0 bytes)")
    if size > opts.limits.max_bytes:
        raise InvalidInputError(
            f"{source.name} is larger than the {opts.limits.max_bytes:,} bytes we accept",
            reason_code="file_too_large",
            size=format_bytes(size),
            max_size=format_bytes(opts.limits.max_bytes),
        )
    kind = sniff_kind(source)
    if kind == "video":
        return _extract_video(source, size, skeleton, stt, opts, gloss, progress)
    return _extract_document(source, size, kind, opts, gloss, progress)


def _text_doc(
    k: int, source: str, text: str, score: float | None, glossary: Glossary, **where: object
) -> TextDoc:
    guess = detect_language(text, glossary)
    doc: TextDoc = {
        "id": k,
        "source": "ocr" if source == "ocr" else ("pdf" if source == "pdf" else "image"),
        "text": text,
        "language": guess.language,
        "language_confidence": guess.confidence,
        "score": score,
    }
    doc.update(where)  # type: ignore[typeddict-item]
    return doc


def _extract_document(
    source: Path, size: int, kind: Kind, opts: Options, glossary: Glossary, progress: Progress
) -> KnowledgeDoc:
    progress(0.0, "text")
    if kind == "pdf":
        pages = pdf_pages(source, ocr=opts.ocr)
        page_count: int | None = max((p.page for p in pages), default=0) or None
    else:
        pages = [image_text(source)] if opts.ocr else []
        page_count = None
    texts = [
        _text_doc(k, "image" if kind == "image" else p.source, p.text, p.score, glossary, page=p.page)
        for k, p in enumerate(pages)
        if p.text.strip()
    ]
    if not texts:
        raise NothingFoundError(f"{source.name}: no text found (an empty page, or a picture without words)")
    progress(0.6, "labels")
    segments = segment_docs(units_for_pages(texts), glossary, None)
    progress(1.0, "done")
    return {
        "version": FORMAT_VERSION,
        "kind": kind,
        "source": {
            "name": source.name,
            "bytes": size,
            "duration_s": None,
            "pages": page_count,
            "has_audio": None,
        },
        "languages": list(opts.languages),
        "language": _main_language(None, texts),
        "threshold": opts.threshold,
        "speech": None,
        "texts": texts,
        "segments": segments,
        "labels": document_labels(segments),
        "chapters": [],
        "warnings": [],
        "motion_used": False,
    }


def _speech_doc(
    transcript: Transcript, stt: SpeechToText, opts: Options, prompted: bool, glossary: Glossary
) -> SpeechDoc:
    support: dict[str, LanguageSupportDoc] = {}
    for lang in opts.languages:
        s = stt.supports(lang)
        support[lang] = {
            "supported": s.supported,
            "reason": _message(s.reason, **dict(s.params)) if s.reason else None,
        }
    detected = transcript.language
    detected_support = stt.supports(detected) if detected else None
    segments: list[SpeechSegmentDoc] = []
    for k, seg in enumerate(transcript.segments):
        guess = detect_language(seg.text, glossary)
        segments.append(
            {
                "id": k,
                "start": seg.start,
                "end": seg.end,
                "text": seg.text,
                "language": guess.language,
                "confidence": seg.confidence,
                "words": [
                    {"text": w.text, "start": w.start, "end": w.end, "probability": w.probability}
                    for w in seg.words
                ],
            }
        )
    return {
        "provider": transcript.provider,
        "model": transcript.model,
        "language": detected,
        "language_probability": transcript.language_probability,
        "language_supported": detected_support.supported if detected_support else True,
        "reason": _message(detected_support.reason, **dict(detected_support.params))
        if detected_support and detected_support.reason
        else None,
        "languages": support,
        "prompted": prompted,
        "segments": segments,
    }


def _transcribe(source: Path, stt: SpeechToText, opts: Options, glossary: Glossary) -> SpeechDoc:
    forced = opts.languages[0] if len(opts.languages) == 1 else None
    prompt = glossary.prompt() if opts.glossary_prompt else None
    with tempfile.TemporaryDirectory(prefix="knowledge-") as tmp:
        wav = speech_wav(source, Path(tmp) / "speech.wav", max_seconds=opts.limits.max_duration_s)
        transcript = stt.transcribe(wav, language=forced, prompt=prompt)
    return _speech_doc(transcript, stt, opts, prompt is not None, glossary)


def _screen_texts(
    source: Path, duration: float, opts: Options, glossary: Glossary, progress: Progress
) -> list[TextDoc]:
    observations: list[Observation] = []
    for frame in keyframes(source, duration, opts.keyframes):
        for line in read_text(frame.rgb):
            observations.append(Observation(line.text, line.score, frame.t, frame.index, line.box))
        if duration > 0:
            progress(0.4 + 0.3 * min(1.0, frame.t / duration), "ocr")
    texts = []
    for k, seen in enumerate(merge_observations(observations)):
        texts.append(
            _text_doc(
                k,
                "ocr",
                seen.text,
                seen.score,
                glossary,
                start=seen.start,
                end=seen.end,
                frames=seen.frames,
                box=list(seen.box),
            )
        )
    return texts


def _main_language(speech: SpeechDoc | None, texts: Sequence[TextDoc]) -> str | None:
    if speech is not None and speech["segments"] and speech["language"]:
        return speech["language"]
    counted = Counter(t["language"] for t in texts if t["language"] in TEXT_LANGUAGES)
    return counted.most_common(1)[0][0] if counted else None


def _extract_video(
    source: Path,
    size: int,
    skeleton: SkeletonDoc | None,
    stt: SpeechToText | None,
    opts: Options,
    glossary: Glossary,
    progress: Progress,
) -> KnowledgeDoc:
    info = probe(source, limits=opts.limits)
    warnings: list[Message] = []
    speech: SpeechDoc | None = None
    progress(0.0, "speech")
    if opts.transcribe:
        if not info.has_audio:
            warnings.append(_message("knowledge.warning.no_audio"))
        else:
            if stt is None:
                from video_studio.providers.whisper_local import LocalWhisper

                stt = LocalWhisper()
            speech = _transcribe(source, stt, opts, glossary)
            if not speech["segments"]:
                warnings.append(_message("knowledge.warning.no_speech"))
            elif speech["language"] and speech["language"] not in opts.languages:
                warnings.append(
                    _message("knowledge.warning.language_unexpected", language=speech["language"])
                )
            if speech["segments"] and not speech["language_supported"] and speech["reason"]:
                warnings.append(speech["reason"])
    progress(0.4, "ocr")
    texts = _screen_texts(source, info.duration_s, opts, glossary, progress) if opts.ocr else []
    track = motion_track(skeleton) if opts.use_motion else None
    if skeleton is not None and opts.use_motion and track is None:
        warnings.append(_message("knowledge.warning.no_person"))
    progress(0.8, "labels")
    units = units_for_video(speech["segments"] if speech else [], texts, track, info.duration_s)
    segments = segment_docs(units, glossary, track)
    labels = document_labels(segments)
    if not (speech and speech["segments"]) and not texts and not labels:
        raise NothingFoundError(
            f"{source.name}: no speech, no on-screen text and no recognisable technique were found"
        )
    result_source: SourceDoc = {
        "name": source.name,
        "bytes": size,
        "duration_s": round(info.duration_s, 3),
        "pages": None,
        "has_audio": info.has_audio,
    }
    progress(1.0, "done")
    return {
        "version": FORMAT_VERSION,
        "kind": "video",
        "source": result_source,
        "languages": list(opts.languages),
        "language": _main_language(speech, texts),
        "threshold": opts.threshold,
        "speech": speech,
        "texts": texts,
        "segments": segments,
        "labels": labels,
        "chapters": make_chapters(segments, info.duration_s, opts.threshold),
        "warnings": warnings,
        "motion_used": track is not None,
    }


def captions(doc: KnowledgeDoc) -> str | None:
    """The transcript as WebVTT, None when there is no speech."""
    if doc["speech"] is None or not doc["speech"]["segments"]:
        return None
    return to_webvtt(doc["speech"]["segments"])


def _export() -> None:
    """The package re-exports these lazily; set them on it now, so a submodule's own name
    (`video_studio.knowledge.captions`, loaded above) never shadows the function."""
    import sys

    package = sys.modules["video_studio.knowledge"]
    for name in ("NothingFoundError", "Options", "captions", "extract"):
        setattr(package, name, globals()[name])


_export()
