"""The KnowledgeDoc: everything extracted from one video, PDF or picture, as plain JSON.

Versioned (`FORMAT_VERSION`); user-visible words are codes: categories are technique types
(`video_studio.techniques`, shown through the catalogue key `pose.technique.<type>`), named
techniques are glossary ids (names per language in the glossary), chapter titles and warnings
are catalogue keys with parameters. `video_studio.knowledge.text` renders them in it or en.
See docs/KNOWLEDGE.md for the field-by-field description.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

FORMAT_VERSION = 1
DEFAULT_THRESHOLD = 0.5  # the confidence a label needs to be shown by default

Kind: TypeAlias = Literal["video", "pdf", "image"]


class Message(TypedDict):
    key: str  # catalogue key (video_studio.i18n.studio_catalogue)
    params: dict[str, str | int | float]


class WordDoc(TypedDict):
    text: str
    start: float
    end: float
    probability: float | None


class SpeechSegmentDoc(TypedDict):
    id: int
    start: float
    end: float
    text: str
    language: str | None  # lingua's reading of this segment's text (it, en, ja-Latn)
    confidence: float | None
    words: list[WordDoc]


class LanguageSupportDoc(TypedDict):
    supported: bool
    reason: Message | None


class SpeechDoc(TypedDict):
    provider: str
    model: str
    language: str | None  # what the recogniser detected (or was told)
    language_probability: float | None
    language_supported: bool  # can this provider transcribe the detected language well?
    reason: Message | None  # why not
    languages: dict[str, LanguageSupportDoc]  # every requested language
    prompted: bool  # the glossary was given to the recogniser as vocabulary
    segments: list[SpeechSegmentDoc]


class TextDoc(TypedDict):
    id: int
    source: Literal["ocr", "pdf", "image"]
    text: str
    language: str | None
    language_confidence: float
    score: float | None  # OCR confidence (None for a PDF text layer)
    start: NotRequired[float]  # video: first and last time it was read on screen
    end: NotRequired[float]
    frames: NotRequired[list[int]]
    box: NotRequired[list[float]]  # x0, y0, x1, y1 as fractions of the picture
    page: NotRequired[int]  # documents: 1-based page


class EvidenceWordDoc(TypedDict):
    text: str
    start: float
    end: float
    probability: float | None
    segment: int  # speech segment id
    term: str  # glossary form it matched ("mae geri") or category word
    score: float


class EvidenceTextDoc(TypedDict):
    text_id: int
    matched: str
    term: str
    score: float
    frames: list[int]
    start: float | None
    end: float | None
    page: int | None


class MotionEvidenceDoc(TypedDict):
    score: float
    frames: list[int]
    times: list[float]
    measure: dict[str, float]


class EvidenceDoc(TypedDict):
    words: list[EvidenceWordDoc]
    texts: list[EvidenceTextDoc]
    motion: MotionEvidenceDoc | None


class LabelDoc(TypedDict):
    kind: Literal["category", "technique"]
    value: str  # technique type (kick, strike...) or glossary id (mae_geri...)
    category: str | None  # for a technique: its type
    confidence: float  # 0..1
    text_confidence: float  # from words and on-screen text alone
    motion_confidence: float  # from the skeleton alone (0 without one)
    start: float | None
    end: float | None
    page: int | None
    evidence: EvidenceDoc


class SegmentDoc(TypedDict):
    id: int
    start: float | None
    end: float | None
    page: int | None
    speech: list[int]  # speech segment ids
    texts: list[int]  # text ids
    labels: list[LabelDoc]


class DocLabelDoc(TypedDict):
    """A label over the whole input: the best of its segment labels, where it was found."""

    kind: Literal["category", "technique"]
    value: str
    category: str | None
    confidence: float
    segments: list[int]
    ranges: list[list[float]]  # [start, end] per segment (videos)
    pages: list[int]


class ChapterDoc(TypedDict):
    index: int
    start: float
    end: float
    title: Message
    labels: list[str]  # values of the labels that name it, best first
    segments: list[int]


class SourceDoc(TypedDict):
    name: str
    bytes: int
    duration_s: float | None
    pages: int | None
    has_audio: bool | None


class KnowledgeDoc(TypedDict):
    version: int
    kind: Kind
    source: SourceDoc
    languages: list[str]  # requested
    language: str | None  # main language of the content (speech first, else texts)
    threshold: float
    speech: SpeechDoc | None
    texts: list[TextDoc]
    segments: list[SegmentDoc]
    labels: list[DocLabelDoc]
    chapters: list[ChapterDoc]
    warnings: list[Message]
    motion_used: bool
