"""learning: profiles, events, awards, badges, reward offers and grants (issue 17)

Revision ID: 0015_learning
Revises: 0012_coach
Create Date: 2026-11-29 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0015_learning"
down_revision: str | Sequence[str] | None = "0012_coach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.db.base.UTCDateTime(timezone=True)


def _user_fk(table: str, column: str = "user_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "learning_profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("timezone", sa.String(64), server_default="UTC", nullable=False),
        sa.Column("weekly_goal", sa.Integer(), nullable=True),
        sa.Column("leaderboard_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("xp", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _user_fk("learning_profiles"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learning_profiles")),
    )
    op.create_table(
        "learning_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("event_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("occurred_at", UTC, nullable=False),
        sa.Column("reference_id", sa.Uuid(), nullable=True),
        sa.Column("instructor_id", sa.Uuid(), nullable=True),
        sa.Column("technique", sa.String(20), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Integer(), server_default="0", nullable=False),
        _user_fk("learning_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_events")),
        sa.UniqueConstraint("user_id", "event_key", name=op.f("uq_learning_events_user_id")),
    )
    op.create_index("ix_learning_events_user_id_occurred_at", "learning_events", ["user_id", "occurred_at"])
    op.create_index("ix_learning_events_reference_id_score", "learning_events", ["reference_id", "score"])
    op.create_table(
        "learning_awards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("award_key", sa.String(80), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("xp", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _user_fk("learning_awards"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["learning_events.id"],
            name=op.f("fk_learning_awards_event_id_learning_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_awards")),
        sa.UniqueConstraint("user_id", "award_key", "event_id", name=op.f("uq_learning_awards_user_id")),
    )
    op.create_index(op.f("ix_learning_awards_user_id"), "learning_awards", ["user_id"])
    op.create_index("ix_learning_awards_created_at", "learning_awards", ["created_at"])
    op.create_table(
        "learning_badges",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("badge", sa.String(60), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("earned_at", UTC, nullable=False),
        _user_fk("learning_badges"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["learning_events.id"],
            name=op.f("fk_learning_badges_event_id_learning_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", "badge", name=op.f("pk_learning_badges")),
    )
    op.create_table(
        "learning_reward_offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("instructor_id", sa.Uuid(), nullable=False),
        sa.Column("technique", sa.String(20), nullable=False),
        sa.Column("belt", sa.String(20), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _user_fk("learning_reward_offers", "instructor_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_reward_offers")),
    )
    op.create_index(
        op.f("ix_learning_reward_offers_instructor_id"), "learning_reward_offers", ["instructor_id"]
    )
    op.create_table(
        "learning_reward_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("provider_id", sa.String(255), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        _user_fk("learning_reward_grants"),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["learning_reward_offers.id"],
            name=op.f("fk_learning_reward_grants_offer_id_learning_reward_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_reward_grants")),
        sa.UniqueConstraint("offer_id", "user_id", name=op.f("uq_learning_reward_grants_offer_id")),
        sa.UniqueConstraint("code", name=op.f("uq_learning_reward_grants_code")),
    )
    op.create_index(op.f("ix_learning_reward_grants_user_id"), "learning_reward_grants", ["user_id"])


def downgrade() -> None:
    op.drop_table("learning_reward_grants")
    op.drop_table("learning_reward_offers")
    op.drop_table("learning_badges")
    op.drop_table("learning_awards")
    op.drop_table("learning_events")
    op.drop_table("learning_profiles")
