"""The public trailer: which part of a video anyone may watch without paying.

The instructor chooses (`trailer_mode`): "auto" (the first MEDIA_TRAILER_SECONDS), "range" (their
own [start, end)) or "off". Whatever they choose, a trailer is never longer than
MEDIA_TRAILER_MAX_SHARE of the video, and a video shorter than MEDIA_TRAILER_MIN_VIDEO_SECONDS
gets no automatic trailer (a chosen range still works, within the share). Pure: settings in,
range out; processing cuts what `trailer_window` returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.core.config import Settings
from app.core.errors import ValidationFailed
from app.media.models import TrailerMode

SHORTEST_TRAILER_SECONDS = 1.0  # anything shorter is not worth a player


@dataclass(frozen=True)
class TrailerWindow:
    start_s: float
    length_s: float


def longest_trailer(settings: Settings, duration_s: float) -> float:
    return max(0.0, duration_s * settings.media_trailer_max_share)


def trailer_window(
    settings: Settings,
    *,
    duration_s: float,
    mode: TrailerMode,
    start_s: float | None = None,
    end_s: float | None = None,
) -> TrailerWindow | None:
    """The range to cut for a video of `duration_s`, or None for no trailer."""
    if mode == TrailerMode.off or not math.isfinite(duration_s) or duration_s <= 0:
        return None
    cap = longest_trailer(settings, duration_s)
    if mode == TrailerMode.range:
        if start_s is None or end_s is None or start_s >= duration_s:
            return None
        start, end = max(0.0, start_s), min(end_s, duration_s)
        length = min(end - start, cap)
    else:
        if duration_s < settings.media_trailer_min_video_seconds or settings.media_trailer_seconds <= 0:
            return None
        start, length = 0.0, min(float(settings.media_trailer_seconds), cap)
    if length < SHORTEST_TRAILER_SECONDS:
        return None
    return TrailerWindow(round(start, 3), round(length, 3))


def check_choice(
    settings: Settings,
    *,
    mode: TrailerMode,
    start_s: float | None,
    end_s: float | None,
    duration_s: float | None,
) -> None:
    """Refuse a choice that cannot be honoured (422), as far as the duration is known yet."""
    if mode != TrailerMode.range:
        if start_s is not None or end_s is not None:
            raise ValidationFailed("A trailer range needs trailer_mode 'range'.", code="invalid_trailer")
        return
    if start_s is None or end_s is None or not 0 <= start_s < end_s:
        raise ValidationFailed(
            "Choose where the trailer starts and ends (start before end, both in seconds).",
            code="invalid_trailer",
        )
    if end_s - start_s < SHORTEST_TRAILER_SECONDS:
        raise ValidationFailed("A trailer lasts at least one second.", code="invalid_trailer")
    if duration_s is None:
        return
    if end_s > duration_s + 0.5:
        raise ValidationFailed("The trailer ends after the video does.", code="invalid_trailer")
    cap = longest_trailer(settings, duration_s)
    if end_s - start_s > cap + 1e-6:
        share = round(settings.media_trailer_max_share * 100)
        raise ValidationFailed(
            f"A trailer may show at most {share}% of the video ({cap:.1f} s of this one).",
            code="trailer_too_long",
            params={"share": share, "seconds": f"{round(cap, 1):g}"},
            details={"max_seconds": round(cap, 3), "max_share": settings.media_trailer_max_share},
        )
