"""`python -m app <command>`: operator commands.

create-admin --email E [--password P] [--name N]   create the first admin (or promote)
migrate                                            apply database migrations
openapi [-o FILE]                                  write the OpenAPI schema
knowledge backfill [--limit N] [--dry-run]         queue extractions of published videos that have none
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def _migrate() -> None:
    from alembic.config import Config

    from alembic import command

    backend = Path(__file__).resolve().parents[1]
    config = Config(str(backend / "alembic.ini"))
    config.set_main_option("script_location", str(backend / "alembic"))
    command.upgrade(config, "heads")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app")
    sub = parser.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("create-admin", help="create the first admin, or promote an existing user")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", help="prompted for when omitted (or ADMIN_PASSWORD)")
    admin.add_argument("--name", default="Administrator")
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade heads)")
    openapi = sub.add_parser("openapi", help="write the OpenAPI schema as JSON")
    openapi.add_argument("-o", "--output", type=Path)
    knowledge = sub.add_parser("knowledge", help="knowledge base operations")
    knowledge_sub = knowledge.add_subparsers(dest="knowledge_command", required=True)
    backfill = knowledge_sub.add_parser("backfill", help="queue extractions of videos that have none")
    backfill.add_argument("--limit", type=int, default=None, help="at most this many (default: all)")
    backfill.add_argument("--dry-run", action="store_true", help="only count them")
    run_parser = sub.add_parser("run", help="migrate, then run API, worker and beat together")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port", type=int, default=8000)
    run_parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args(argv)

    from app.core.errors import DomainError

    try:
        if args.command == "migrate":
            _migrate()
            print("migrations applied")
        elif args.command == "run":
            from app.devrun import run

            _migrate()
            return run(args.host, args.port, args.worker_concurrency)
        elif args.command == "create-admin":
            from app.auth.service import create_admin_sync
            from app.core.config import get_settings
            from app.db.session import sync_session

            password = args.password or os.environ.get("ADMIN_PASSWORD") or ""
            with sync_session() as session:
                from sqlalchemy import select

                from app.auth.models import User

                exists = session.scalar(select(User.id).where(User.email == args.email.strip().lower()))
                if not exists and not password:
                    password = getpass.getpass("Password for the new admin: ")
                user = create_admin_sync(
                    session,
                    get_settings(),
                    email=args.email,
                    password=password,
                    display_name=args.name,
                )
                print(f"admin ready: {user.email} ({user.id})")
        elif args.command == "knowledge":
            from app.db.session import sync_session
            from app.knowledge.backfill import backfill as run_backfill

            with sync_session() as session:
                report = run_backfill(session, limit=args.limit, dry_run=args.dry_run)
            verb = "would queue" if args.dry_run else "queued"
            would = report.missing if args.limit is None else min(report.missing, args.limit)
            count = would if args.dry_run else len(report.queued)
            print(f"{report.missing} published videos without an extraction; {verb} {count}")
        elif args.command == "openapi":
            from app.main import create_app

            text = json.dumps(create_app().openapi(), indent=2)
            if args.output:
                args.output.parent.mkdir(parents=True, exist_ok=True)
                args.output.write_text(text)
            else:
                print(text)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
