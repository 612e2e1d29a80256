"""issue 18 (web fixes): purchases.refund_pending_cents, the part of a (partial) refund asked of
Stripe and not yet confirmed by charge.refunded; video_reports.resolution_note, the moderator's
reason for dismissing or resolving a report

Revision ID: 0019_web_fixes
Revises: 0013_voice
Create Date: 2026-11-29 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0019_web_fixes"
down_revision: str | Sequence[str] | None = "0013_voice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refund_pending_cents", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("video_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("video_reports", schema=None) as batch_op:
        batch_op.drop_column("resolution_note")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_column("refund_pending_cents")
