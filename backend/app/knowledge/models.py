"""Knowledge tables: extraction jobs, uploaded documents, items with their links to video moments
and documents, per-language versions (every edit a new row), caption tracks and the
translation memory. Only app/knowledge/ queries them.

An extraction job is a job row of the studio's kind (JobColumns: lease, heartbeat, reaper; see
app/knowledge/pipeline.py). Items made by a job are `extracted` and unreviewed; nothing is public
until its version in that language is approved (review_state approved).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy.dialects.postgresql  # noqa: F401 - registers func.to_tsvector (search index)
from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin, TimestampMixin
from app.jobs.models import JobColumns

# Written as PostgreSQL prints it back (pg_get_indexdef), so the migration check compares equal.
TS_CONFIG_SQL = (
    "\nCASE lang\n    WHEN 'it'::text THEN 'italian'::regconfig\n"
    "    WHEN 'en'::text THEN 'english'::regconfig\n"
    "    ELSE 'simple'::regconfig\nEND"
)


class ItemKind(enum.StrEnum):
    technique = "technique"
    term = "term"
    article = "article"
    chapter = "chapter"


class Source(enum.StrEnum):
    extracted = "extracted"  # what the extraction found (transcript, OCR, glossary names)
    human = "human"  # written or edited by a person
    tm = "tm"  # the translation memory's hit
    machine = "machine"  # the LLM translated it


class ReviewState(enum.StrEnum):
    unreviewed = "unreviewed"
    approved = "approved"
    rejected = "rejected"


def _enum(cls: type[enum.StrEnum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20)


class KnowledgeDocument(IdMixin, TimestampMixin, Base):
    """A PDF or picture an instructor uploaded (presigned multipart, like videos and attempts)."""

    __tablename__ = "knowledge_documents"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    part_size: Mapped[int] = mapped_column(Integer)
    part_count: Mapped[int] = mapped_column(Integer)
    source_key: Mapped[str] = mapped_column(String(512))
    upload_id: Mapped[str | None] = mapped_column(String(1024), default=None)  # None once completed
    uploaded_at: Mapped[datetime | None] = mapped_column(default=None)


class KnowledgeJob(IdMixin, TimestampMixin, JobColumns, Base):
    """Extraction of one published video or one document; the row is the idempotency key."""

    __tablename__ = "knowledge_jobs"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    video_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), default=None, unique=True
    )
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("knowledge_documents.id", ondelete="CASCADE"), default=None, unique=True
    )
    source_key: Mapped[str] = mapped_column(String(512))
    # Results (status ready): the whole KnowledgeDoc lives in the store; the row keeps what
    # people query.
    doc_key: Mapped[str | None] = mapped_column(String(512), default=None)
    language: Mapped[str | None] = mapped_column(String(12), default=None)
    transcript: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)  # speech part
    ocr_text: Mapped[str | None] = mapped_column(Text, default=None)
    chapters: Mapped[list[Any]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)


class KnowledgeItem(IdMixin, TimestampMixin, Base):
    __tablename__ = "knowledge_items"
    __table_args__ = (UniqueConstraint("job_id", "kind", "key", name="uq_knowledge_items_job_kind_key"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "knowledge_item_kind"))
    # What the item is about: a glossary id (mae_geri), a technique type (kick), a chapter index.
    key: Mapped[str] = mapped_column(String(120))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("knowledge_jobs.id", ondelete="SET NULL"), default=None, index=True
    )
    confidence: Mapped[float | None] = mapped_column(Float, default=None)  # extracted labels
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class KnowledgeLink(IdMixin, Base):
    """Where an item is taught: a video moment [start_s, end_s) or a document page."""

    __tablename__ = "knowledge_links"

    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True
    )
    video_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), default=None, index=True
    )
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("knowledge_documents.id", ondelete="CASCADE"), default=None, index=True
    )
    start_s: Mapped[float | None] = mapped_column(Float, default=None)
    end_s: Mapped[float | None] = mapped_column(Float, default=None)
    page: Mapped[int | None] = mapped_column(Integer, default=None)


class KnowledgeVersion(IdMixin, Base):
    """One version of an item in one language; an edit adds a row (number + 1), never rewrites."""

    __tablename__ = "knowledge_versions"
    __table_args__ = (
        UniqueConstraint("item_id", "lang", "number", name="uq_knowledge_versions_item_lang_number"),
        Index("ix_knowledge_versions_public", "review_state", "lang"),
        # Search (PostgreSQL; SQLite matches in Python): each version in its language's
        # configuration, approved ones only. app/knowledge/search.py queries the same expression.
        Index(
            "ix_knowledge_versions_fts",
            func.to_tsvector(literal_column(TS_CONFIG_SQL), literal_column("search_text")),
            postgresql_using="gin",
            postgresql_where=text("review_state = 'approved'"),
        ).ddl_if(dialect="postgresql"),
    )

    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(12))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[Source] = mapped_column(_enum(Source, "knowledge_source"))
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState, "knowledge_review_state"), default=ReviewState.unreviewed
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Lower-cased, accents removed: what search matches (Postgres indexes its tsvector).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaptionTrack(IdMixin, Base):
    """One version of a video's captions in one language (WebVTT in the store)."""

    __tablename__ = "knowledge_captions"
    __table_args__ = (
        UniqueConstraint("video_id", "lang", "number", name="uq_knowledge_captions_video_lang_number"),
    )

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(12))
    number: Mapped[int] = mapped_column(Integer)
    vtt_key: Mapped[str] = mapped_column(String(512))
    source: Mapped[Source] = mapped_column(_enum(Source, "knowledge_caption_source"))
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState, "knowledge_caption_review_state"), default=ReviewState.unreviewed
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The master playlist with this track as its subtitles rendition (written on approval).
    master_key: Mapped[str | None] = mapped_column(String(512), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemoryRow(IdMixin, Base):
    """The translation memory: the glossary's approved pairs and every human-approved translation."""

    __tablename__ = "knowledge_memory"
    __table_args__ = (Index("ix_knowledge_memory_langs", "source_lang", "target_lang"),)

    source_lang: Mapped[str] = mapped_column(String(12))
    source_text: Mapped[str] = mapped_column(Text)
    target_lang: Mapped[str] = mapped_column(String(12))
    target_text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(20))  # glossary | human
    ref: Mapped[str | None] = mapped_column(String(64), default=None)  # glossary id or version id
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
