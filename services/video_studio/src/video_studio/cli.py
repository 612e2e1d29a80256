"""`python -m video_studio <command>`: one sub-command per compute module.

Each module listed in COMMANDS exposes `add_arguments(parser)` and `run(args) -> int`.
Bad input exits with code 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from video_studio.errors import StudioError

COMMANDS: dict[str, tuple[str, str]] = {
    "skeleton": ("video_studio.skeleton.cli", "extract a BlazePose skeleton JSON from a video"),
    "compare": ("video_studio.pose.cli", "compare an attempt skeleton with a reference"),
    "probe": ("video_studio.transcode.cli_probe", "probe a media file (container, codecs, size)"),
    "hls": ("video_studio.transcode.cli_hls", "transcode a video into an HLS ladder"),
    "knowledge": ("video_studio.knowledge.cli", "extract transcript, text, techniques and chapters"),
    "voice": ("video_studio.voice.cli", "voice profiles, dubbing into another language, segment retakes"),
}

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="video_studio", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Skip commands whose package is not there yet; re-raise a missing dependency.
            if exc.name is None or not (module_name + ".").startswith(exc.name + "."):
                raise
            continue
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args))
    except StudioError as exc:
        print(f"video_studio {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
