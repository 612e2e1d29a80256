"""analytics (issue 17): viewers per video and day, so unique viewers over a range are a true
distinct count; watch time per rendition and day, from the web player's rendition beacons

Revision ID: 0021_analytics_uniques
Revises: 0019_web_fixes
Create Date: 2026-11-29 23:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0021_analytics_uniques"
down_revision: str | Sequence[str] | None = "0019_web_fixes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_video_viewer_daily",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("viewer_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("video_id", "day", "viewer_id", name=op.f("pk_analytics_video_viewer_daily")),
    )
    op.create_index(
        "ix_analytics_video_viewer_daily_owner_day", "analytics_video_viewer_daily", ["owner_id", "day"]
    )
    op.create_table(
        "analytics_video_rendition_daily",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rendition", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("watch_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "video_id", "day", "rendition", name=op.f("pk_analytics_video_rendition_daily")
        ),
    )
    op.create_index(
        "ix_analytics_video_rendition_daily_owner_day", "analytics_video_rendition_daily", ["owner_id", "day"]
    )


def downgrade() -> None:
    op.drop_index(
        "ix_analytics_video_rendition_daily_owner_day", table_name="analytics_video_rendition_daily"
    )
    op.drop_table("analytics_video_rendition_daily")
    op.drop_index("ix_analytics_video_viewer_daily_owner_day", table_name="analytics_video_viewer_daily")
    op.drop_table("analytics_video_viewer_daily")
