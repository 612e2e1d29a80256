"""media: videos, processing jobs, reports, status history

Revision ID: 0002_media
Revises: 0001
Create Date: 2026-11-23 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0002_media"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "videos",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("discipline", sa.String(length=60), nullable=False),
        sa.Column("style", sa.String(length=60), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "beginner",
                "intermediate",
                "advanced",
                "all_levels",
                name="video_level",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("rental_price_cents", sa.Integer(), nullable=True),
        sa.Column("rental_hours", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subscription_included", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "uploading",
                "processing",
                "failed",
                "in_review",
                "published",
                "rejected",
                "unpublished",
                "archived",
                name="video_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("progress_stage", sa.String(length=40), nullable=True),
        sa.Column("source_key", sa.String(length=300), nullable=True),
        sa.Column("upload_id", sa.String(length=1024), nullable=True),
        sa.Column("upload_size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("upload_part_size", sa.Integer(), nullable=True),
        sa.Column("upload_filename", sa.String(length=255), nullable=True),
        sa.Column("source_size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("media_prefix", sa.String(length=300), nullable=True),
        sa.Column("has_trailer", sa.Boolean(), nullable=False),
        sa.Column("poster_key", sa.String(length=300), nullable=True),
        sa.Column("duration_s", sa.Double(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("renditions", sa.JSON(), nullable=False),
        sa.Column("probe", sa.JSON(), nullable=False),
        sa.Column("open_report_count", sa.Integer(), nullable=False),
        sa.Column("published_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_videos_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_videos")),
    )
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_videos_discipline"), ["discipline"], unique=False)
        batch_op.create_index(batch_op.f("ix_videos_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_videos_status_id", ["status", "id"], unique=False)

    op.create_table(
        "video_events",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_video_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_video_events_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_events")),
    )
    with op.batch_alter_table("video_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_video_events_video_id"), ["video_id"], unique=False)

    op.create_table(
        "video_jobs",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                "cancelled",
                name="video_job_state",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requeues", sa.Integer(), nullable=False),
        sa.Column("lease", sa.String(length=64), nullable=True),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_video_jobs_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_jobs")),
    )
    with op.batch_alter_table("video_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_video_jobs_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_video_jobs_video_id"), ["video_id"], unique=False)

    op.create_table(
        "video_reports",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "inappropriate",
                "violence",
                "spam",
                "copyright",
                "misleading",
                "other",
                name="video_report_reason",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.String(length=40), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_video_reports_reporter_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["users.id"],
            name=op.f("fk_video_reports_resolved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_video_reports_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_reports")),
        sa.UniqueConstraint("video_id", "reporter_id", name="uq_video_reports_video_reporter"),
    )
    with op.batch_alter_table("video_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_video_reports_video_id"), ["video_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Catalog full-text search (app/media/catalog.py); SQLite falls back to LIKE.
        op.execute(
            "CREATE INDEX ix_videos_search_fts ON videos USING gin (to_tsvector('simple', search_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_videos_search_fts")
    with op.batch_alter_table("video_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_reports_video_id"))

    op.drop_table("video_reports")
    with op.batch_alter_table("video_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_jobs_video_id"))
        batch_op.drop_index(batch_op.f("ix_video_jobs_state"))

    op.drop_table("video_jobs")
    with op.batch_alter_table("video_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_events_video_id"))

    op.drop_table("video_events")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_index("ix_videos_status_id")
        batch_op.drop_index(batch_op.f("ix_videos_owner_id"))
        batch_op.drop_index(batch_op.f("ix_videos_discipline"))

    op.drop_table("videos")
