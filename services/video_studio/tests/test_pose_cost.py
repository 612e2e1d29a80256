"""Issue 10, item 9 (cost): a 60 s x 60 s comparison at 30 fps peaks under 600 MB.

Reported: a 52 s x 52 s compare at 30 fps peaked at 1.9 GB (full cost matrices with every joint
and landmark difference held at once). Measured here with tracemalloc (numpy reports its buffers
to it), not wall-clock time.
"""

from __future__ import annotations

import math
import tracemalloc
from typing import Any

import numpy as np
import pytest

from video_studio.pose import compare_skeletons
from video_studio.pose.dtw import Band, band_around, banded_dtw, dtw

FPS = 30.0
LIMIT_BYTES = 600 * 1024 * 1024


def long_performance(media: Any, seconds: float, tempo: float = 1.0, phase: float = 0.0) -> np.ndarray:
    """A minute of different movements (kicks of changing speed, arm swings), as a kata."""
    times = (np.arange(int(seconds * tempo * FPS)) + phase) / FPS / tempo
    out = []
    for t in times:
        block = int(t // 4.0)
        u = (t % 4.0) / 4.0
        if block % 3 == 2:
            pose = media.arm_swings(FPS, 4.0)[min(round(u * 4.0 * FPS), int(4.0 * FPS))]
        else:
            speed = 1.0 + 0.5 * math.sin(block)
            pose = media.kick_pose(min(1.0, u * speed))
        out.append(pose)
    return np.array(out)


def test_a_minute_against_a_minute_at_30_fps_stays_under_600_mb(media: Any) -> None:
    ref = long_performance(media, 60.0)
    attempt = long_performance(media, 60.0 / 1.1, tempo=1.1, phase=0.4)  # 60 s, 10% slower
    ref_doc = media.as_doc(ref, FPS, world=media.world_of(ref))
    att_doc = media.as_doc(attempt, FPS, world=media.world_of(attempt))
    tracemalloc.start()
    try:
        report = compare_skeletons(ref_doc, att_doc, technique="kata")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < LIMIT_BYTES, f"peak {peak / 2**20:.0f} MiB"
    assert report["match"]["same_movement"] is True and report["score"] >= 90


def test_banded_alignment_finds_the_full_optimum_when_it_lies_in_the_band() -> None:
    rng = np.random.default_rng(5)
    n, m = 60, 75
    cost = rng.random((n, m))
    full_mean, full_path = dtw(cost, 1.0)  # band covering everything
    expected_cols = np.array([j for _, j in full_path], dtype=float)
    centre = np.array([np.mean([j for i, j in full_path if i == row]) for row in range(n)])
    lo, hi = band_around(centre, m, 6)
    assert all(lo[i] <= j <= hi[i] for i, j in full_path) and len(expected_cols)
    width = int((hi - lo).max()) + 1
    banded = np.full((n, width), np.inf)
    for i in range(n):
        banded[i, : hi[i] - lo[i] + 1] = cost[i, lo[i] : hi[i] + 1]
    mean, path = banded_dtw(Band(lo, hi, banded))
    assert path == full_path and mean == pytest.approx(full_mean, rel=1e-12)
    # The band stores a fraction of the full matrix.
    assert banded.size < 0.3 * cost.size
