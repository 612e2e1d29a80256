from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from video_studio.skeleton.onefilter import LandmarkSmoother, OneEuroFilter, SmoothingParams


def test_constant_signal_passes_unchanged() -> None:
    f = OneEuroFilter((3,))
    for k in range(20):
        out = f.apply(k / 30, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(out, [1.0, 2.0, 3.0])


def test_stationary_jitter_is_reduced() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter((200,), min_cutoff=1.0, beta=0.0)
    raw, out = [], []
    for k in range(60):
        x = 100 + rng.normal(0, 2.0, 200)
        raw.append(x)
        out.append(f.apply(k / 30, x))
    assert np.std(np.array(out)[20:], axis=0).mean() < 0.5 * np.std(np.array(raw)[20:], axis=0).mean()


def test_high_beta_follows_fast_motion_with_less_lag() -> None:
    lags = {}
    for beta in (0.0, 5.0):
        f = OneEuroFilter((1,), min_cutoff=1.0, beta=beta)
        for k in range(30):
            out = f.apply(k / 30, np.array([20.0 * k]))
        lags[beta] = 20.0 * 29 - float(out[0])
    assert lags[5.0] < 0.3 * lags[0.0]


def test_reset_element_passes_next_sample_through() -> None:
    f = OneEuroFilter((2,), min_cutoff=0.05, beta=0.0)
    f.apply(0.0, np.array([0.0, 0.0]))
    f.reset(np.array([True, False]))
    out = f.apply(0.1, np.array([50.0, 50.0]))
    assert out[0] == 50.0
    assert out[1] < 50.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1000, 1000), min_size=2, max_size=40))
def test_output_stays_within_the_range_of_inputs(values: list[float]) -> None:
    f = OneEuroFilter((1,))
    for k, v in enumerate(values):
        out = float(f.apply(k / 30, np.array([v]))[0])
        assert min(values[: k + 1]) - 1e-6 <= out <= max(values[: k + 1]) + 1e-6


def _landmarks(x: float, vis: float = 1.0) -> np.ndarray:
    lm = np.zeros((33, 4))
    lm[:, 0] = x + np.arange(33) * 5
    lm[:, 1] = np.arange(33) * 7
    lm[:, 3] = vis
    return lm


def test_smoother_restarts_after_a_gap() -> None:
    s = LandmarkSmoother(SmoothingParams(min_cutoff=0.05, beta=0.0))
    s.apply(0.0, _landmarks(0.0))
    s.apply(0.1, _landmarks(0.0))
    assert s.apply(0.2, None) is None
    out = s.apply(0.3, _landmarks(300.0))
    assert out is not None
    np.testing.assert_allclose(out, _landmarks(300.0))


def test_smoother_restarts_after_a_long_pause() -> None:
    s = LandmarkSmoother(SmoothingParams(min_cutoff=0.05, beta=0.0, max_gap_s=0.5))
    s.apply(0.0, _landmarks(0.0))
    out = s.apply(2.0, _landmarks(300.0))
    assert out is not None
    np.testing.assert_allclose(out, _landmarks(300.0))


def test_low_visibility_landmark_does_not_drag() -> None:
    s = LandmarkSmoother(SmoothingParams(min_cutoff=0.05, beta=0.0))
    s.apply(0.0, _landmarks(0.0))
    lm = _landmarks(0.0)
    lm[5, :2] = [900.0, 900.0]  # an occluded wrist jumping away
    lm[5, 3] = 0.1
    out = s.apply(1 / 30, lm)
    assert out is not None
    np.testing.assert_allclose(out[5, :2], [900.0, 900.0])  # reported raw, not smeared
    np.testing.assert_allclose(out[:5, :2], _landmarks(0.0)[:5, :2])  # others unaffected
    back = s.apply(2 / 30, _landmarks(0.0))
    assert back is not None
    np.testing.assert_allclose(back[5, :2], _landmarks(0.0)[5, :2])  # no pull from 900
