"""Per-frame features of a skeleton: joint angles (3D where reliable), normalised positions,
visibility weights; and the geometric normalisations done before comparing (mirror, rotation).

Angles. Every judged angle is the interior angle at a joint (degrees, 0..180) or, for the trunk,
the lean of the hip-centre -> shoulder-centre line from the camera's vertical. Each can be
measured in 3D, from MediaPipe's world landmarks (metres), where it hardly depends on where the
camera stands, or in 2D, in the picture, where a limb pointing at the camera looks shorter and
its angle flatter. 3D is used where it is reliable (`choose_basis`): the trunk lean always when
both skeletons have world landmarks; a limb angle only when its 3D curve is about as steady as
its 2D curve in both recordings (the depth of BlazePose's world landmarks can jitter by 10
degrees from frame to frame, e.g. a leg raised towards the camera), and never the ankle (the
foot's depth is the least reliable part of the 3D output). Version 1 skeletons (2D only) are
compared in 2D throughout. The report says which basis each joint was judged in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from video_studio.errors import InvalidInputError
from video_studio.joints import ANGLES, JOINTS
from video_studio.skeleton.doc import SkeletonDoc, doc_to_arrays, doc_world
from video_studio.skeleton.names import INDEX, mirror_index

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Joints that may be measured in 3D (see the module docstring).
THREE_D_JOINTS: frozenset[str] = frozenset(
    {
        "left_elbow",
        "right_elbow",
        "left_shoulder",
        "right_shoulder",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "trunk",
    }
)
# A limb's 3D angle is steady enough when its frame-to-frame roughness is at most this many times
# its 2D roughness, or under STEADY_DEG; only recordings of at least VOTING_FPS can tell (at lower
# rates real motion between frames dominates the roughness).
ROUGHNESS_RATIO = 2.5
STEADY_DEG = 0.8
VOTING_FPS = 12.0
Basis = dict[str, str]

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
    """A skeleton sequence with gaps filled.

    points: (n, 33, 4) pixel landmarks [x, y, z, visibility]; world: (n, 33, 3) metres or None;
    found: which rows were detected (the others were interpolated across a gap)."""

    points: FloatArray
    times: FloatArray
    indices: list[int]  # frame index of each row in the source doc
    world: FloatArray | None = None
    found: BoolArray | None = None
    width: int = 0
    height: int = 0
    fps: float = 0.0  # the document's frame rate

    def __post_init__(self) -> None:
        if self.found is None:
            self.found = np.ones(len(self.points), dtype=bool)

    def __len__(self) -> int:
        return int(self.points.shape[0])

    @property
    def detected(self) -> BoolArray:
        assert self.found is not None
        return self.found

    @property
    def duration(self) -> float:
        return float(self.times[-1] - self.times[0]) if len(self) > 1 else 0.0

    @property
    def effective_fps(self) -> float:
        """Frames with a person per second of the sequence (gaps lower it)."""
        if len(self) < 2 or self.duration <= 0:
            return self.fps
        return float((self.detected.sum() - 1) / self.duration)


def _interpolate_gaps(values: FloatArray, times: FloatArray, known: BoolArray) -> None:
    flat = values.reshape(len(values), -1)
    idx = np.flatnonzero(known)
    for col in range(flat.shape[1]):
        flat[:, col] = np.interp(times, times[idx], flat[idx, col])


def sequence_from_doc(doc: SkeletonDoc, what: str = "skeleton") -> Sequence:
    """Drop leading/trailing frames without a person and interpolate the gaps in between."""
    points, times = doc_to_arrays(doc)
    world = doc_world(doc)
    found = ~np.isnan(points[:, :, 0]).all(axis=1)
    if found.sum() < 3:
        raise InvalidInputError(
            f"{what}: a person must be visible in at least 3 frames", reason_code="no_person"
        )
    first, last = int(np.argmax(found)), int(len(found) - 1 - np.argmax(found[::-1]))
    keep = slice(first, last + 1)
    points, times, found = points[keep], times[keep], found[keep]
    if np.any(np.diff(times) <= 0):
        raise InvalidInputError(f"{what}: frame times must increase")
    if not found.all():
        _interpolate_gaps(points, times, found)
        # Filled frames are guesses: halve their visibility so they weigh less.
        points[~found, :, 3] *= 0.5
    if world is not None:
        world = world[keep]
        has_world = ~np.isnan(world[:, :, 0]).all(axis=1)
        if has_world.sum() < max(3, 0.8 * found.sum()):
            world = None  # too few frames in 3D: judge in 2D
        elif not has_world.all():
            _interpolate_gaps(world, times, has_world)
    indices = [int(f["index"]) for f in doc["frames"][keep]]
    return Sequence(
        points,
        times,
        indices,
        world=world,
        found=found,
        width=int(doc["width"]),
        height=int(doc["height"]),
        fps=float(doc["fps"]),
    )


def mirrored(points: FloatArray) -> FloatArray:
    """The skeleton seen in a mirror: x flipped and left/right landmarks swapped. Works on pixel
    landmarks (..., 33, 4) and world landmarks (..., 33, 3) alike."""
    out = points[..., _MIRROR, :].copy()
    out[..., 0] = -out[..., 0]
    return out


def mirrored_sequence(seq: Sequence) -> Sequence:
    return replace(seq, points=mirrored(seq.points), world=None if seq.world is None else mirrored(seq.world))


def up_angle(points: FloatArray) -> float:
    """Median direction (degrees, image axes: 0 = up, 90 = right) of hip-centre -> shoulder-centre."""
    xy = points[..., :2]
    d = (xy[:, _L_SH] + xy[:, _R_SH]) / 2 - (xy[:, _L_HIP] + xy[:, _R_HIP]) / 2
    angles = np.arctan2(d[:, 0], -d[:, 1])
    # Circular median via the mean direction (robust enough for a body's up direction).
    return math.degrees(math.atan2(float(np.median(np.sin(angles))), float(np.median(np.cos(angles)))))


def quarter_turn(ref: Sequence, attempt: Sequence) -> int:
    """How many degrees (0, 90, 180 or 270, clockwise) the attempt's picture is turned against the
    reference's: a phone held sideways or upside down. Less than 45 degrees is not a turn."""
    diff = (up_angle(attempt.points) - up_angle(ref.points)) % 360.0
    quarters = round(diff / 90.0) % 4
    return 0 if min(diff, 360.0 - diff) < 45.0 else int(quarters * 90)


