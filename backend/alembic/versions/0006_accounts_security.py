"""accounts: users.language (the language of the mails a user gets)

Revision ID: 0006_accounts_security
Revises: 0005_purchase_expiry
Create Date: 2026-11-29 14:00:00.000000

Existing accounts get "en", the language every mail was written in until now.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006_accounts_security"
down_revision: str | Sequence[str] | None = "0005_purchase_expiry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=5), server_default="en", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
