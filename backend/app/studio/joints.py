"""The joints a reference can judge: the names video_studio.pose uses (JOINTS), kept here so the API
validates them without importing the compute package (a test keeps the two lists equal)."""

from __future__ import annotations

JOINTS: tuple[str, ...] = (
    "left_elbow",
    "right_elbow",
    "left_shoulder",
    "right_shoulder",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "trunk",
)
