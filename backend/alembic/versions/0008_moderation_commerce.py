"""moderation and commerce hardening (issue 11)

Revision ID: 0008_moderation_commerce
Revises: 0005_purchase_expiry
Create Date: 2026-11-29 12:00:00.000000

- purchases / subscriptions: at most one pending checkout per buyer (and video and kind) — partial
  unique indexes. Duplicates left by the old double-checkout race are closed first (the newest
  pending row stays pending, older ones end "expired", as a superseded checkout does now; ids
  are UUIDv7, so the largest is the newest).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008_moderation_commerce"
down_revision: str | Sequence[str] | None = "0005_purchase_expiry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.execute(
        """
        UPDATE purchases SET status = 'expired', expired_at = CURRENT_TIMESTAMP
        WHERE status = 'pending' AND CAST(id AS VARCHAR(40)) NOT IN (
            SELECT MAX(CAST(id AS VARCHAR(40))) FROM purchases WHERE status = 'pending'
            GROUP BY user_id, video_id, kind
        )
        """
    )
    op.execute(
        """
        UPDATE subscriptions SET status = 'expired', checkout_url = NULL
        WHERE status = 'pending' AND CAST(id AS VARCHAR(40)) NOT IN (
            SELECT MAX(CAST(id AS VARCHAR(40))) FROM subscriptions WHERE status = 'pending'
            GROUP BY user_id
        )
        """
    )
    op.create_index(
        "uq_purchases_one_pending",
        "purchases",
        ["user_id", "video_id", "kind"],
        unique=True,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_index(
        "uq_subscriptions_one_pending",
        "subscriptions",
        ["user_id"],
        unique=True,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("uq_subscriptions_one_pending", table_name="subscriptions")
    op.drop_index("uq_purchases_one_pending", table_name="purchases")
