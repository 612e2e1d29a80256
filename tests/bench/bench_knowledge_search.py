"""Cross-language search bench: recall@5 on the bilingual set (backend/tests/knowledge/search_set.json).

Runs the real search (app.knowledge.search) on a fresh database: PostgreSQL (tsvector per
language + unaccent) when MAMC_BENCH_PG reaches a server, else SQLite (the embedded matcher).
Prints, on the same data in the same run:
  ours - the query expanded into it / en / romaji with the translation memory (glossary pairs)
  bare - the query alone, full text in its own language (no memory)
recall@5 over the glossary-covered pairs (target >= 0.8) and over the others, and the ratio.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "backend"))
PG_ADMIN = os.environ.get("MAMC_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _database(tmp: Path) -> tuple[str, str | None]:
    """A fresh database URL (and the Postgres database to drop afterwards)."""
    try:
        import psycopg

        name = f"mamc_bench_search_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}", name
    except Exception:
        return f"sqlite:///{tmp / 'bench.db'}", None


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _ranked(queries: list[dict[str, str]], *, expand: bool) -> tuple[dict[str, list[uuid.UUID]], float]:
    from app.db.session import async_session_scope
    from app.knowledge.search import search

    out = {}
    started = time.perf_counter()
    async with async_session_scope() as session:
        for query in queries:
            result = await search(session, query["q"], query["lang"], limit=20, expand=expand)
            out[query["q"]] = [h.item_id for h in result.hits]
    return out, (time.perf_counter() - started) / max(1, len(queries))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        tmp = Path(folder)
        url, pg_name = _database(tmp)
        os.environ.update(DATABASE_URL=url, VAR_DIR=str(tmp / "var"), APP_ENV="development")
        try:
            return _run(url)
        finally:
            from app.db.session import reset_engines

            reset_engines()
            if pg_name:
                _drop(pg_name)


def _run(url: str) -> int:
    from alembic.config import Config

    from alembic import command
    from app.auth.models import Role, User
    from app.db.session import sync_session
    from app.media.models import Video, VideoStatus
    from tests.knowledge.search_eval import load_set, recall, seed

    config = Config(str(REPO / "backend" / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "backend" / "alembic"))
    command.upgrade(config, "heads")
    from app.core.clock import utcnow

    with sync_session() as session:
        owner = User(email=f"bench-{uuid.uuid4().hex[:6]}@example.com", password_hash="x",
                     display_name="Bench", role=Role.instructor)  # fmt: skip
        session.add(owner)
        session.flush()
        video = Video(owner_id=owner.id, title="Lesson", discipline="karate", status=VideoStatus.published,
                      published_at=utcnow())  # fmt: skip
        session.add(video)
        session.flush()
        owner_id, video_id = owner.id, video.id
    data = load_set()
    ids = seed(owner_id, video_id, data)
    ours_ranked, ours_s = asyncio.run(_ranked(data["queries"], expand=True))
    bare_ranked, bare_s = asyncio.run(_ranked(data["queries"], expand=False))
    ours = recall(ours_ranked, ids, data)
    bare = recall(bare_ranked, ids, data)
    engine = "postgresql tsvector+unaccent" if url.startswith("postgresql") else "sqlite (python matcher)"
    ratio = f"{ours.glossary / bare.glossary:.1f}" if bare.glossary else "inf"
    print(
        f"search engine: {engine}; {len(data['items'])} items, {len(data['queries'])} queries "
        "(each in the other language than its item)"
    )
    print(
        f"recall@5 glossary pairs (n={ours.glossary_n}): "
        f"ours={ours.glossary:.3f} bare={bare.glossary:.3f} ratio={ratio}"
    )
    print(f"recall@5 other pairs (n={ours.other_n}): ours={ours.other:.3f} bare={bare.other:.3f}")
    print(f"per query: ours={ours_s * 1000:.1f} ms bare={bare_s * 1000:.1f} ms ratio={ours_s / bare_s:.2f}")
    print(f"missed (ours): {', '.join(ours.misses) or 'none'}")
    return 0 if ours.glossary >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(main())
