"""voice: consents, voice profiles and their samples, dubs (issue 15)

Revision ID: 0013_voice
Revises: 0016_notifications
Create Date: 2026-11-29 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0013_voice"
down_revision: str | Sequence[str] | None = "0016_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.db.base.UTCDateTime(timezone=True)


def _job_columns() -> list[sa.Column[object]]:
    status = sa.Enum(
        "uploading", "pending", "running", "ready", "failed", name="job_status", native_enum=False, length=20
    )
    return [
        sa.Column("status", status, nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("task_id", sa.String(64), nullable=True),
        sa.Column("lease_id", sa.String(32), nullable=True),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTC, nullable=True),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("heartbeat_at", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
    ]


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "voice_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("check", sa.JSON(), nullable=True),
        sa.Column("profile", sa.JSON(), nullable=True),
        sa.Column("speech_s", sa.Float(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        *_job_columns(),
        _fk("voice_profiles", "owner_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_profiles")),
    )
    _indexes("voice_profiles", "owner_id", "status")

    op.create_table(
        "voice_consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("text_version", sa.String(20), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("granted_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        _fk("voice_consents", "user_id", "users", "CASCADE"),
        _fk("voice_consents", "profile_id", "voice_profiles", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_consents")),
    )
    _indexes("voice_consents", "user_id", "profile_id")

    op.create_table(
        "voice_samples",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("part_size", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(512), nullable=False),
        sa.Column("upload_id", sa.String(1024), nullable=True),
        sa.Column("uploaded_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _fk("voice_samples", "profile_id", "voice_profiles", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_samples")),
    )
    _indexes("voice_samples", "profile_id")

    op.create_table(
        "voice_dubs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("source_key", sa.String(512), nullable=False),
        sa.Column("media_prefix", sa.String(300), nullable=False),
        sa.Column("script_source", sa.String(20), nullable=False),
        sa.Column("script", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("redo_segment", sa.Integer(), nullable=True),
        sa.Column("redo_text", sa.Text(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rendition_key", sa.String(512), nullable=True),
        sa.Column("published_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        *_job_columns(),
        _fk("voice_dubs", "owner_id", "users", "CASCADE"),
        _fk("voice_dubs", "video_id", "videos", "CASCADE"),
        _fk("voice_dubs", "profile_id", "voice_profiles", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_dubs")),
    )
    _indexes("voice_dubs", "owner_id", "video_id", "profile_id", "status")


def downgrade() -> None:
    op.drop_table("voice_dubs")
    op.drop_table("voice_samples")
    op.drop_table("voice_consents")
    op.drop_table("voice_profiles")
