"""moderation and commerce hardening (issue 11)

Revision ID: 0009_moderation_commerce
Revises: 0008_studio_technique
Create Date: 2026-11-29 12:00:00.000000

- purchases / subscriptions: at most one pending checkout per buyer (and video and kind) — partial
  unique indexes. Duplicates left by the old double-checkout race are closed first (the newest
  pending row stays pending, older ones end "expired", as a superseded checkout does now; ids
  are UUIDv7, so the largest is the newest).
- videos: the instructor's trailer choice (trailer_mode auto|range|off, trailer_start_s/_end_s);
  a pending edit of a published video (pending_edit, pending_edit_at, edit_rejection_reason);
  trusted_report_count. Trailers cut before the share cap (the first 15 s of any video) are
  switched off where they show more than 20% of the video; processing again cuts a new one.
- video_reports.trusted: reports from verified accounts count toward auto-hide (existing
  reports of verified reporters are trusted; their account age is not known at report time).
- The "ready" video status (processed, not submitted) needs no DDL (non-native enum, no CHECK).
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0009_moderation_commerce"
down_revision: str | Sequence[str] | None = "0008_studio_technique"
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

    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "trailer_mode",
                sa.Enum("auto", "range", "off", name="video_trailer_mode", native_enum=False, length=10),
                nullable=False,
                server_default="auto",
            )
        )
        batch_op.add_column(sa.Column("trailer_start_s", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("trailer_end_s", sa.Double(), nullable=True))
        batch_op.add_column(
            sa.Column("trusted_report_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("pending_edit", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("pending_edit_at", app.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("edit_rejection_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("video_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trusted", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        """
        UPDATE video_reports SET trusted = TRUE WHERE reporter_id IN (
            SELECT id FROM users WHERE email_verified_at IS NOT NULL
        )
        """
    )
    op.execute(
        """
        UPDATE videos SET trusted_report_count = (
            SELECT COUNT(*) FROM video_reports r
            WHERE r.video_id = videos.id AND r.resolved_at IS NULL AND r.trusted = TRUE
        )
        """
    )
    op.execute(
        "UPDATE videos SET has_trailer = FALSE "
        "WHERE has_trailer = TRUE AND (duration_s IS NULL OR duration_s * 0.2 < 15)"
    )


def downgrade() -> None:
    op.execute("UPDATE videos SET status = 'in_review' WHERE status = 'ready'")
    with op.batch_alter_table("video_reports", schema=None) as batch_op:
        batch_op.drop_column("trusted")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        for column in (
            "edit_rejection_reason",
            "pending_edit_at",
            "pending_edit",
            "trusted_report_count",
            "trailer_end_s",
            "trailer_start_s",
            "trailer_mode",
        ):
            batch_op.drop_column(column)
    op.drop_index("uq_subscriptions_one_pending", table_name="subscriptions")
    op.drop_index("uq_purchases_one_pending", table_name="purchases")