def rotate_sequence(seq: Sequence, degrees_cw: int) -> Sequence:
    """Turn the attempt's picture back by `degrees_cw` (pixel landmarks about the picture
    origin, world landmarks about the camera axis): angles are unchanged, only their frame."""
    if degrees_cw % 360 == 0:
        return seq
    th = math.radians(-degrees_cw)
    rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    points = seq.points.copy()
    # Image axes are y-down, so a clockwise picture turn is a positive angle in these axes.
    points[..., :2] = points[..., :2] @ rot.T
    world = None
    if seq.world is not None:
        world = seq.world.copy()
        world[..., :2] = world[..., :2] @ rot.T
    return replace(seq, points=points, world=world)


def body_yaw(seq: Sequence) -> float | None:
    """Median direction the body faces around the vertical, degrees (world landmarks only): the
    shoulder and hip lines' direction in the camera's x-z plane."""
    if seq.world is None:
        return None
    w = seq.world
    line = (w[:, _L_SH] - w[:, _R_SH]) + (w[:, _L_HIP] - w[:, _R_HIP])
    yaw = np.arctan2(line[:, 2], line[:, 0])
    return math.degrees(math.atan2(float(np.median(np.sin(yaw))), float(np.median(np.cos(yaw)))))


def width_ratio(seq: Sequence) -> float:
    """Median shoulder width over torso length in the picture: ~0.6-0.9 from the front, small
    from the side (2D only skeletons use this to tell camera angles apart)."""
    xy = seq.points[..., :2]
    width = np.linalg.norm(xy[:, _L_SH] - xy[:, _R_SH], axis=1)
    torso = np.linalg.norm((xy[:, _L_SH] + xy[:, _R_SH]) / 2 - (xy[:, _L_HIP] + xy[:, _R_HIP]) / 2, axis=1)
    return float(np.median(width / np.maximum(torso, 1e-6)))


def _interior_angles(xyz: FloatArray, a: int, b: int, c: int) -> FloatArray:
    u = xyz[:, a] - xyz[:, b]
    v = xyz[:, c] - xyz[:, b]
    cos = np.sum(u * v, axis=1) / np.maximum(np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1), 1e-9)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


def _trunk_lean(xyz: FloatArray) -> FloatArray:
    d = (xyz[:, _L_SH] + xyz[:, _R_SH]) / 2 - (xyz[:, _L_HIP] + xyz[:, _R_HIP]) / 2
    up = np.zeros(xyz.shape[-1])
    up[1] = -1.0  # y points down in both the picture and the world landmarks
    cos = (d @ up) / np.maximum(np.linalg.norm(d, axis=1), 1e-9)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


