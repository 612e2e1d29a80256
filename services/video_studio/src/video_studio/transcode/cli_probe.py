"""`python -m video_studio probe FILE`: print the ProbeResult as JSON (exit 2 on bad input)."""

from __future__ import annotations

import argparse
import json

from video_studio.transcode.probe import DEFAULT_LIMITS, Limits, probe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the media file to check")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_LIMITS.max_bytes, help="reject larger files")
    parser.add_argument(
        "--max-duration",
        type=float,
        default=DEFAULT_LIMITS.max_duration_s,
        help="reject longer videos (seconds)",
    )


def run(args: argparse.Namespace) -> int:
    limits = Limits(max_bytes=args.max_bytes, max_duration_s=args.max_duration)
    result = probe(args.file, limits=limits)
    print(json.dumps(result.to_dict(), indent=2))
    return 0
