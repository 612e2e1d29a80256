"""A simple, explained forecast: seasonal-naive with a weekly season (each future day repeats the
same weekday of the last observed week), scored by a backtest on the most recent days held out.

Daily views and revenue of a video platform move with the weekday far more than with anything a
small model could learn from a few months; seasonal-naive is the standard baseline for that and
its error is easy to read. The method name and the backtest error are returned with the numbers
so the page can label them.
"""

from __future__ import annotations

from dataclasses import dataclass

SEASON_DAYS = 7
METHOD = "seasonal-naive (weekly)"
FALLBACK_METHOD = "mean of the history"


@dataclass(frozen=True)
class Forecast:
    method: str
    values: list[float]
    backtest_mae: float | None  # mean absolute error over the held-out days
    backtest_mape_pct: float | None  # mean absolute percentage error over held-out days with data
    backtest_days: int


def predict(history: list[float], horizon: int) -> tuple[str, list[float]]:
    if len(history) >= SEASON_DAYS:
        last_week = history[-SEASON_DAYS:]
        return METHOD, [last_week[h % SEASON_DAYS] for h in range(horizon)]
    mean = sum(history) / len(history) if history else 0.0
    return FALLBACK_METHOD, [mean] * horizon


def errors(actual: list[float], predicted: list[float]) -> tuple[float | None, float | None]:
    """(MAE, MAPE %) of a prediction; MAPE skips days whose actual value is 0."""
    if not actual:
        return None, None
    mae = sum(abs(a - p) for a, p in zip(actual, predicted, strict=True)) / len(actual)
    relative = [abs(a - p) / abs(a) for a, p in zip(actual, predicted, strict=True) if a != 0]
    mape = 100 * sum(relative) / len(relative) if relative else None
    return mae, mape


def forecast(history: list[float], horizon: int = 30, max_backtest: int = 30) -> Forecast:
    """The next `horizon` days after `history` (one value per day, oldest first); the backtest
    predicts the last `k` known days from the days before them (k ≤ max_backtest, leaving at
    least one season to learn from)."""
    method, values = predict(history, horizon)
    k = min(max_backtest, len(history) - SEASON_DAYS)
    if k < 1:
        return Forecast(method, values, None, None, 0)
    _, predicted = predict(history[:-k], k)
    mae, mape = errors(history[-k:], predicted)
    return Forecast(method, values, mae, mape, k)
