"""issue 17 (course bundles): a course's bundle price (social_courses.price_cents, currency); a
purchase of a course (purchases.course_id, video_id nullable, one pending checkout per buyer and
course); one entitlement per video of a bundle (entitlements.source_item in the source key)

Revision ID: 0020_course_bundles
Revises: 0019_web_fixes
Create Date: 2026-11-29 23:59:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0020_course_bundles"
down_revision: str | Sequence[str] | None = "0021_analytics_uniques"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_COURSE = "status = 'pending' AND course_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("social_courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price_cents", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("course_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("video_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index("ix_purchases_course_id", ["course_id"], unique=False)
    op.create_index(
        "uq_purchases_one_pending_course",
        "purchases",
        ["user_id", "course_id"],
        unique=True,
        postgresql_where=sa.text(PENDING_COURSE),
        sqlite_where=sa.text(PENDING_COURSE),
    )
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_item", sa.String(length=64), nullable=False, server_default=""))
        batch_op.drop_constraint("uq_entitlements_source", type_="unique")
        batch_op.create_unique_constraint(
            "uq_entitlements_source", ["source_type", "source_id", "source_item"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM entitlements WHERE source_item <> ''")
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.drop_constraint("uq_entitlements_source", type_="unique")
        batch_op.create_unique_constraint("uq_entitlements_source", ["source_type", "source_id"])
        batch_op.drop_column("source_item")
    op.drop_index("uq_purchases_one_pending_course", table_name="purchases")
    op.execute("DELETE FROM purchases WHERE video_id IS NULL")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index("ix_purchases_course_id")
        batch_op.alter_column("video_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("course_id")
    with op.batch_alter_table("social_courses", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_column("price_cents")
