"""Test data the studio tests make for themselves: videos of a real person and stick figures."""

from __future__ import annotations

import math
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from video_studio.skeleton import SkeletonDoc, doc_from_arrays
from video_studio.skeleton.names import INDEX

FloatArray = npt.NDArray[np.float64]
CANVAS = 720


def astronaut_frames(n: int, dx_per_frame: float) -> list[npt.NDArray[np.uint8]]:
    """scikit-image's astronaut (a real person) on a canvas, translated dx pixels per frame."""
    import skimage.data

    person = cv2.resize(skimage.data.astronaut(), (360, 360))
    frames = []
    for k in range(n):
        canvas = np.full((CANVAS, CANVAS, 3), 40, np.uint8)
        m = np.float32([[1, 0, 60 + k * dx_per_frame], [0, 1, 300]])
        cv2.warpAffine(person, m, (CANVAS, CANVAS), dst=canvas, borderMode=cv2.BORDER_TRANSPARENT)
        frames.append(canvas)
    return frames


def write_video(path: Path, frames: list[npt.NDArray[np.uint8]], fps: float = 10.0) -> Path:
    """RGB frames to an mp4 (OpenCV's mp4v encoder)."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def with_rotation(src: Path, dst: Path, degrees_ccw: int) -> Path:
    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-display_rotation",
            str(degrees_ccw),
            "-i",
            str(src),
            "-c",
            "copy",
            str(dst),
        ],
        check=True,
    )
    return dst


@pytest.fixture(scope="session")
def astronaut_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("astro")
    return write_video(d / "astronaut.mp4", astronaut_frames(16, 6.0))


def _pose(
    hip_flex: float, knee_flex: float, shoulder: float, elbow_flex: float, lean: float = 0.0
) -> FloatArray:
    """A side-view stick figure (pixels, y down) facing +x; angles in degrees.

    hip_flex raises the right thigh forward, knee_flex bends the right knee, shoulder raises the
    right arm forward, elbow_flex bends the right elbow. The left side stands still.
    """
    pts = np.zeros((33, 4))
    pts[:, 3] = 1.0
    hip = np.array([360.0, 400.0])

    def unit(deg_from_down: float) -> FloatArray:
        r = math.radians(deg_from_down)
        return np.array([math.sin(r), math.cos(r)])

    up = -unit(-lean)
    shoulder_c = hip + 150 * up
    for side, dz in (("left", -8.0), ("right", 8.0)):
        pts[INDEX[f"{side}_hip"], :2] = hip + np.array([dz, 0.0])
        pts[INDEX[f"{side}_shoulder"], :2] = shoulder_c + np.array([dz, 0.0])
    for name, off in (
        ("nose", (10, -50)),
        ("left_eye", (8, -58)),
        ("right_eye", (12, -58)),
        ("left_ear", (-4, -55)),
        ("right_ear", (0, -55)),
        ("mouth_left", (6, -40)),
        ("mouth_right", (10, -40)),
        ("left_eye_inner", (9, -58)),
        ("left_eye_outer", (6, -58)),
        ("right_eye_inner", (11, -58)),
        ("right_eye_outer", (13, -58)),
    ):
        pts[INDEX[name], :2] = shoulder_c + np.array(off, dtype=float)

    def leg(side: str, hf: float, kf: float) -> None:
        h = pts[INDEX[f"{side}_hip"], :2]
        knee = h + 110 * unit(hf)
        ankle = knee + 105 * unit(hf - kf)
        pts[INDEX[f"{side}_knee"], :2] = knee
        pts[INDEX[f"{side}_ankle"], :2] = ankle
        pts[INDEX[f"{side}_heel"], :2] = ankle + 12 * unit(hf - kf + 150)
        pts[INDEX[f"{side}_foot_index"], :2] = ankle + 30 * unit(hf - kf + 90)

    def arm(side: str, sh: float, ef: float) -> None:
        s = pts[INDEX[f"{side}_shoulder"], :2]
        elbow = s + 80 * unit(sh)
        wrist = elbow + 75 * unit(sh + ef)
        pts[INDEX[f"{side}_elbow"], :2] = elbow
        pts[INDEX[f"{side}_wrist"], :2] = wrist
        for k, name in enumerate(("pinky", "index", "thumb")):
            pts[INDEX[f"{side}_{name}"], :2] = wrist + (10 + 2 * k) * unit(sh + ef)

    leg("left", 0.0, 0.0)
    leg("right", hip_flex, knee_flex)
    arm("left", 20.0, 30.0)
    arm("right", shoulder, elbow_flex)
    return pts


def kick_pose(u: float) -> FloatArray:
    """The front kick at progress u in [0, 1] (0 and 1: standing)."""
    u = min(max(u, 0.0), 1.0)
    chamber = min(1.0, u / 0.3) if u < 0.7 else max(0.0, 1 - (u - 0.7) / 0.3)
    extend = max(0.0, 1 - abs(u - 0.5) / 0.15) if 0.35 < u < 0.65 else 0.0
    hip_flex = 90 * chamber + 10 * extend
    knee_flex = 100 * chamber * (1 - extend)
    return _pose(hip_flex, knee_flex, 40 + 40 * chamber, 60 - 40 * extend, 5 * chamber)


def kick_sequence(n: int = 40) -> FloatArray:
    """A front kick: chamber (raise the bent knee), extension (straighten), retraction."""
    return np.array([kick_pose(k / (n - 1)) for k in range(n)])


def kick_filmed(fps: float, seconds: float = 2.0, tempo: float = 1.0, phase: float = 0.0) -> FloatArray:
    """The same kick filmed at `fps`, performed over `seconds * tempo`, the camera's first frame
    `phase` of a frame after the kick starts (a real camera samples the motion anywhere)."""
    duration = seconds * tempo
    times = (np.arange(int(np.floor(duration * fps)) + 1) + phase) / fps
    return np.array([kick_pose(t / duration) for t in times if t <= duration + 1e-9])


def arm_swings(fps: float, seconds: float) -> FloatArray:
    """Another movement: both legs still, the right arm swinging overhead and back, twice."""
    times = np.arange(int(seconds * fps) + 1) / fps
    return np.array(
        [_pose(0.0, 0.0, 85 + 85 * math.sin(2 * math.pi * t / (seconds / 2)), 20.0) for t in times]
    )


def world_of(points: FloatArray, metres_per_px: float = 1 / 400) -> FloatArray:
    """World landmarks for a flat stick figure: hip-centred metres, depth 0 (the picture plane)."""
    hip = (points[:, INDEX["left_hip"], :2] + points[:, INDEX["right_hip"], :2]) / 2
    world = np.zeros((*points.shape[:2], 3))
    world[..., :2] = (points[..., :2] - hip[:, None, :]) * metres_per_px
    return world


@pytest.fixture
def kick() -> Callable[..., FloatArray]:
    return kick_sequence


def as_doc(
    points: FloatArray, fps: float = 20.0, world: FloatArray | None = None, t0: float = 0.0
) -> SkeletonDoc:
    """A skeleton document of (n, 33, 4) pixel landmarks filmed at fps (optionally 3D)."""
    return doc_from_arrays(points, t0 + np.arange(len(points)) / fps, fps, 720, 720, world=world)


def ffmpeg_variant(
    src: Path, dst: Path, vf: str | None = None, lavfi: str | None = None, seconds: float = 4
) -> Path:
    """A re-timed / rotated / generated clip made with imageio-ffmpeg's ffmpeg (H.264)."""
    inputs = ["-f", "lavfi", "-i", lavfi, "-t", str(seconds)] if lavfi else ["-i", str(src)]
    filters = ["-vf", vf] if vf else []
    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            *inputs,
            *filters,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "18",
            "-pix_fmt",
            "yuv420p",
            str(dst),
        ],
        check=True,
        timeout=300,
    )
    return dst


