from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.jobs.models import JobStatus
from app.knowledge.models import ItemKind, ReviewState, Source
from app.uploads.schemas import UploadedPartOut as UploadedPartOut

Lang = Literal["it", "en", "ja"]


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    video_id: uuid.UUID | None
    document_id: uuid.UUID | None
    status: JobStatus
    progress: int
    stage: str
    failure_reason: str | None
    language: str | None
    chapters: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    finished_at: datetime | None


class TranscriptOut(BaseModel):
    job_id: uuid.UUID
    language: str | None
    transcript: dict[str, Any] | None = Field(description="segments with word timestamps")
    ocr_text: str | None


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    lang: str
    number: int
    title: str
    body: str
    source: Source
    review_state: ReviewState
    author_id: uuid.UUID | None
    reviewed_at: datetime | None
    created_at: datetime


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    video_id: uuid.UUID | None
    document_id: uuid.UUID | None
    start_s: float | None
    end_s: float | None
    page: int | None


class ItemOut(BaseModel):
    id: uuid.UUID
    kind: ItemKind
    key: str
    owner_id: uuid.UUID
    confidence: float | None
    evidence: dict[str, Any] | None
    versions: list[VersionOut] = Field(description="newest first per language; the public sees approved ones")
    links: list[LinkOut]
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None


class ItemCreate(BaseModel):
    kind: ItemKind
    lang: Lang
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=20_000)
    video_id: uuid.UUID | None = None
    start_s: float | None = None
    end_s: float | None = None
    document_id: uuid.UUID | None = None


class VersionCreate(BaseModel):
    lang: Lang
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=20_000)
    approve: bool = False


class ReviewIn(BaseModel):
    approve: bool


class TranslateIn(BaseModel):
    source: Lang
    target: Lang


class SuggestionOut(BaseModel):
    text: str
    score: float
    origin: str


class TranslateOut(BaseModel):
    version: VersionOut | None
    offline: bool = Field(description="no machine translation configured: only memory hits are used")
    message: str | None
    suggestions: list[SuggestionOut]


class CaptionTranslateIn(BaseModel):
    target: Lang


class MomentOut(BaseModel):
    video_id: uuid.UUID | None
    document_id: uuid.UUID | None
    start_s: float | None
    end_s: float | None
    page: int | None


class SearchHitOut(BaseModel):
    item_id: uuid.UUID
    kind: ItemKind
    lang: str
    title: str
    snippet: str
    score: float
    matched_lang: str
    moments: list[MomentOut]


class SearchOut(BaseModel):
    query: str
    lang: str
    expansions: dict[str, list[str]] = Field(description="the query in each language (translation memory)")
    items: list[SearchHitOut]


class CaptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    video_id: uuid.UUID
    lang: str
    number: int
    source: Source
    review_state: ReviewState
    created_at: datetime


class CaptionIn(BaseModel):
    lang: Lang
    vtt: str = Field(min_length=8, max_length=2_000_000)
    approve: bool = False


class VideoKnowledgeOut(BaseModel):
    video_id: uuid.UUID
    chapters: list[ItemOut]
    techniques: list[ItemOut]
    captions: list[CaptionOut]


class DocumentCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)
    size_bytes: int = Field(gt=0)


class PartUrlOut(BaseModel):
    part_number: int
    url: str


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime | None
    created_at: datetime


class DocumentUploadOut(BaseModel):
    document: DocumentOut
    part_size: int
    part_count: int
    parts: list[PartUrlOut]
    expires_at: datetime
    uploaded_parts: list[UploadedPartOut] = Field(default_factory=list)  # stored already (resume)


class UploadedPartIn(BaseModel):
    part_number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200)


class DocumentComplete(BaseModel):
    parts: list[UploadedPartIn] = Field(min_length=1, max_length=10_000)


class CaptionTranslateOut(BaseModel):
    track: CaptionOut | None = Field(description="the new unreviewed track; null when no cue was translated")
    offline: bool = Field(description="no machine translation configured: only memory hits are used")
    translated: int = Field(description="cues translated")
    total: int = Field(description="cues in the source track")
    message: str | None
