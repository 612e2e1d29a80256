"""Opening and decoding videos with OpenCV, with checks that turn bad files into clear errors.

Frames come out display-oriented (rotation metadata applied) and in RGB. `FrameReader` decodes on
a background thread into a bounded queue so decoding overlaps inference (cv2 releases the GIL).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from video_studio.errors import CorruptVideoError, EmptyFileError, InvalidInputError, NotAVideoError

DEFAULT_MAX_PIXELS = 4096 * 4096
Frame = npt.NDArray[np.uint8]

_ROTATIONS = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    fps: float
    width: int  # displayed (after rotation)
    height: int
    frame_count: int  # as declared by the container; 0 when unknown
    rotation: int  # degrees clockwise applied to decoded frames


def _open_capture(path: Path) -> cv2.VideoCapture:
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    # We rotate ourselves so the behaviour does not depend on the OpenCV build's default.
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    return cap


def probe_video(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> VideoInfo:
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError(f"video not found: {p.name}")
    if p.stat().st_size == 0:
        raise EmptyFileError(f"{p.name} is empty (0 bytes)")
    cap = _open_capture(p)
    try:
        if not cap.isOpened():
            raise NotAVideoError(
                f"{p.name} is not a video we can read (unknown format, unsupported codec or damaged file)"
            )
        raw_w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        raw_h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if raw_w <= 0 or raw_h <= 0:
            raise InvalidInputError(f"{p.name} has no video picture", reason_code="no_video_track")
        if raw_w * raw_h > max_pixels:
            raise InvalidInputError(
                f"{p.name} is {raw_w}x{raw_h}, larger than the {max_pixels:,} pixels we accept; "
                "please upload a smaller resolution",
                reason_code="too_many_pixels",
                width=raw_w,
                height=raw_h,
                max_megapixels=f"{max_pixels / 1e6:.1f}",
            )
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        if not np.isfinite(fps) or fps <= 0 or fps > 1000:
            fps = 30.0
        rotation = round(cap.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
        if rotation not in _ROTATIONS:
            rotation = 0
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        ok, frame = cap.read()
        if not ok or frame is None:
            raise CorruptVideoError(
                f"{p.name}: no frame could be decoded (truncated file or unsupported codec)"
            )
        raw_h, raw_w = frame.shape[:2]
    finally:
        cap.release()
    w, h = (raw_h, raw_w) if rotation in (90, 270) else (raw_w, raw_h)
    return VideoInfo(p, fps, w, h, max(count, 0), rotation)


def sample_stride(fps: float, target_fps: float | None) -> float:
    """Keep one frame every `stride` source frames (fractional strides spread evenly)."""
    if target_fps is None or target_fps <= 0 or target_fps >= fps:
        return 1.0
    return fps / target_fps


class FrameReader:
    """Iterates (index, t, rgb_frame) for the sampled frames, decoding on a background thread."""

    _END = object()

    def __init__(self, info: VideoInfo, target_fps: float | None = None, queue_size: int = 4):
        self.info = info
        self.stride = sample_stride(info.fps, target_fps)
        self.decoded = 0  # frames read from the file, including the skipped ones
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="frame-decoder", daemon=True)
        self._started = False

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        cap = _open_capture(self.info.path)
        rot = _ROTATIONS.get(self.info.rotation)
        try:
            index = 0
            next_keep = 0.0
            while not self._stop.is_set():
                keep = index + 1e-6 >= next_keep
                if keep:
                    ok, frame = cap.read()
                else:
                    ok = cap.grab()
                    frame = None
                if not ok:
                    break
                self.decoded += 1
                if keep and frame is not None:
                    next_keep += self.stride
                    if rot is not None:
                        frame = cv2.rotate(frame, rot)
                    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                    if not self._put((index, index / self.info.fps, rgb)):
                        return
                index += 1
        except BaseException as exc:  # forwarded to the consumer thread
            self._put(exc)
            return
        finally:
            cap.release()
        self._put(self._END)

    def __enter__(self) -> FrameReader:
        self._thread.start()
        self._started = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._started:
            self._thread.join(timeout=5)

    def __iter__(self) -> Iterator[tuple[int, float, Frame]]:
        if not self._started:
            raise RuntimeError("use FrameReader as a context manager")
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(tuple[int, float, Frame], item)
