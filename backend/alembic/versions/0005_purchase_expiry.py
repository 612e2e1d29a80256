"""commerce: purchases.expired_at (checkout.session.expired) and the "expired" purchase status

Revision ID: 0005_purchase_expiry
Revises: 0004_studio
Create Date: 2026-11-23 18:00:00.000000

The status column is a non-native enum (VARCHAR(30), no CHECK constraint), so the new "expired"
value needs no DDL.
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0005_purchase_expiry"
down_revision: str | Sequence[str] | None = "0004_studio"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expired_at", app.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE purchases SET status = 'pending' WHERE status = 'expired'")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_column("expired_at")
