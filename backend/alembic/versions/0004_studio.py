"""studio: reference techniques, attempts (job rows with their reports) and instructor comments

Revision ID: 0004_studio
Revises: 0003_commerce (references point at videos, so this runs after media)
Create Date: 2026-11-23 17:10:13.164880
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0004_studio"
down_revision: str | Sequence[str] | None = "0003_commerce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "studio_references",
        sa.Column("instructor_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("source_key", sa.String(length=512), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("t_start", sa.Float(), nullable=False),
        sa.Column("t_end", sa.Float(), nullable=False),
        sa.Column("joints", sa.JSON(), nullable=False),
        sa.Column("skeleton_key", sa.String(length=512), nullable=True),
        sa.Column("skeleton_frames", sa.Integer(), nullable=True),
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
            ["instructor_id"],
            ["users.id"],
            name=op.f("fk_studio_references_instructor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_studio_references_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_references")),
    )
    with op.batch_alter_table("studio_references", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_studio_references_instructor_id"), ["instructor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_studio_references_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_studio_references_video_id"), ["video_id"], unique=False)

    op.create_table(
        "studio_attempts",
        sa.Column("reference_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("part_size", sa.Integer(), nullable=False),
        sa.Column("part_count", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=512), nullable=False),
        sa.Column("upload_id", sa.String(length=1024), nullable=True),
        sa.Column("uploaded_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("overlay_key", sa.String(length=512), nullable=True),
        sa.Column("plot_keys", sa.JSON(), nullable=False),
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
            ["reference_id"],
            ["studio_references.id"],
            name=op.f("fk_studio_attempts_reference_id_studio_references"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["users.id"], name=op.f("fk_studio_attempts_student_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_attempts")),
    )
    with op.batch_alter_table("studio_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_studio_attempts_reference_id"), ["reference_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_studio_attempts_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_studio_attempts_student_id"), ["student_id"], unique=False)

    op.create_table(
        "studio_comments",
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["studio_attempts.id"],
            name=op.f("fk_studio_comments_attempt_id_studio_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_studio_comments_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_comments")),
    )
    with op.batch_alter_table("studio_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_studio_comments_attempt_id"), ["attempt_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("studio_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_studio_comments_attempt_id"))
    op.drop_table("studio_comments")
    with op.batch_alter_table("studio_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_studio_attempts_student_id"))
        batch_op.drop_index(batch_op.f("ix_studio_attempts_status"))
        batch_op.drop_index(batch_op.f("ix_studio_attempts_reference_id"))
    op.drop_table("studio_attempts")
    with op.batch_alter_table("studio_references", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_studio_references_video_id"))
        batch_op.drop_index(batch_op.f("ix_studio_references_status"))
        batch_op.drop_index(batch_op.f("ix_studio_references_instructor_id"))
    op.drop_table("studio_references")
