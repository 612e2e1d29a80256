"""social: comments, reactions, reports, likes, follows, courses (issue 17)

Revision ID: 0014_social
Revises: 0017_analytics
Create Date: 2026-11-29 20:08:25.352017
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.db.base
from alembic import op

revision: str = "0014_social"
down_revision: str | Sequence[str] | None = "0017_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "social_follows",
        sa.Column("follower_id", sa.Uuid(), nullable=False),
        sa.Column("instructor_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["users.id"],
            name=op.f("fk_social_follows_follower_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["users.id"],
            name=op.f("fk_social_follows_instructor_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_follows")),
        sa.UniqueConstraint("follower_id", "instructor_id", name="uq_social_follows_follower_instructor"),
    )
    with op.batch_alter_table("social_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_social_follows_follower_id"), ["follower_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_social_follows_instructor_id"), ["instructor_id"], unique=False)

    op.create_table(
        "social_comments",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "visible", "hidden", "deleted", name="social_comment_status", native_enum=False, length=12
            ),
            nullable=False,
        ),
        sa.Column(
            "hidden_by",
            sa.Enum("moderator", "instructor", name="social_comment_hidden_by", native_enum=False, length=12),
            nullable=True,
        ),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("pinned_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("open_report_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_social_comments_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["social_comments.id"],
            name=op.f("fk_social_comments_parent_id_social_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_social_comments_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_comments")),
    )
    with op.batch_alter_table("social_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_social_comments_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_social_comments_open_reports", ["open_report_count"], unique=False)
        batch_op.create_index(
            "ix_social_comments_video_parent", ["video_id", "parent_id", "id"], unique=False
        )

    op.create_table(
        "social_video_likes",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_social_video_likes_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_social_video_likes_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_video_likes")),
        sa.UniqueConstraint("video_id", "user_id", name="uq_social_video_likes_video_user"),
    )
    with op.batch_alter_table("social_video_likes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_social_video_likes_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_social_video_likes_video_id"), ["video_id"], unique=False)

    op.create_table(
        "social_comment_reactions",
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "like", "bow", "fire", "insightful", name="social_reaction", native_enum=False, length=12
            ),
            nullable=False,
        ),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["social_comments.id"],
            name=op.f("fk_social_comment_reactions_comment_id_social_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_social_comment_reactions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_comment_reactions")),
        sa.UniqueConstraint(
            "comment_id", "user_id", "kind", name="uq_social_comment_reactions_comment_user_kind"
        ),
    )
    with op.batch_alter_table("social_comment_reactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_comment_reactions_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_social_comment_reactions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "social_comment_reports",
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "spam",
                "abuse",
                "inappropriate",
                "misinformation",
                "other",
                name="social_comment_report_reason",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["social_comments.id"],
            name=op.f("fk_social_comment_reports_comment_id_social_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_social_comment_reports_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["users.id"],
            name=op.f("fk_social_comment_reports_resolved_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_comment_reports")),
        sa.UniqueConstraint("comment_id", "reporter_id", name="uq_social_comment_reports_comment_reporter"),
    )
    with op.batch_alter_table("social_comment_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_comment_reports_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_social_comment_reports_reporter_id"), ["reporter_id"], unique=False
        )

    op.create_table(
        "social_courses",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("published_at", app.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_social_courses_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_courses")),
    )
    op.create_index(op.f("ix_social_courses_owner_id"), "social_courses", ["owner_id"], unique=False)
    op.create_table(
        "social_course_items",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["social_courses.id"],
            name=op.f("fk_social_course_items_course_id_social_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_social_course_items_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_course_items")),
        sa.UniqueConstraint("course_id", "video_id", name="uq_social_course_items_course_video"),
    )
    op.create_index(
        "ix_social_course_items_course_position",
        "social_course_items",
        ["course_id", "position"],
        unique=False,
    )
    op.create_index(
        op.f("ix_social_course_items_video_id"), "social_course_items", ["video_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("social_course_items")
    op.drop_table("social_courses")
    with op.batch_alter_table("social_comment_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_comment_reports_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_social_comment_reports_comment_id"))

    op.drop_table("social_comment_reports")
    with op.batch_alter_table("social_comment_reactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_comment_reactions_user_id"))
        batch_op.drop_index(batch_op.f("ix_social_comment_reactions_comment_id"))

    op.drop_table("social_comment_reactions")
    with op.batch_alter_table("social_video_likes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_video_likes_video_id"))
        batch_op.drop_index(batch_op.f("ix_social_video_likes_user_id"))

    op.drop_table("social_video_likes")
    with op.batch_alter_table("social_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_social_comments_video_parent")
        batch_op.drop_index("ix_social_comments_open_reports")
        batch_op.drop_index(batch_op.f("ix_social_comments_author_id"))

    op.drop_table("social_comments")
    with op.batch_alter_table("social_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_follows_instructor_id"))
        batch_op.drop_index(batch_op.f("ix_social_follows_follower_id"))

    op.drop_table("social_follows")
