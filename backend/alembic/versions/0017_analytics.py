"""analytics: playback beacons, watch progress, daily rollups, retention curves (issue 17 part 4)

Revision ID: 0017_analytics
Revises: 0015_learning
Create Date: 2026-11-29 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0017_analytics"
down_revision: str | Sequence[str] | None = "0015_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "analytics_beacons",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("occurred_at", UTC, nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("media", sa.String(8), nullable=False),
        sa.Column("position_s", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("rendition", sa.String(20), nullable=True),
        sa.Column("bitrate_kbps", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_beacons")),
    )
    op.create_index("ix_analytics_beacons_occurred_at", "analytics_beacons", ["occurred_at"])
    op.create_index("ix_analytics_beacons_video_occurred", "analytics_beacons", ["video_id", "occurred_at"])
    op.create_index("ix_analytics_beacons_user_id", "analytics_beacons", ["user_id"])

    op.create_table(
        "watch_progress",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("position_s", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_watch_progress_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_watch_progress_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "video_id", name=op.f("pk_watch_progress")),
    )
    op.create_index("ix_watch_progress_user_updated", "watch_progress", ["user_id", "updated_at"])

    op.create_table(
        "analytics_video_daily",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("unique_viewers", sa.Integer(), nullable=False),
        sa.Column("watch_seconds", sa.Float(), nullable=False),
        sa.Column("trailer_viewers", sa.Integer(), nullable=False),
        sa.Column("trailer_converted", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("video_id", "day", name=op.f("pk_analytics_video_daily")),
    )
    op.create_index("ix_analytics_video_daily_day", "analytics_video_daily", ["day"])
    op.create_index(op.f("ix_analytics_video_daily_owner_id"), "analytics_video_daily", ["owner_id"])

    op.create_table(
        "analytics_video_retention",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("pct", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("total_sessions", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("video_id", "pct", name=op.f("pk_analytics_video_retention")),
    )

    op.create_table(
        "analytics_revenue_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("instructor_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "instructor_id", "video_id", "currency", name=op.f("pk_analytics_revenue_daily")
        ),
    )

    op.create_table(
        "analytics_reference_daily",
        sa.Column("reference_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("instructor_id", sa.Uuid(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("refreshed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("reference_id", "day", name=op.f("pk_analytics_reference_daily")),
    )
    op.create_index(
        op.f("ix_analytics_reference_daily_instructor_id"), "analytics_reference_daily", ["instructor_id"]
    )

    op.create_table(
        "analytics_platform_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("signups", sa.Integer(), nullable=False),
        sa.Column("active_users", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_analytics_platform_daily")),
    )


def downgrade() -> None:
    for table in (
        "analytics_platform_daily",
        "analytics_reference_daily",
        "analytics_revenue_daily",
        "analytics_video_retention",
        "analytics_video_daily",
        "watch_progress",
        "analytics_beacons",
    ):
        op.drop_table(table)
