"""`python -m video_studio compare REF.json ATTEMPT.json -o REPORT.json [...]`.

The report written is the one the platform's API returns for an attempt (the language-neutral
report rendered in --lang), plus `outputs` when an overlay or plots were asked for.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from video_studio.errors import InvalidInputError
from video_studio.i18n import LANGUAGES
from video_studio.joints import JOINTS
from video_studio.pose.compare import compare_docs
from video_studio.pose_report import render_report
from video_studio.skeleton.doc import load_doc, slice_skeleton
from video_studio.techniques import DEFAULT_TECHNIQUE, TECHNIQUES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reference", help="reference skeleton JSON")
    parser.add_argument("attempt", help="attempt skeleton JSON")
    parser.add_argument("-o", "--output", required=True, help="report JSON to write")
    parser.add_argument(
        "--joints",
        nargs="+",
        default=None,
        metavar="JOINT",
        help=f"joints to judge (default all): {' '.join(JOINTS)}",
    )
    parser.add_argument(
        "--technique",
        choices=TECHNIQUES,
        default=DEFAULT_TECHNIQUE,
        help="technique type of the reference: phase names and cue wording follow it",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the messages")
    parser.add_argument("--ref-start", type=float, default=None, help="use the reference from this time (s)")
    parser.add_argument("--ref-end", type=float, default=None, help="use the reference up to this time (s)")
    parser.add_argument(
        "--overlay", metavar="ATTEMPT_VIDEO", default=None, help="attempt video to draw the overlay on"
    )
    parser.add_argument("--overlay-out", default=None, help="overlay mp4 to write (reference | attempt)")
    parser.add_argument(
        "--reference-video",
        default=None,
        help="the video the reference skeleton was extracted from (left side of the overlay)",
    )
    parser.add_argument("--plots-dir", default=None, help="directory for angle plots (PNG)")


def run(args: argparse.Namespace) -> int:
    if (args.overlay is None) != (args.overlay_out is None):
        raise InvalidInputError("--overlay and --overlay-out go together")
    ref = load_doc(args.reference, "reference")
    if args.ref_start is not None or args.ref_end is not None:
        ref = slice_skeleton(
            ref, args.ref_start or 0.0, args.ref_end if args.ref_end is not None else float("inf")
        )
    attempt = load_doc(args.attempt, "attempt")
    joints = [j for arg in args.joints for j in arg.split(",") if j] if args.joints else None
    comparison = compare_docs(ref, attempt, joints=joints, technique=args.technique)
    report = render_report(comparison.report, args.lang)
    outputs: dict[str, object] = {}
    if args.overlay:
        from video_studio.pose.render import render_overlay

        outputs["overlay"] = str(
            render_overlay(
                comparison,
                args.overlay,
                args.overlay_out,
                reference_video=args.reference_video,
                lang=args.lang,
            )
        )
    if args.plots_dir:
        from video_studio.pose.render import render_angle_plots

        outputs["plots"] = [str(p) for p in render_angle_plots(comparison, args.plots_dir, lang=args.lang)]
    if outputs:
        report = {**report, "outputs": outputs}
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    score = "not scored" if report["score"] is None else f"score {report['score']}"
    print(f"{out}: {score}, {len(report['feedback'])} feedback item(s), match: {report['match']['reason']}")
    return 0
