"""Alembic runs synchronously against DATABASE_URL (psycopg 3 or SQLite), like the workers."""

from __future__ import annotations

from sqlalchemy import Connection

from alembic import context
from app.core.config import get_settings
from app.db.registry import load_all_models, only_this_dialect
from app.db.session import get_sync_engine

target_metadata = load_all_models()


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
        include_object=only_this_dialect(
            connection.dialect.name
            if connection
            else ("sqlite" if get_settings().is_sqlite else "postgresql")
        ),
        literal_binds=url is not None,
    )


def run_migrations_offline() -> None:
    _configure(url=get_settings().sync_database_url)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with get_sync_engine().connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