def _roughness(angles: FloatArray) -> FloatArray:
    """Per joint: median distance of a sample from the mean of its two neighbours (jitter)."""
    if len(angles) < 3:
        return np.zeros(angles.shape[1])
    return np.asarray(np.median(np.abs(angles[1:-1] - (angles[:-2] + angles[2:]) / 2), axis=0))


def choose_basis(sequences: list[Sequence]) -> Basis:
    """Per joint, "3d" or "2d" for a comparison of these sequences (see the module docstring)."""
    basis = {j: "2d" for j in JOINTS}
    if any(seq.world is None for seq in sequences):
        return basis
    basis["trunk"] = "3d"
    voters = [seq for seq in sequences if seq.fps >= VOTING_FPS and len(seq) >= 5]
    if not voters:
        return basis
    steady = np.ones(len(JOINTS), dtype=bool)
    for seq in voters:
        r3 = _roughness(joint_angles(seq.points, seq.world, {j: "3d" for j in JOINTS})[0])
        r2 = _roughness(joint_angles(seq.points, None)[0])
        steady &= r3 <= np.maximum(ROUGHNESS_RATIO * r2, STEADY_DEG)
    for k, joint in enumerate(JOINTS):
        if joint in THREE_D_JOINTS and joint != "trunk" and steady[k]:
            basis[joint] = "3d"
    return basis


def joint_angles(
    points: FloatArray, world: FloatArray | None = None, basis: Basis | None = None
) -> tuple[FloatArray, FloatArray]:
    """(n, J) angles in degrees (order of JOINTS) and (n, J) visibility weights in [0, 1].

    Limb angles are interior angles in [0, 180]; trunk is the lean of hip-centre -> shoulder-centre
    from vertical, unsigned so it does not depend on which way the person faces. With `world`
    landmarks, the joints `basis` marks "3d" are measured in 3D (all of THREE_D_JOINTS when no
    basis is given)."""
    xy = points[..., :2]
    vis = np.clip(points[..., 3], 0.0, 1.0)
    n = points.shape[0]

    def in_3d(joint: str) -> bool:
        if world is None or joint not in THREE_D_JOINTS:
            return False
        return basis is None or basis.get(joint) == "3d"

    angles = np.zeros((n, len(JOINTS)))
    weights = np.zeros((n, len(JOINTS)))
    for k, (name, (a, b, c)) in enumerate(ANGLES.items()):
        ia, ib, ic = INDEX[a], INDEX[b], INDEX[c]
        source = world if world is not None and in_3d(name) else xy
        angles[:, k] = _interior_angles(source, ia, ib, ic)
        weights[:, k] = np.minimum(np.minimum(vis[:, ia], vis[:, ib]), vis[:, ic])
    angles[:, -1] = _trunk_lean(world if world is not None and in_3d("trunk") else xy)
    weights[:, -1] = np.min(vis[:, [_L_HIP, _R_HIP, _L_SH, _R_SH]], axis=1)
    return angles, weights


def normalised_positions(points: FloatArray) -> FloatArray:
    """(n, P, 2) key landmark positions in the picture, hip-centred and divided by the median
    torso length."""
    xyz = points[..., :2]
    hip = (xyz[:, _L_HIP] + xyz[:, _R_HIP]) / 2
    sh = (xyz[:, _L_SH] + xyz[:, _R_SH]) / 2
    torso = float(np.median(np.linalg.norm(sh - hip, axis=1)))
    if torso < 1e-6:
        raise InvalidInputError(
            "skeleton has no measurable torso (shoulders on the hips)", reason_code="no_torso"
        )
    return np.asarray((xyz[:, POSITION_LANDMARKS] - hip[:, None, :]) / torso, dtype=np.float64)


@dataclass
class Features:
    angles: FloatArray  # (n, J) degrees
    weights: FloatArray  # (n, J)
    positions: FloatArray  # (n, P, d)
    pos_weights: FloatArray  # (n, P)

    def __len__(self) -> int:
        return int(self.angles.shape[0])


def features(points: FloatArray, world: FloatArray | None = None, basis: Basis | None = None) -> Features:
    """Angles (in the given basis) and the picture positions of the key landmarks: positions
    stay 2D, as steady as the picture itself, for the alignment cost."""
    angles, weights = joint_angles(points, world, basis)
    pos = normalised_positions(points)
    pos_w = np.clip(points[:, POSITION_LANDMARKS, 3], 0.0, 1.0)
    return Features(angles, weights, pos, pos_w)


def sequence_features(seq: Sequence, basis: Basis | None) -> Features:
    """Features of a sequence; `basis` None: everything in 2D."""
    if basis is None or seq.world is None:
        return features(seq.points)
    return features(seq.points, seq.world, basis)
