"""knowledge (issue 13): extraction jobs, documents, items with links and per-language versions,
caption tracks, the translation memory (seeded with the compute glossary's pairs); unaccent and
the full-text index on PostgreSQL

Revision ID: 0011_knowledge
Revises: 0010_catalog_search_typos
Create Date: 2026-11-29 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op
from app.core.clock import utcnow
from app.core.ids import uuid7

revision: str = "0011_knowledge"
down_revision: str | Sequence[str] | None = "0010_catalog_search_typos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FTS_INDEX = (
    "CREATE INDEX ix_knowledge_versions_fts ON knowledge_versions USING gin (to_tsvector("
    "CASE lang WHEN 'it' THEN 'italian'::regconfig WHEN 'en' THEN 'english'::regconfig "
    "ELSE 'simple'::regconfig END, search_text)) WHERE review_state = 'approved'"
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.create_table(
        "knowledge_memory",
        sa.Column("source_lang", sa.String(length=12), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("target_lang", sa.String(length=12), nullable=False),
        sa.Column("target_text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_memory")),
    )
    with op.batch_alter_table("knowledge_memory", schema=None) as batch_op:
        batch_op.create_index("ix_knowledge_memory_langs", ["source_lang", "target_lang"], unique=False)

    op.create_table(
        "knowledge_documents",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("part_size", sa.Integer(), nullable=False),
        sa.Column("part_count", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=512), nullable=False),
        sa.Column("upload_id", sa.String(length=1024), nullable=True),
        sa.Column("uploaded_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_knowledge_documents_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_documents")),
    )
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_documents_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "knowledge_captions",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("lang", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("vtt_key", sa.String(length=512), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "extracted",
                "human",
                "tm",
                "machine",
                name="knowledge_caption_source",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "review_state",
            sa.Enum(
                "unreviewed",
                "approved",
                "rejected",
                name="knowledge_caption_review_state",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("master_key", sa.String(length=512), nullable=True),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_knowledge_captions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_knowledge_captions_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_captions")),
        sa.UniqueConstraint("video_id", "lang", "number", name="uq_knowledge_captions_video_lang_number"),
    )
    with op.batch_alter_table("knowledge_captions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_captions_video_id"), ["video_id"], unique=False)

    op.create_table(
        "knowledge_jobs",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("source_key", sa.String(length=512), nullable=False),
        sa.Column("doc_key", sa.String(length=512), nullable=True),
        sa.Column("language", sa.String(length=12), nullable=True),
        sa.Column("transcript", sa.JSON(), nullable=True),
        sa.Column("ocr_text", sa.Text(), nullable=True),
        sa.Column("chapters", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "uploading",
                "pending",
                "running",
                "ready",
                "failed",
                name="studio_job_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("lease_id", sa.String(length=32), nullable=True),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.Column("queued_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["knowledge_documents.id"],
            name=op.f("fk_knowledge_jobs_document_id_knowledge_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_knowledge_jobs_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_knowledge_jobs_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_jobs")),
        sa.UniqueConstraint("document_id", name=op.f("uq_knowledge_jobs_document_id")),
        sa.UniqueConstraint("video_id", name=op.f("uq_knowledge_jobs_video_id")),
    )
    with op.batch_alter_table("knowledge_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_jobs_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_jobs_status"), ["status"], unique=False)

    op.create_table(
        "knowledge_items",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "technique",
                "term",
                "article",
                "chapter",
                name="knowledge_item_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["knowledge_jobs.id"],
            name=op.f("fk_knowledge_items_job_id_knowledge_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_knowledge_items_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_items")),
        sa.UniqueConstraint("job_id", "kind", "key", name="uq_knowledge_items_job_kind_key"),
    )
    with op.batch_alter_table("knowledge_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_items_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_items_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "knowledge_links",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["knowledge_documents.id"],
            name=op.f("fk_knowledge_links_document_id_knowledge_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["knowledge_items.id"],
            name=op.f("fk_knowledge_links_item_id_knowledge_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_knowledge_links_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_links")),
    )
    with op.batch_alter_table("knowledge_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_links_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_links_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knowledge_links_video_id"), ["video_id"], unique=False)

    op.create_table(
        "knowledge_versions",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("lang", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "extracted", "human", "tm", "machine", name="knowledge_source", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "review_state",
            sa.Enum(
                "unreviewed",
                "approved",
                "rejected",
                name="knowledge_review_state",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_knowledge_versions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["knowledge_items.id"],
            name=op.f("fk_knowledge_versions_item_id_knowledge_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["users.id"],
            name=op.f("fk_knowledge_versions_reviewed_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_versions")),
        sa.UniqueConstraint("item_id", "lang", "number", name="uq_knowledge_versions_item_lang_number"),
    )
    with op.batch_alter_table("knowledge_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_versions_item_id"), ["item_id"], unique=False)
        batch_op.create_index("ix_knowledge_versions_public", ["review_state", "lang"], unique=False)

    if postgres:
        op.execute(FTS_INDEX)
    _seed_glossary()


def _seed_glossary() -> None:
    from app.knowledge.memory import glossary_rows

    memory = sa.table(
        "knowledge_memory",
        sa.column("id", sa.Uuid()),
        sa.column("source_lang", sa.String()),
        sa.column("source_text", sa.Text()),
        sa.column("target_lang", sa.String()),
        sa.column("target_text", sa.Text()),
        sa.column("origin", sa.String()),
        sa.column("ref", sa.String()),
        sa.column("created_at", app.db.base.UTCDateTime(timezone=True)),
    )
    now = utcnow()
    op.bulk_insert(memory, [{"id": uuid7(), "created_at": now, **row} for row in glossary_rows()])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_knowledge_versions_fts")
    with op.batch_alter_table("knowledge_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_versions_public")
        batch_op.drop_index(batch_op.f("ix_knowledge_versions_item_id"))

    op.drop_table("knowledge_versions")
    with op.batch_alter_table("knowledge_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_links_video_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_links_item_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_links_document_id"))

    op.drop_table("knowledge_links")
    with op.batch_alter_table("knowledge_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_items_owner_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_items_job_id"))

    op.drop_table("knowledge_items")
    with op.batch_alter_table("knowledge_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_knowledge_jobs_owner_id"))

    op.drop_table("knowledge_jobs")
    with op.batch_alter_table("knowledge_captions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_captions_video_id"))

    op.drop_table("knowledge_captions")
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_documents_owner_id"))

    op.drop_table("knowledge_documents")
    with op.batch_alter_table("knowledge_memory", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_memory_langs")

    op.drop_table("knowledge_memory")
