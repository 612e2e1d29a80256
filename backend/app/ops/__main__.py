"""`python -m app.ops <command>`: backups for operators and cron.

  backup [--out DIR]                  dump + object manifest -> archive + .sha256, store, prune
  restore FILE|NAME|latest [--database-url URL]
                                      verify the checksum, then load into an EMPTY database
  list                                archives in the backup store, oldest first
  prune                               apply BACKUP_KEEP_DAILY / BACKUP_KEEP_WEEKLY
  edge-policy --source-ip CIDR | --vpc-endpoint ID [--bucket B]
                                      print the S3 bucket policy letting the nginx edge read
                                      published media (app/ops/edge.py)

Exit codes: 0 done; 1 failed (one line on stderr); 2 refused: the target database is not empty.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.core.config import get_settings
from app.ops import service


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.ops",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    backup = commands.add_parser("backup", help="take a backup now")
    backup.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the archive to this directory only (no upload, no pruning)",
    )
    restore = commands.add_parser("restore", help="restore an archive into an empty database")
    restore.add_argument("archive", help="a local .tar path, a backup name, or 'latest'")
    restore.add_argument("--database-url", default=None, help="target database (default: DATABASE_URL)")
    commands.add_parser("list", help="list stored backups")
    commands.add_parser("prune", help="delete backups outside the retention policy")
    policy = commands.add_parser("edge-policy", help="print the bucket policy for the nginx edge")
    policy.add_argument("--source-ip", action="append", default=[], help="the edge's addresses (CIDR)")
    policy.add_argument("--vpc-endpoint", default=None, help="the VPC endpoint the edge reaches S3 by")
    policy.add_argument("--bucket", default=None, help="default: S3_BUCKET")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    try:
        if args.command == "backup":
            if args.out is not None:
                from app.core.storage import build_object_store

                made = service.create_archive(
                    settings.sync_database_url, args.out, object_store=build_object_store(settings)
                )
                print(f"{made.archive} sha256={made.sha256} objects={made.object_count}")
            else:
                run = service.run_backup(settings)
                print(
                    f"{run.archive} sha256={run.sha256} objects={run.objects} "
                    f"stored_in={run.stored_in} pruned={len(run.pruned)}"
                )
        elif args.command == "restore":
            target = args.database_url or settings.sync_database_url
            with tempfile.TemporaryDirectory(prefix="mamc-restore-dl-") as tmp:
                archive = service.resolve_archive(settings, args.archive, Path(tmp))
                result = service.restore_archive(archive, target)
            print(
                f"restored {result.archive} into {result.database} "
                f"(manifest lists {result.objects_in_manifest} objects)"
            )
        elif args.command == "list":
            for name in service.iter_backups(settings):
                print(name)
        elif args.command == "edge-policy":
            from app.ops.edge import edge_read_policy

            bucket = args.bucket or settings.s3_bucket
            if not bucket:
                print("error: no bucket: set S3_BUCKET or pass --bucket", file=sys.stderr)
                return 2
            try:
                policy = edge_read_policy(bucket, source_cidrs=args.source_ip, vpc_endpoint=args.vpc_endpoint)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(json.dumps(policy, indent=2))
        elif args.command == "prune":
            store = service.backup_store_for(settings)
            for name in service.prune(store, settings.backup_keep_daily, settings.backup_keep_weekly):
                print(f"deleted {name}")
    except service.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
