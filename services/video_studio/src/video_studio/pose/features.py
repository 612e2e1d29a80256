"""Per-frame features of a skeleton: joint angles, hip-centred torso-scaled positions, weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from video_studio.errors import InvalidInputError
from video_studio.joints import ANGLES, JOINTS
from video_studio.skeleton.doc import SkeletonDoc, doc_to_arrays
from video_studio.skeleton.names import INDEX, mirror_index

FloatArray = npt.NDArray[np.float64]


# Landmarks whose normalised positions enter the alignment cost.
POSITION_LANDMARKS: tuple[int, ...] = tuple(
    INDEX[n]
    for n in (
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
    )
)
_L_HIP, _R_HIP = INDEX["left_hip"], INDEX["right_hip"]
_L_SH, _R_SH = INDEX["left_shoulder"], INDEX["right_shoulder"]
_MIRROR = mirror_index()


@dataclass
class Sequence:
    """A skeleton sequence with gaps filled: (n, 33, 4) pixel landmarks and their times."""

    points: FloatArray
    times: FloatArray
    indices: list[int]  # frame index of each row in the source doc

    def __len__(self) -> int:
        return int(self.points.shape[0])


def sequence_from_doc(doc: SkeletonDoc, what: str = "skeleton") -> Sequence:
    """Drop leading/trailing frames without a person and interpolate the gaps in between."""
    points, times = doc_to_arrays(doc)
    found = ~np.isnan(points[:, :, 0]).all(axis=1)
    if found.sum() < 3:
        raise InvalidInputError(f"{what}: a person must be visible in at least 3 frames")
    first, last = int(np.argmax(found)), int(len(found) - 1 - np.argmax(found[::-1]))
    points, times, found = points[first : last + 1], times[first : last + 1], found[first : last + 1]
    if np.any(np.diff(times) <= 0):
        raise InvalidInputError(f"{what}: frame times must increase")
    if not found.all():
        known = np.flatnonzero(found)
        flat = points.reshape(len(points), -1)
        for col in range(flat.shape[1]):
            flat[:, col] = np.interp(times, times[known], flat[known, col])
        # Filled frames are guesses: halve their visibility so they weigh less.
        points[~found, :, 3] *= 0.5
    indices = [int(f["index"]) for f in doc["frames"][first : last + 1]]
    return Sequence(points, times, indices)


def mirrored(points: FloatArray) -> FloatArray:
    """The skeleton seen in a mirror: x flipped and left/right landmarks swapped."""
    out = points[:, _MIRROR].copy()
    out[..., 0] = -out[..., 0]
    return out


def joint_angles(points: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(n, J) angles in degrees (order of JOINTS) and (n, J) visibility weights in [0, 1].

    Limb angles are interior angles in [0, 180]; trunk is the lean of hip-centre -> shoulder-centre
    from vertical, unsigned so it does not depend on which way the person faces.
    """
    xy = points[..., :2]
    vis = np.clip(points[..., 3], 0.0, 1.0)
    n = points.shape[0]
    angles = np.zeros((n, len(JOINTS)))
    weights = np.zeros((n, len(JOINTS)))
    for k, (a, b, c) in enumerate(ANGLES.values()):
        ia, ib, ic = INDEX[a], INDEX[b], INDEX[c]
        u = xy[:, ia] - xy[:, ib]
        v = xy[:, ic] - xy[:, ib]
        cos = np.sum(u * v, axis=1) / np.maximum(np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1), 1e-9)
        angles[:, k] = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
        weights[:, k] = np.minimum(np.minimum(vis[:, ia], vis[:, ib]), vis[:, ic])
    hip = (xy[:, _L_HIP] + xy[:, _R_HIP]) / 2
    sh = (xy[:, _L_SH] + xy[:, _R_SH]) / 2
    d = sh - hip
    angles[:, -1] = np.degrees(np.arctan2(np.abs(d[:, 0]), -d[:, 1]))
    weights[:, -1] = np.min(vis[:, [_L_HIP, _R_HIP, _L_SH, _R_SH]], axis=1)
    return angles, weights


def normalised_positions(points: FloatArray) -> FloatArray:
    """(n, P, 2) key landmark positions, hip-centred and divided by the median torso length."""
    xy = points[..., :2]
    hip = (xy[:, _L_HIP] + xy[:, _R_HIP]) / 2
    sh = (xy[:, _L_SH] + xy[:, _R_SH]) / 2
    torso = float(np.median(np.linalg.norm(sh - hip, axis=1)))
    if torso < 1e-6:
        raise InvalidInputError("skeleton has no measurable torso (shoulders on the hips)")
    return np.asarray((xy[:, POSITION_LANDMARKS] - hip[:, None, :]) / torso, dtype=np.float64)


@dataclass
class Features:
    angles: FloatArray  # (n, J) degrees
    weights: FloatArray  # (n, J)
    positions: FloatArray  # (n, P, 2)
    pos_weights: FloatArray  # (n, P)


def features(points: FloatArray) -> Features:
    angles, weights = joint_angles(points)
    pos = normalised_positions(points)
    pos_w = np.clip(points[:, POSITION_LANDMARKS, 3], 0.0, 1.0)
    return Features(angles, weights, pos, pos_w)
