"""coach replies are jobs of app/jobs: lease, runs and heartbeat columns for the reaper (issue 14)

Revision ID: 0018_knowledge_coach
Revises: 0014_social
Create Date: 2026-11-29 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0018_knowledge_coach"
down_revision: str | Sequence[str] | None = "0014_social"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("coach_messages", sa.Column("lease_id", sa.String(32), nullable=True))
    op.add_column("coach_messages", sa.Column("run_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("coach_messages", sa.Column("queued_at", UTC, nullable=True))
    op.add_column("coach_messages", sa.Column("started_at", UTC, nullable=True))
    op.add_column("coach_messages", sa.Column("heartbeat_at", UTC, nullable=True))
    op.create_index(op.f("ix_coach_messages_status"), "coach_messages", ["status"])
    # Replies waiting or streaming when this ships count as queued now (the reaper may pick them up).
    op.execute(
        sa.text("UPDATE coach_messages SET queued_at = created_at WHERE status IN ('pending', 'streaming')")
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_coach_messages_status"), table_name="coach_messages")
    with op.batch_alter_table("coach_messages") as batch:
        for column in ("heartbeat_at", "started_at", "queued_at", "run_count", "lease_id"):
            batch.drop_column(column)
