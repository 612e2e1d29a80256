"""`python -m video_studio skeleton VIDEO -o OUT.json`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from video_studio.skeleton.doc import save_doc
from video_studio.skeleton.extract import extract_skeleton
from video_studio.skeleton.video import DEFAULT_MAX_PIXELS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="input video file")
    parser.add_argument("-o", "--output", required=True, help="skeleton JSON to write")
    parser.add_argument(
        "--target-fps",
        type=float,
        default=None,
        help="sample frames down to this rate (default: every frame)",
    )
    parser.add_argument(
        "--max-pixels",
        type=int,
        default=DEFAULT_MAX_PIXELS,
        help="refuse videos with more pixels per frame than this",
    )


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """MediaPipe/TFLite log to file descriptor 2 from C++; keep the CLI's stderr to our one line."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def run(args: argparse.Namespace) -> int:
    with _native_stderr_silenced():
        doc = extract_skeleton(args.video, target_fps=args.target_fps, max_pixels=args.max_pixels)
    save_doc(doc, args.output)
    found = sum(f["landmarks"] is not None for f in doc["frames"])
    print(f"{args.output}: {len(doc['frames'])} frames, person found in {found}")
    return 0
