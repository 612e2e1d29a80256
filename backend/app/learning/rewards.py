"""Claiming an unlocked reward: its code becomes a one-use Stripe promotion code (through
commerce's Stripe client, app/commerce/gateway.py). Without a Stripe key (development, embedded)
the payment sandbox plays Stripe, so the code is only recorded as a sandbox code.

The call carries an idempotency key derived from the grant id: a retried or doubled claim makes
one code at Stripe. Synchronous (the Stripe library); the API runs it in a thread.
"""

from __future__ import annotations

from app.commerce import gateway
from app.learning.service import ClaimPlan


def create_code(plan: ClaimPlan) -> str:
    """The provider's id of the promotion code for `plan`."""
    if gateway.is_sandbox():
        return f"sandbox_{plan.grant_id}"
    return gateway.create_promotion_code(
        code=plan.code,
        percent_off=plan.percent_off,
        idempotency_key=f"mamc-reward-{plan.grant_id}",
        metadata={"grant_id": str(plan.grant_id), "instructor_id": str(plan.instructor_id)},
    )
