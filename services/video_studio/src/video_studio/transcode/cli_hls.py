"""`python -m video_studio hls INPUT OUTDIR`: write the HLS ladder, print a JSON summary."""

from __future__ import annotations

import argparse
import json
import sys

from video_studio.transcode.hls import transcode_hls


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the source video")
    parser.add_argument("outdir", help="directory for master.m3u8 and the rung folders")
    parser.add_argument(
        "--segment-seconds", type=int, default=6, choices=range(4, 7), metavar="{4,5,6}",
        help="segment duration (default 6)",
    )  # fmt: skip
    parser.add_argument(
        "--max-height", type=int, default=1080,
        help="top rung (short side of the picture, e.g. 720); never upscales",
    )  # fmt: skip
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")


def run(args: argparse.Namespace) -> int:
    def report(fraction: float, stage: str) -> None:
        print(f"progress {fraction:.3f} {stage}", file=sys.stderr, flush=True)

    result = transcode_hls(
        args.input,
        args.outdir,
        segment_seconds=args.segment_seconds,
        max_short_side=args.max_height,
        progress=report if args.progress else None,
    )
    summary = result.to_dict()
    summary.pop("files")
    for variant in summary["variants"]:
        variant["segments"] = len(variant["segments"])
        variant.pop("segment_durations")
    print(json.dumps(summary, indent=2))
    return 0
