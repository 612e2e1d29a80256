"""Skeleton extraction (MediaPipe BlazePose) and the skeleton JSON document."""

from video_studio.skeleton.doc import (
    FrameDoc,
    SkeletonDoc,
    doc_from_arrays,
    doc_to_arrays,
    load_doc,
    save_doc,
    slice_skeleton,
    validate_doc,
)
from video_studio.skeleton.extract import extract_skeleton
from video_studio.skeleton.names import LANDMARK_NAMES
from video_studio.skeleton.onefilter import LandmarkSmoother, OneEuroFilter, SmoothingParams

__all__ = [
    "LANDMARK_NAMES",
    "FrameDoc",
    "LandmarkSmoother",
    "OneEuroFilter",
    "SkeletonDoc",
    "SmoothingParams",
    "doc_from_arrays",
    "doc_to_arrays",
    "extract_skeleton",
    "load_doc",
    "save_doc",
    "slice_skeleton",
    "validate_doc",
]
