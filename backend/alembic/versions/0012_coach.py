"""coach: conversations, messages, voice transcriptions, monthly token usage (issue 14)

Revision ID: 0012_coach
Revises: 0011_knowledge
Create Date: 2026-11-29 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0012_coach"
down_revision: str | Sequence[str] | None = "0011_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "coach_conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_coach_conversations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_conversations")),
    )
    op.create_index(op.f("ix_coach_conversations_user_id"), "coach_conversations", ["user_id"])
    op.create_index("ix_coach_conversations_updated_at", "coach_conversations", ["updated_at"])

    op.create_table(
        "coach_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("reply_to", sa.Uuid(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("provider", sa.String(40), nullable=True),
        sa.Column("model", sa.String(80), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("speak", sa.Boolean(), nullable=False),
        sa.Column("speech_key", sa.String(512), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["coach_conversations.id"],
            name=op.f("fk_coach_messages_conversation_id_coach_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_messages")),
    )
    op.create_index(op.f("ix_coach_messages_conversation_id"), "coach_messages", ["conversation_id"])

    op.create_table(
        "coach_transcriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("audio_key", sa.String(512), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("language_hint", sa.String(5), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(5), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("error_code", sa.String(40), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_coach_transcriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["coach_conversations.id"],
            name=op.f("fk_coach_transcriptions_conversation_id_coach_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_transcriptions")),
    )
    op.create_index(op.f("ix_coach_transcriptions_user_id"), "coach_transcriptions", ["user_id"])
    op.create_index(
        op.f("ix_coach_transcriptions_conversation_id"), "coach_transcriptions", ["conversation_id"]
    )

    op.create_table(
        "coach_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_coach_usage_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "month", name=op.f("pk_coach_usage")),
    )


def downgrade() -> None:
    op.drop_table("coach_usage")
    op.drop_table("coach_transcriptions")
    op.drop_table("coach_messages")
    op.drop_table("coach_conversations")
