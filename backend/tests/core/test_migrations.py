"""The models and the migration head describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app.db.registry import load_all_models, only_this_dialect
from app.db.session import get_sync_engine


def test_models_match_the_migrated_database() -> None:
    metadata = load_all_models()
    with get_sync_engine().connect() as conn:
        opts = {
            "compare_type": True,
            "render_as_batch": True,
            "include_object": only_this_dialect(conn.dialect.name),
        }
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models and migrations disagree; run alembic revision --autogenerate:\n{diff}"


def test_database_is_at_every_migration_head() -> None:
    from alembic.config import Config

    from tests.conftest import BACKEND_DIR

    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND_DIR / "alembic"))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with get_sync_engine().connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        tables = set(inspect(conn).get_table_names())
    assert current == heads
    assert {"users", "refresh_tokens", "email_tokens", "audit_log"} <= tables
