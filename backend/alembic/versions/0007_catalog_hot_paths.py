"""media: the catalog's "newest published first" order (published_at, id) for published videos

Revision ID: 0007_catalog_hot_paths
Revises: 0006_accounts_security
Create Date: 2026-12-01 12:00:00.000000

A partial index on (published_at, id) WHERE status = 'published' serves the keyset pagination
of app/media/catalog.py (scanned backwards for DESC). Published rows without published_at (none
are written today; older data might have them) get their creation time, so the order is total.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007_catalog_hot_paths"
down_revision: str | Sequence[str] | None = "0006_accounts_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED = sa.text("status = 'published'")


def upgrade() -> None:
    op.execute(
        "UPDATE videos SET published_at = created_at WHERE status = 'published' AND published_at IS NULL"
    )
    op.create_index(
        "ix_videos_published_order",
        "videos",
        ["published_at", "id"],
        unique=False,
        postgresql_where=PUBLISHED,
        sqlite_where=PUBLISHED,
    )


def downgrade() -> None:
    op.drop_index("ix_videos_published_order", table_name="videos")
