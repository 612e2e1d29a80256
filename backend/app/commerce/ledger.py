"""Earnings arithmetic, pure (no database): what each ledger entry of a sale says.

Every entry satisfies gross = stripe_fee + platform_fee + net. Reversals (refunds, lost
disputes) are computed from cumulative totals, so applying "the charge has now X refunded"
any number of times, in any order, posts each cent once and the platform's cumulative fee is
always fee(sold) - fee(reversed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Amounts:
    gross_cents: int
    stripe_fee_cents: int
    platform_fee_cents: int
    net_cents: int


def platform_fee(amount_cents: int, bps: int) -> int:
    """Platform share of a non-negative amount, rounded half up to a whole minor unit."""
    if amount_cents < 0:
        raise ValueError("platform_fee takes a non-negative amount")
    return (amount_cents * bps + 5_000) // 10_000


def sale(amount_cents: int, bps: int) -> Amounts:
    fee = platform_fee(amount_cents, bps)
    return Amounts(amount_cents, 0, fee, amount_cents - fee)


def stripe_fee(fee_cents: int) -> Amounts:
    """Stripe's processing fee, borne by the instructor's net."""
    return Amounts(0, fee_cents, 0, -fee_cents)


def reversal(sale_cents: int, bps: int, reversed_before: int, reversed_target: int) -> Amounts | None:
    """Entry that brings the sale's reversed total from `reversed_before` to `reversed_target`
    (capped at the sale amount). None when there is nothing new to reverse."""
    target = min(max(reversed_target, 0), sale_cents)
    if target <= reversed_before:
        return None
    delta = target - reversed_before
    fee_delta = platform_fee(target, bps) - platform_fee(reversed_before, bps)
    return Amounts(-delta, 0, -fee_delta, -delta + fee_delta)
