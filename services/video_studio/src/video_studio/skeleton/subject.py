"""Following one person through a video when several may be in view.

MediaPipe's pose solution finds one person per frame, and when it loses its track it re-detects
whoever its detector scores highest, so on a crowded clip the skeleton silently jumps between
people. The tracker below makes the choice ours:

* Acquisition: in the first frame where anybody is found, people are searched one after another
  (each one found is greyed out before searching again) and the most prominent (largest torso,
  most visible) is followed.
* Tracking: every frame is shown to the video-mode pose model with everything outside a region
  around the followed person greyed out, so the model cannot pick somebody else elsewhere. A
  result is accepted only if its torso is where the followed person's torso can be (distance
  gate that widens while they are lost) and about their size.
* Lost: a frame without an accepted result is null. When the person is found again after a
  while, their clothes (torso colour histogram) are compared with those seen before; a poor match
  is recorded as a possible switch (a warning in the report), never silently.
* Others: once a second or so the picture with the followed person greyed out is searched for
  somebody else; the document records how often another person was there.

The detectors are passed in (`Detector`), so the policy is tested without MediaPipe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from video_studio.skeleton.doc import SubjectDoc, SwitchDoc
from video_studio.skeleton.names import INDEX

FloatArray = npt.NDArray[np.float64]
Frame = npt.NDArray[np.uint8]

_TORSO = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip")]
_BODY = slice(11, 33)
_UPPER = [INDEX[n] for n in ("nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow")]
MASK_GREY = 114
APPEARANCE_EVERY = 10  # tracked frames between two samples of the clothes


@dataclass
class Detection:
    """One person: (33, 4) pixel landmarks [x, y, z, visibility] and (33, 3) world landmarks."""

    landmarks: FloatArray
    world: FloatArray | None = None

    @property
    def torso_centre(self) -> FloatArray:
        return np.asarray(self.landmarks[_TORSO, :2].mean(axis=0), dtype=np.float64)

    @property
    def torso_length(self) -> float:
        lm = self.landmarks
        shoulders = (lm[_TORSO[0], :2] + lm[_TORSO[1], :2]) / 2
        hips = (lm[_TORSO[2], :2] + lm[_TORSO[3], :2]) / 2
        width = max(
            float(np.linalg.norm(lm[_TORSO[0], :2] - lm[_TORSO[1], :2])),
            float(np.linalg.norm(lm[_TORSO[3], :2] - lm[_TORSO[2], :2])),
        )
        # Seen from the side the shoulders overlap; seen lying the hips-shoulders line is short
        # in y: the larger of the torso's length and width is a stable size either way.
        return max(float(np.linalg.norm(shoulders - hips)), width, 1.0)

    @property
    def visibility(self) -> float:
        return float(np.mean(np.clip(self.landmarks[_BODY, 3], 0.0, 1.0)))

    @property
    def presence(self) -> float:
        """How clearly somebody is there: the whole body's visibility, or the upper body's (nose,
        shoulders, elbows) for a person filmed from the waist up."""
        upper = float(np.mean(np.clip(self.landmarks[_UPPER, 3], 0.0, 1.0)))
        return max(self.visibility, upper)

    def box(self, width: int, height: int) -> FloatArray:
        """[x0, y0, x1, y1] of the visible body landmarks, clipped to the picture."""
        lm = self.landmarks
        visible = lm[:, 3] >= 0.3
        xy = lm[visible, :2] if visible.sum() >= 4 else lm[:, :2]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        return np.array(
            [max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)], dtype=np.float64
        )


# A detector takes an RGB frame and returns the person it found (or None).
Detector = Callable[[Frame], Detection | None]


@dataclass(frozen=True)
class TrackingParams:
    max_people: int = 4  # people searched for at acquisition
    min_presence: float = 0.5  # a detection this visible (Detection.presence) is somebody to follow
    min_visibility: float = 0.6  # ... and this visible (mean of body landmarks): another person
    # Followed for fewer frames than this and then lost for longer than give_up_s: it was a
    # passing false detection, not a person; search for somebody again.
    min_track_frames: int = 3
    give_up_s: float = 1.0
    # Region shown to the tracker: the person's box grown by this fraction of its height per side.
    margin: float = 0.5
    # Accept a torso within gate_base + gate_per_s * seconds-since-last-seen torso lengths of the
    # last one (capped at gate_max) and within this size ratio.
    gate_base: float = 0.8
    gate_per_s: float = 3.0
    gate_max: float = 4.0
    size_ratio: float = 1.7
    # Found again after at least this long: compare clothes; a poor match is a possible switch.
    appearance_after_s: float = 0.5
    appearance_distance: float = 0.55  # Bhattacharyya distance of torso hue/saturation histograms
    # Search the rest of the picture for other people every this many seconds (and frames).
    others_every_s: float = 1.0
    others_every_frames: int = 10
    others_min_size: float = 0.35  # ... counting people at least this big (torso vs followed)
    # The document says "several people" when others were seen this often.
    several_min_checks: int = 2
    several_min_share: float = 0.1


def grey_outside(frame: Frame, box: FloatArray) -> Frame:
    """A copy of the frame with everything outside `box` grey."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = _int_box(box, w, h)
    out = np.full_like(frame, MASK_GREY)
    out[y0:y1, x0:x1] = frame[y0:y1, x0:x1]
    return out


