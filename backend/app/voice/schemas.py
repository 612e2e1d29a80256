"""Voice API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.studio.schemas import CompleteUpload as CompleteUpload  # the one multipart completion shape
from app.studio.schemas import UploadOut as UploadOut


class ConsentOut(BaseModel):
    purpose: str
    version: str
    lang: str
    text: str


class ProfileCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    consent: bool = Field(description="The person agrees to the consent text (GET /voice/consent)")


class SampleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime | None


class SampleCreate(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)
    size_bytes: int = Field(ge=0)


class SampleUploadOut(BaseModel):
    sample: SampleOut
    upload: UploadOut


class SampleCheckOut(BaseModel):
    name: str
    duration_s: float | None = None
    speech_s: float | None = None
    snr_db: float | None = None
    clipped_fraction: float | None = None


class ProfileOut(BaseModel):
    id: uuid.UUID
    name: str
    status: str
    progress: int
    stage: str
    failure_reason: str | None
    reasons: list[str] = Field(description="Why the recordings were refused, in the request's language")
    samples: list[SampleOut]
    checks: list[dict[str, Any]] = Field(description="Per recording: duration, speech, SNR, clipping")
    speech_s: float | None
    f0_min_hz: float | None = None
    f0_max_hz: float | None = None
    consent_given_at: datetime | None
    created_at: datetime


class DubCreate(BaseModel):
    video_id: uuid.UUID
    profile_id: uuid.UUID
    language: Literal["it", "en"]
    script: dict[str, Any] | None = Field(
        default=None,
        description='An uploaded script {"language", "segments": [{"start", "end", "text"}]}; '
        "without one the video's knowledge transcript is used",
    )


class DubOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    video_id: uuid.UUID
    profile_id: uuid.UUID
    language: str
    script_source: str
    status: str
    progress: int
    stage: str
    failure_reason: str | None
    action: str
    version: int
    report: dict[str, Any] | None = Field(description="quality (overall) and segments (text, quality, flags)")
    published: bool = False
    published_at: datetime | None
    created_at: datetime


class SegmentFix(BaseModel):
    text: str | None = Field(default=None, max_length=2000, description="New text; none: same text again")


class PublishIn(BaseModel):
    publish: bool = True


class AudioUrlOut(BaseModel):
    url: str