# --- voice (issue 15): real speech from espeak-ng, the offline TTS the platform ships ---------------
TRAINING_IT = (
    "Oggi alleniamo il calcio frontale. Ginocchio alto, piede a martello, poi ritorno in guardia. "
    "Respira e ripeti dieci volte con calma. Il pugno parte dal fianco e ruota alla fine del movimento. "
    "Tieni le spalle basse e guarda il compagno negli occhi. Ogni tecnica nasce da una posizione stabile "
    "e da un respiro tranquillo."
)


def espeak_wav(path: Path, text: str, voice: str = "it", pitch: int | None = None, wpm: int = 175) -> Path:
    cmd = ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path)]
    if pitch is not None:
        cmd += ["-p", str(pitch)]
    subprocess.run([*cmd, text], check=True, capture_output=True)
    return path


def encode_audio(src: Path, dst: Path, *extra: str) -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), *extra, str(dst)], check=True)
    return dst


def serve_local(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP stand-in for an outside service: yields its base URL, stops afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Media:
    """Helpers for tests (conftest is not importable under --import-mode=importlib)."""

    astronaut_frames = staticmethod(astronaut_frames)
    write_video = staticmethod(write_video)
    with_rotation = staticmethod(with_rotation)
    ffmpeg_exe = staticmethod(ffmpeg_exe)
    kick_sequence = staticmethod(kick_sequence)
    kick_pose = staticmethod(kick_pose)
    kick_filmed = staticmethod(kick_filmed)
    world_of = staticmethod(world_of)
    arm_swings = staticmethod(arm_swings)
    as_doc = staticmethod(as_doc)
    ffmpeg_variant = staticmethod(ffmpeg_variant)
    training_it = TRAINING_IT
    espeak_wav = staticmethod(espeak_wav)
    encode_audio = staticmethod(encode_audio)
    serve_local = staticmethod(serve_local)


@pytest.fixture(scope="session")
def media() -> type[Media]:
    return Media


FIXTURES = Path(
    os.environ.get("STUDIO_FIXTURES", Path(__file__).resolve().parents[3].parent / "shared" / "fixtures")
)


class RealClips:
    """Skeletons of the shared real clips and of ffmpeg-made variants, extracted once per test
    session (MediaPipe is the slow part) into a session folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._docs: dict[str, SkeletonDoc] = {}

    def video(
        self, name: str, *, src: str | None = None, vf: str | None = None, lavfi: str | None = None
    ) -> Path:
        if src is None and lavfi is None:
            path = FIXTURES / name
            if not path.is_file():
                pytest.skip(f"shared fixture {path} not found")
            return path
        out = self.folder / f"{name}.mp4"
        if not out.exists():
            source = self.video(src) if src else Path()
            ffmpeg_variant(source, out, vf=vf, lavfi=lavfi)
        return out

    def skeleton(self, name: str, **variant: str) -> SkeletonDoc:
        if name not in self._docs:
            from video_studio.skeleton import extract_skeleton

            self._docs[name] = extract_skeleton(self.video(name, **variant), allow_nobody=True)
        return self._docs[name]


@pytest.fixture(scope="session")
def real(tmp_path_factory: pytest.TempPathFactory) -> RealClips:
    return RealClips(tmp_path_factory.mktemp("real-clips"))


@pytest.fixture(scope="session")
def voice_samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """About 75 s of one espeak-ng voice (`it+f3`, pitch 70) in four containers: a profile's input."""
    folder = tmp_path_factory.mktemp("voice-samples")
    wavs = [espeak_wav(folder / f"take{k}.wav", TRAINING_IT, "it+f3", 70) for k in range(4)]
    return {
        "ogg": encode_audio(wavs[0], folder / "take0.ogg", "-c:a", "libvorbis"),
        "mp3": encode_audio(wavs[1], folder / "take1.mp3", "-c:a", "libmp3lame"),
        "m4a": encode_audio(wavs[2], folder / "take2.m4a", "-c:a", "aac"),
        "webm": encode_audio(wavs[3], folder / "take3.webm", "-c:a", "libopus"),
        "wav": wavs[0],
    }


@pytest.fixture(scope="session")
def voice_profile(voice_samples: dict[str, Path]) -> Any:
    from video_studio.voice import analyse_samples

    analysis = analyse_samples([voice_samples[k] for k in ("ogg", "mp3", "m4a", "webm")])
    assert analysis.profile is not None, analysis.to_dict()["reasons"]
    return analysis.profile
