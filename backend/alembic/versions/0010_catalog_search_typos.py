"""catalog search forgives accents and typos (issue 18)

Revision ID: 0010_catalog_search_typos
Revises: 0009_moderation_commerce
Create Date: 2026-11-29 17:20:00.000000

- PostgreSQL: the pg_trgm extension and a GIN trigram index on videos.search_text (pg_trgm's
  `<%` finds a word one typo away). Creating the extension needs a role that may (the database
  owner on PostgreSQL 13+ for trusted extensions such as pg_trgm; managed services allow it).
- Every video's search_text is folded again (lower-case, accents removed), as the application
  now writes it (app/core/text_search.fold; the same rule inlined here so that this migration
  never changes with the application).
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010_catalog_search_typos"
down_revision: str | Sequence[str] | None = "0009_moderation_commerce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def upgrade() -> None:
    bind = op.get_bind()
    videos = sa.table("videos", sa.column("id", sa.Uuid()), sa.column("search_text", sa.Text()))
    rows = bind.execute(sa.select(videos.c.id, videos.c.search_text)).all()
    for video_id, text in rows:
        folded = _fold(text or "")
        if folded != text:
            bind.execute(videos.update().where(videos.c.id == video_id).values(search_text=folded))
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_videos_search_trgm",
            "videos",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_videos_search_trgm", table_name="videos")
    # The folded search_text stays: the old code searched lower-case text, which it still is.
