"""studio: a reference's technique type and stored clip; the language an attempt was sent in

Revision ID: 0008_studio_technique
Revises: 0007_catalog_hot_paths
Create Date: 2026-11-29 12:00:00.000000

- studio_references.technique: kick, strike, block, stance, kata, throw or general (existing
  references: general). Phase names and cue wording follow it.
- studio_references.clip_key: the marked range cut from the instructor's video, kept for the
  reference side of the side-by-side overlay (existing references: none; their overlays show
  the reference skeleton alone).
- studio_attempts.lang: the language the student used (en/it), for the words burned into the
  overlay video. Reports themselves are stored language-neutral and rendered per request.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008_studio_technique"
down_revision: str | Sequence[str] | None = "0007_catalog_hot_paths"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("studio_references", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("technique", sa.String(length=20), nullable=False, server_default="general")
        )
        batch_op.add_column(sa.Column("clip_key", sa.String(length=512), nullable=True))
    with op.batch_alter_table("studio_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lang", sa.String(length=5), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("studio_attempts", schema=None) as batch_op:
        batch_op.drop_column("lang")
    with op.batch_alter_table("studio_references", schema=None) as batch_op:
        batch_op.drop_column("clip_key")
        batch_op.drop_column("technique")
