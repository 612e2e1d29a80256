"""The forecast and its backtest error, on series whose answers are known."""

from __future__ import annotations

import pytest

from app.analytics import forecast as fc


def test_a_weekly_pattern_is_repeated_and_backtests_with_zero_error() -> None:
    week = [10.0, 12.0, 14.0, 16.0, 18.0, 30.0, 40.0]
    result = fc.forecast(week * 6, horizon=10)
    assert result.method == fc.METHOD
    assert result.values == (week * 2)[:10]
    assert result.backtest_days == 30
    assert result.backtest_mae == 0.0 and result.backtest_mape_pct == 0.0


def test_backtest_error_is_mean_absolute_and_percentage_error_of_the_held_out_days() -> None:
    history = [1.0] * 7 + [2.0] * 7  # the second week doubles: last-week repetition misses by 1 a day
    result = fc.forecast(history, horizon=3, max_backtest=7)
    assert result.backtest_days == 7
    assert result.backtest_mae == pytest.approx(1.0)
    assert result.backtest_mape_pct == pytest.approx(50.0)
    assert result.values == [2.0, 2.0, 2.0]


def test_errors_skip_zero_days_for_mape_and_short_history_falls_back_to_the_mean() -> None:
    assert fc.errors([0.0, 4.0], [1.0, 2.0]) == (1.5, 50.0)
    short = fc.forecast([3.0, 5.0], horizon=2)
    assert short.method == fc.FALLBACK_METHOD and short.values == [4.0, 4.0] and short.backtest_mae is None
