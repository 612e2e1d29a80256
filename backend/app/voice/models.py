"""Voice tables: consents, voice profiles (each one a job row: the sample check), their samples
(each one an upload) and dubs (each one a job row: dubbing, or one segment again).

Outputs live in object storage under keys derived from the row ids (app/voice/keys.py); a
profile's embedding and statistics are small and stay on the row. Revoking a consent deletes the
profile, its samples and every dub made with it (app/voice/service.py `revoke_profile`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin, TimestampMixin
from app.jobs.models import JobColumns
from app.jobs.models import JobStatus as JobStatus  # voice code and tests name it from here


class VoiceConsent(IdMixin, Base):
    """Who agreed, when, to which use of their voice, in which words; revoked_at once withdrawn.
    The record outlives the profile (profile_id is cleared when the profile is deleted)."""

    __tablename__ = "voice_consents"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("voice_profiles.id", ondelete="SET NULL"), default=None, index=True
    )
    purpose: Mapped[str] = mapped_column(String(40))
    text_version: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)  # the wording the person agreed to
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class VoiceProfile(IdMixin, TimestampMixin, JobColumns, Base):
    """An instructor's voice: samples in, then the check job stores the embedding and statistics."""

    __tablename__ = "voice_profiles"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The check's findings (language-neutral: reason keys and params, per sample and overall).
    check: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # video_studio VoiceProfile.to_dict(): embedding (256 floats) and statistics.
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    speech_s: Mapped[float | None] = mapped_column(Float, default=None)


class VoiceSample(IdMixin, TimestampMixin, Base):
    """One recording of a profile: a multipart upload (app/uploads, kind "voice")."""

    __tablename__ = "voice_samples"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("voice_profiles.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    part_size: Mapped[int] = mapped_column(Integer)
    source_key: Mapped[str] = mapped_column(String(512))
    upload_id: Mapped[str | None] = mapped_column(String(1024), default=None)  # None once completed
    uploaded_at: Mapped[datetime | None] = mapped_column(default=None)


class VoiceDub(IdMixin, TimestampMixin, JobColumns, Base):
    """A video dubbed into one language with one profile. The job is the whole dub (action "dub")
    or one segment again (action "redo"); each run that lands bumps `version` and writes a new
    HLS audio rendition (keys are never rewritten: playlists are cached by key)."""

    __tablename__ = "voice_dubs"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("voice_profiles.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(5))
    # The video's original upload and HLS folder when the dub was requested; publishing needs the
    # video to still be on this media prefix (a re-transcode starts without dubs).
    source_key: Mapped[str] = mapped_column(String(512))
    media_prefix: Mapped[str] = mapped_column(String(300))
    script_source: Mapped[str] = mapped_column(String(20))  # "knowledge" or "uploaded"
    script: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"language", "segments": [...]}
    action: Mapped[str] = mapped_column(String(10), default="dub")
    redo_segment: Mapped[int | None] = mapped_column(Integer, default=None)
    redo_text: Mapped[str | None] = mapped_column(Text, default=None)
    # The DubDoc without audio paths: overall quality and per-segment texts, fit and quality.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    version: Mapped[int] = mapped_column(Integer, default=0)
    rendition_key: Mapped[str | None] = mapped_column(String(512), default=None)  # its index.m3u8
    published_at: Mapped[datetime | None] = mapped_column(default=None)