def grey_inside(frame: Frame, box: FloatArray) -> Frame:
    """A copy of the frame with `box` grey."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = _int_box(box, w, h)
    out = frame.copy()
    out[y0:y1, x0:x1] = MASK_GREY
    return out


def _int_box(box: FloatArray, w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (round(float(v)) for v in box)
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


def grow(box: FloatArray, fraction: float, w: int, h: int) -> FloatArray:
    size = max(float(box[2] - box[0]), float(box[3] - box[1]), 1.0)
    pad = fraction * size
    return np.array(
        [
            max(0.0, box[0] - pad),
            max(0.0, box[1] - pad),
            min(float(w), box[2] + pad),
            min(float(h), box[3] + pad),
        ]
    )


def torso_histogram(frame: Frame, detection: Detection) -> FloatArray | None:
    """Hue/saturation histogram of the torso (shoulders-hips quadrilateral): the clothes."""
    h, w = frame.shape[:2]
    quad = np.round(detection.landmarks[_TORSO, :2]).astype(np.int32)
    quad[:, 0] = np.clip(quad[:, 0], 0, w - 1)
    quad[:, 1] = np.clip(quad[:, 1], 0, h - 1)
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0) + 1
    if (x1 - x0) * (y1 - y0) < 50:
        return None
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(mask, quad - np.array([x0, y0], dtype=np.int32), (255,))
    if int(np.count_nonzero(mask)) < 50:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(frame[y0:y1, x0:x1]), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], mask, [16, 8], [0, 180, 0, 256])
    cv2.normalize(hist, hist, 1.0, 0.0, cv2.NORM_L1)
    return np.asarray(hist, dtype=np.float64)


def appearance_distance(a: FloatArray, b: FloatArray) -> float:
    return float(cv2.compareHist(a.astype(np.float32), b.astype(np.float32), cv2.HISTCMP_BHATTACHARYYA))


@dataclass
class SubjectTracker:
    """Feeds frames to the detectors and keeps the record of who was followed."""

    track: Detector  # video-mode model: called on every frame in order
    search: Detector  # single-image model: acquisition and the search for others
    width: int
    height: int
    params: TrackingParams = field(default_factory=TrackingParams)
    first_index: int | None = None
    first_box: FloatArray | None = None
    people_at_start: int = 0
    lost_frames: int = 0
    others_checks: int = 0
    others_seen: int = 0
    others_rejected: int = 0
    switches: list[SwitchDoc] = field(default_factory=list)
    _last: Detection | None = None
    _last_t: float = 0.0
    _last_box: FloatArray | None = None
    _appearance: FloatArray | None = None
    _next_check_t: float = 0.0
    _frames_since_check: int = 0
    _tracked_frames: int = 0

    def _people(self, frame: Frame) -> list[Detection]:
        """Everybody the single-image model finds, one at a time, greying out each one found."""
        found: list[Detection] = []
        view = frame
        for _ in range(self.params.max_people):
            person = self.search(view)
            if person is None or person.presence < self.params.min_presence:
                break
            found.append(person)
            view = grey_inside(view, grow(person.box(self.width, self.height), 0.1, self.width, self.height))
        return found

    def _consistent(self, person: Detection, t: float) -> bool:
        last = self._last
        assert last is not None
        gap = max(0.0, t - self._last_t)
        p = self.params
        gate = min(p.gate_max, p.gate_base + p.gate_per_s * gap) * last.torso_length
        distance = float(np.linalg.norm(person.torso_centre - last.torso_centre))
        ratio = person.torso_length / last.torso_length
        return distance <= gate and 1.0 / p.size_ratio <= ratio <= p.size_ratio

    def _accept(self, frame: Frame, index: int, t: float, person: Detection) -> None:
        refound = self._last is not None and t - self._last_t >= self.params.appearance_after_s
        # The clothes are sampled now and then while tracking, and always when found again.
        sample = refound or self._appearance is None or self._tracked_frames % APPEARANCE_EVERY == 0
        hist = torso_histogram(frame, person) if sample else None
        if (
            refound
            and hist is not None
            and self._appearance is not None
            and appearance_distance(hist, self._appearance) > self.params.appearance_distance
        ):
            self.switches.append({"index": index, "t": round(t, 3)})
            self._appearance = hist
        elif hist is not None:
            self._appearance = hist if self._appearance is None else 0.9 * self._appearance + 0.1 * hist
        self._last = person
        self._last_t = t
        self._last_box = person.box(self.width, self.height)
        self._tracked_frames += 1

    def _check_others(self, frame: Frame, t: float) -> None:
        p = self.params
        self._frames_since_check += 1
        if self._last is None or self._last_box is None:
            return
        if t < self._next_check_t or self._frames_since_check < p.others_every_frames:
            return
        self._next_check_t = t + p.others_every_s
        self._frames_since_check = 0
        self.others_checks += 1
        other = self.search(grey_inside(frame, grow(self._last_box, 0.15, self.width, self.height)))
        if (
            other is not None
            and other.visibility >= p.min_visibility
            and other.torso_length >= p.others_min_size * self._last.torso_length
        ):
            self.others_seen += 1

    def __call__(self, frame: Frame, index: int, t: float) -> Detection | None:
        """The followed person in this frame, or None (not found, or only somebody else)."""
        p = self.params
        if (
            self._last is not None
            and self._tracked_frames < p.min_track_frames
            and t - self._last_t > p.give_up_s
        ):
            self._forget()
        if self._last is None:
            people = self._people(frame)
            if not people:
                return None
            chosen = max(people, key=lambda d: d.torso_length**2 * d.visibility)
            self.first_index, self.people_at_start = index, len(people)
            self.first_box = chosen.box(self.width, self.height)
            if len(people) > 1:
                self.others_checks += 1
                self.others_seen += 1
            self._accept(frame, index, t, chosen)
            self._next_check_t = t + self.params.others_every_s
            # Prime the video-mode model on the chosen person; the search result is the answer.
            self.track(grey_outside(frame, grow(self.first_box, self.params.margin, self.width, self.height)))
            return chosen
        assert self._last_box is not None
        lost_for = max(0.0, t - self._last_t)
        margin = self.params.margin * (1.0 + 2.0 * lost_for)
        region = grow(self._last_box, margin, self.width, self.height)
        person = self.track(grey_outside(frame, region))
        if person is not None and self._consistent(person, t):
            self._accept(frame, index, t, person)
            self._check_others(frame, t)
            return person
        self.lost_frames += 1
        if person is not None and person.visibility >= self.params.min_visibility:
            self.others_rejected += 1  # somebody, but not where the followed person can be
        return None

    def _forget(self) -> None:
        """Back to searching: what was followed was only seen in a frame or two."""
        self._last = self._last_box = self._appearance = None
        self.first_index, self.first_box, self.people_at_start = None, None, 0
        self.lost_frames = self._tracked_frames = 0

    def record(self) -> SubjectDoc:
        p = self.params
        several = (
            self.others_seen >= p.several_min_checks
            and self.others_seen >= p.several_min_share * max(self.others_checks, 1)
        ) or self.others_rejected >= p.several_min_checks
        return {
            "policy": "most_prominent_at_start",
            "first_index": self.first_index,
            "bbox": None if self.first_box is None else [round(float(v), 1) for v in self.first_box],
            "people_at_start": self.people_at_start,
            "lost_frames": self.lost_frames,
            "others_checks": self.others_checks,
            "others_seen": self.others_seen,
            "others_rejected": self.others_rejected,
            "several_people": bool(several or self.people_at_start > 1),
            "switches": list(self.switches),
        }
