"""Property-based: for any sequence of sales, refunds and lost disputes, every ledger entry and
every total satisfies gross = net + Stripe fee + platform fee, and nothing is reversed twice."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.auth.models import User
from app.commerce import ledger
from app.commerce.events import (
    Ctx,
    Effects,
    on_charge_refunded,
    on_checkout_completed,
    on_dispute,
    on_payment_intent_succeeded,
)
from app.commerce.models import LedgerEntry, Purchase
from app.db.session import sync_session

from .conftest import purchase_row

amounts = st.integers(min_value=1, max_value=10_000_000)
bps = st.integers(min_value=0, max_value=10_000)


@given(
    sale=amounts,
    fee_bps=bps,
    stripe_fee=st.integers(0, 100_000),
    steps=st.lists(st.integers(0, 10_000_000), max_size=12),
)
def test_any_sequence_of_refunds_keeps_every_sum(
    sale: int, fee_bps: int, stripe_fee: int, steps: list[int]
) -> None:
    entries = [ledger.sale(sale, fee_bps), ledger.stripe_fee(stripe_fee)]
    reversed_so_far = 0
    cumulative = 0
    highest_reported = 0
    for step in steps:  # cumulative "amount refunded so far" as Stripe reports it, any order
        cumulative = max(cumulative, step) if step % 3 else step
        highest_reported = max(highest_reported, cumulative)
        entry = ledger.reversal(sale, fee_bps, reversed_so_far, cumulative)
        if entry is not None:
            entries.append(entry)
            reversed_so_far -= entry.gross_cents
        # Re-applying the same state adds nothing.
        assert ledger.reversal(sale, fee_bps, reversed_so_far, min(cumulative, sale)) is None
    for e in entries:
        assert e.net_cents + e.stripe_fee_cents + e.platform_fee_cents == e.gross_cents
    # Against a model that does not look at the entries: the most ever reported refunded
    # (capped at the sale) is reversed, once, whatever order the reports came in.
    expected_reversed = min(sale, highest_reported)
    expected_platform = ledger.platform_fee(sale, fee_bps) - ledger.platform_fee(expected_reversed, fee_bps)
    assert sum(e.gross_cents for e in entries) == sale - expected_reversed
    assert sum(e.platform_fee_cents for e in entries) == expected_platform
    assert sum(e.stripe_fee_cents for e in entries) == stripe_fee
    assert sum(e.net_cents for e in entries) == sale - expected_reversed - stripe_fee - expected_platform


@st.composite
def purchase_story(draw: st.DrawFn) -> tuple[int, int | None, list[tuple[str, int]]]:
    price = draw(st.integers(100, 50_000))
    fee = draw(st.one_of(st.none(), st.integers(0, 2_000)))
    actions = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["paid", "refund", "dispute_lost", "dispute_won"]), st.integers(0, price)
            ),
            min_size=1,
            max_size=8,
        )
    )
    return price, fee, actions


_PEOPLE: list[User] = []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(story=purchase_story())
@example(story=(1000, 30, [("paid", 0), ("dispute_lost", 400)]))  # a lost dispute is reversed
@example(story=(1000, None, [("dispute_lost", 400), ("paid", 0)]))  # ... also when it came first
@example(story=(1000, 30, [("paid", 0), ("refund", 700), ("dispute_lost", 600), ("dispute_won", 50)]))
def test_the_stored_ledger_balances_for_any_event_story(
    story: tuple[int, int | None, list[tuple[str, int]]], make_user: Callable[..., User]
) -> None:
    """The same property through the real event handlers and database, events in any order,
    repeated at will (refund amounts are Stripe's cumulative amount_refunded)."""
    price, fee, actions = story
    if not _PEOPLE:
        _PEOPLE.extend([make_user(), make_user()])
    buyer, teacher = _PEOPLE
    shapes = purchase_row(buyer, teacher, price)
    refunded = 0
    lost = 0
    deferred: list[tuple[int, str, int]] = []

    def apply(n: int, what: str, amount: int) -> str:
        ctx = Ctx(event_id=f"evt_{n}", type=what, created=1_700_000_000 + n, effects=Effects())
        with sync_session() as s:
            if what == "paid":
                on_checkout_completed(s, shapes.checkout_completed(), ctx)
                return on_payment_intent_succeeded(s, shapes.pi_succeeded(fee=fee), ctx)
            if what == "refund":
                return on_charge_refunded(s, shapes.charge_refunded(amount), ctx)
            status = "lost" if what == "dispute_lost" else "won"
            dispute = shapes.dispute(status, dispute_id=f"dp_{shapes.tag}_{n}", amount=amount)
            return on_dispute(s, dispute, ctx)

    for n, (what, amount) in enumerate(actions):
        if what == "refund":
            refunded = max(refunded, amount)
            amount = refunded  # Stripe reports the cumulative amount refunded
        elif what == "dispute_lost":
            lost += amount
        if apply(n, what, amount) == "deferred":
            deferred.append((n, what, amount))
        # As in production, events that came before the payment was known are applied again.
        deferred = [step for step in deferred if apply(*step) == "deferred"]
    with sync_session() as s:
        entries = list(s.scalars(select(LedgerEntry).where(LedgerEntry.purchase_id == shapes.purchase_id)))
        purchase = s.get(Purchase, shapes.purchase_id)
        assert purchase is not None
    for e in entries:
        assert e.net_cents + e.stripe_fee_cents + e.platform_fee_cents == e.gross_cents
    by_type = {t: [e for e in entries if e.entry_type.value == t] for t in ("sale", "stripe_fee")}
    if purchase.paid_at is None:
        assert entries == []
        return
    assert deferred == []
    # A model that never reads the ledger: refunds (Stripe's cumulative figure) and every lost
    # dispute are reversed, together never more than the sale.
    expected_reversed = min(price, refunded + lost)
    expected_platform = ledger.platform_fee(price, 2000) - ledger.platform_fee(expected_reversed, 2000)
    assert sum(e.gross_cents for e in entries) == price - expected_reversed
    assert sum(e.platform_fee_cents for e in entries) == expected_platform
    assert sum(e.stripe_fee_cents for e in entries) == (fee or 0)
    assert len(by_type["sale"]) == 1
    assert len(by_type["stripe_fee"]) == (0 if fee is None else 1)


def test_platform_fee_rounds_half_up() -> None:
    assert (
        ledger.platform_fee(1, 5000) == 1
        and ledger.platform_fee(3, 1667) == 1
        and ledger.platform_fee(999, 2000) == 200
    )
