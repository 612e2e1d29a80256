"""Pose correction: compare an attempt's skeleton with a reference and coach the differences."""

from video_studio.joints import JOINTS
from video_studio.pose.compare import (
    CompareParams,
    Comparison,
    compare_docs,
    compare_skeletons,
)
from video_studio.skeleton.doc import slice_skeleton

__all__ = [
    "JOINTS",
    "CompareParams",
    "Comparison",
    "compare_docs",
    "compare_skeletons",
    "slice_skeleton",
]
