"""The joints the pose corrector judges. Dependency-free, so the API can validate joint names
without importing the compute code (numpy, MediaPipe)."""

from __future__ import annotations

# Joint angle -> (proximal, vertex, distal) landmarks; the angle is measured at the vertex.
ANGLES: dict[str, tuple[str, str, str]] = {
    "left_elbow": ("left_shoulder", "left_elbow", "left_wrist"),
    "right_elbow": ("right_shoulder", "right_elbow", "right_wrist"),
    "left_shoulder": ("left_hip", "left_shoulder", "left_elbow"),
    "right_shoulder": ("right_hip", "right_shoulder", "right_elbow"),
    "left_hip": ("left_shoulder", "left_hip", "left_knee"),
    "right_hip": ("right_shoulder", "right_hip", "right_knee"),
    "left_knee": ("left_hip", "left_knee", "left_ankle"),
    "right_knee": ("right_hip", "right_knee", "right_ankle"),
    "left_ankle": ("left_knee", "left_ankle", "left_foot_index"),
    "right_ankle": ("right_knee", "right_ankle", "right_foot_index"),
}
TRUNK = "trunk"
JOINTS: tuple[str, ...] = (*ANGLES, TRUNK)
