"""Stripe webhook ingest benchmark: our endpoint vs a bare signature-checking endpoint, same run.

Posts N correctly signed Stripe events (real payload shapes: checkout.session.completed,
payment_intent.succeeded with the fee, charge.refunded, plus an unknown type), a share of them
delivered twice, to the real ASGI app (POST /api/v1/webhooks/stripe: verify, store by event id,
enqueue), then drains the queue through the worker's task body, and compares with a minimal
FastAPI endpoint that only runs stripe.Webhook.construct_event on the same deliveries.

Prints events/s of both and their ratio, the apply rate, and the exactly-once report: stored
events, purchases paid, sale/fee/refund ledger rows and entitlements, each against what it
must be. Exits 1 if any count is off.

    uv run python tests/bench/bench_webhooks.py [--purchases 300] [--dup-share 0.25]
Embedded SQLite by default (a temporary var dir); set DATABASE_URL to bench Postgres.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
WARMUP = 20
sys.path.insert(0, str(REPO / "backend"))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="mamc-bench-webhooks-"))
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["APP_ENV"] = "test"
os.environ.pop("STRIPE_SECRET_KEY", None)  # sandbox secret; signatures are still the real scheme

import httpx  # noqa: E402
import stripe  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402


def migrate() -> None:
    from alembic.config import Config

    from alembic import command

    config = Config(str(REPO / "backend" / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "backend" / "alembic"))
    command.upgrade(config, "heads")


def seed(purchases: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Users, an instructor and pending purchases (what POST /checkout leaves behind)."""
    from app.auth.models import Role, User
    from app.commerce.models import Purchase, PurchaseKind
    from app.db.session import sync_session

    rows: list[dict[str, Any]] = []
    with sync_session() as s:
        teacher = User(
            email=f"t-{uuid.uuid4().hex[:8]}@bench.local",
            display_name="T",
            password_hash="x",
            role=Role.instructor,
        )
        s.add(teacher)
        s.flush()
        buyers = [
            User(email=f"b{i}-{uuid.uuid4().hex[:6]}@bench.local", display_name="B", password_hash="x")
            for i in range(50)
        ]
        s.add_all(buyers)
        s.flush()
        for i in range(purchases):
            buyer = buyers[i % len(buyers)]
            p = Purchase(
                user_id=buyer.id,
                video_id=uuid.uuid4(),
                instructor_id=teacher.id,
                kind=PurchaseKind.ppv,
                amount_cents=1000 + i,
                currency="usd",
                platform_fee_bps=2000,
                checkout_session_id=f"cs_bench_{uuid.uuid4().hex}",
            )
            s.add(p)
            s.flush()
            rows.append(
                {
                    "id": str(p.id),
                    "user": str(buyer.id),
                    "video": str(p.video_id),
                    "amount": p.amount_cents,
                    "cs": p.checkout_session_id,
                    "tag": uuid.uuid4().hex[:16],
                }
            )
    return rows, {"teacher": teacher.id}


def build_events(rows: list[dict[str, Any]], refund_share: float) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    now = int(time.time())

    def evt(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2025-03-31.basil",
            "created": now,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    for i, r in enumerate(rows):
        md = {
            "mamc_kind": "purchase",
            "mamc_purchase_id": r["id"],
            "mamc_user_id": r["user"],
            "mamc_video_id": r["video"],
        }
        pi, ch = f"pi_{r['tag']}", f"ch_{r['tag']}"
        events.append(
            evt(
                "checkout.session.completed",
                {
                    "id": r["cs"],
                    "object": "checkout.session",
                    "mode": "payment",
                    "status": "complete",
                    "payment_status": "paid",
                    "amount_total": r["amount"],
                    "currency": "usd",
                    "customer": f"cus_{r['tag']}",
                    "payment_intent": pi,
                    "metadata": md,
                },
            )
        )
        events.append(
            evt(
                "payment_intent.succeeded",
                {
                    "id": pi,
                    "object": "payment_intent",
                    "amount": r["amount"],
                    "amount_received": r["amount"],
                    "currency": "usd",
                    "status": "succeeded",
                    "metadata": md,
                    "latest_charge": {
                        "id": ch,
                        "object": "charge",
                        "balance_transaction": {"id": f"txn_{r['tag']}", "fee": 59},
                    },
                },
            )
        )
        if i < int(len(rows) * refund_share):
            events.append(
                evt(
                    "charge.refunded",
                    {
                        "id": ch,
                        "object": "charge",
                        "amount": r["amount"],
                        "amount_refunded": r["amount"],
                        "refunded": True,
                        "currency": "usd",
                        "payment_intent": pi,
                    },
                )
            )
        if i % 10 == 0:
            events.append(evt("customer.tax_id.created", {"id": f"txi_{r['tag']}", "object": "tax_id"}))
    return events


def deliveries(events: list[dict[str, Any]], dup_share: float, secret: str) -> list[tuple[bytes, str]]:
    rng = random.Random(7)
    out = []
    for e in events:
        body = json.dumps(e).encode()
        out.append((body, stripe.WebhookSignature.generate_signature_header(body.decode(), secret)))
    dups = rng.sample(out, int(len(out) * dup_share))
    out.extend(dups)  # Stripe retries: the same event id again, later
    return out


def bare_app(secret: str) -> FastAPI:
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        payload = await request.body()
        stripe.Webhook.construct_event(
            payload, request.headers.get("stripe-signature"), secret, tolerance=300
        )
        return {"received": True}

    return app


async def post_all(app: Any, path: str, items: list[tuple[bytes, str]]) -> tuple[float, int]:
    transport = httpx.ASGITransport(app=app)
    bad = 0
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        for body, sig in items:
            r = await client.post(
                path, content=body, headers={"Stripe-Signature": sig, "Content-Type": "application/json"}
            )
            bad += r.status_code != 200
        elapsed = time.perf_counter() - started
    return elapsed, bad


def counts(teacher_id: uuid.UUID) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.commerce.models import LedgerEntry, Purchase, PurchaseStatus, StripeEvent
    from app.db.session import sync_session
    from app.entitlements.models import Entitlement

    with sync_session() as s:

        def n(stmt: Any) -> int:
            return int(s.scalar(stmt) or 0)

        return {
            "events_stored": n(select(func.count()).select_from(StripeEvent)),
            "events_unprocessed": n(
                select(func.count()).select_from(StripeEvent).where(StripeEvent.processed_at.is_(None))
            ),
            "paid": n(
                select(func.count()).select_from(Purchase).where(Purchase.status == PurchaseStatus.paid)
            ),
            "refunded": n(
                select(func.count()).select_from(Purchase).where(Purchase.status == PurchaseStatus.refunded)
            ),
            "ledger_sale": n(
                select(func.count()).select_from(LedgerEntry).where(LedgerEntry.entry_type == "sale")
            ),
            "ledger_fee": n(
                select(func.count()).select_from(LedgerEntry).where(LedgerEntry.entry_type == "stripe_fee")
            ),
            "ledger_refund": n(
                select(func.count()).select_from(LedgerEntry).where(LedgerEntry.entry_type == "refund")
            ),
            "entitlements": n(select(func.count()).select_from(Entitlement)),
            "gross_minus_parts": n(
                select(
                    func.sum(
                        LedgerEntry.gross_cents
                        - LedgerEntry.net_cents
                        - LedgerEntry.stripe_fee_cents
                        - LedgerEntry.platform_fee_cents
                    )
                )
            ),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--purchases", type=int, default=300)
    parser.add_argument(
        "--dup-share", type=float, default=0.25, help="share of events delivered a second time"
    )
    parser.add_argument("--refund-share", type=float, default=0.2)
    args = parser.parse_args()

    migrate()
    from sqlalchemy import select

    from app.commerce import events as commerce_events
    from app.commerce.gateway import webhook_secret
    from app.commerce.models import StripeEvent
    from app.db.session import sync_session
    from app.main import create_app
    from app.worker.celery_app import celery_app

    secret = webhook_secret()
    rows, ids = seed(args.purchases)
    events = build_events(rows, args.refund_share)
    items = deliveries(events, args.dup_share, secret)
    random.Random(11).shuffle(items)  # any order: refunds may come before their payment

    celery_app.conf.task_always_eager = False  # ingest as production: store + enqueue (broker)
    app, bare = create_app(), bare_app(secret)
    # Warm-up (imports, connection pools, statement caches) for both, outside the timings.
    warm = [
        {
            "id": f"evt_warm_{i}_{uuid.uuid4().hex[:8]}",
            "object": "event",
            "created": int(time.time()),
            "type": "customer.tax_id.created",
            "data": {"object": {"id": f"txi_w{i}", "object": "tax_id"}},
        }
        for i in range(WARMUP)
    ]
    warm_items = deliveries(warm, 0.0, secret)
    asyncio.run(post_all(bare, "/hook", warm_items))
    asyncio.run(post_all(app, "/api/v1/webhooks/stripe", warm_items))

    bare_s, bare_bad = asyncio.run(post_all(bare, "/hook", items))
    ours_s, ours_bad = asyncio.run(post_all(app, "/api/v1/webhooks/stripe", items))

    # Drain like a worker: each queued id through the task body (twice: duplicates are queued too).
    with sync_session() as s:
        pending = list(s.scalars(select(StripeEvent.event_id).order_by(StripeEvent.received_at)))
    started = time.perf_counter()
    for _ in range(3):  # deferred events (refund before payment) are re-applied on the next pass
        for event_id in pending:
            commerce_events.apply_stored_event(event_id)
    apply_s = time.perf_counter() - started

    c = counts(ids["teacher"])
    refunds = int(len(rows) * args.refund_share)
    expected = {
        "events_stored": len(events) + WARMUP,
        "events_unprocessed": 0,
        "paid": len(rows) - refunds,
        "refunded": refunds,
        "ledger_sale": len(rows),
        "ledger_fee": len(rows),
        "ledger_refund": refunds,
        "entitlements": len(rows),
        "gross_minus_parts": 0,
    }
    ours_rate, bare_rate = len(items) / ours_s, len(items) / bare_s
    db = os.environ.get("DATABASE_URL", "sqlite (embedded)").split("@")[-1]
    dups = len(items) - len(events)
    print(
        f"webhook ingest: {len(items)} deliveries ({len(events)} unique events, {dups} duplicates), db={db}"
    )
    ours, bare_ = f"{ours_rate:8.1f} events/s", f"{bare_rate:8.1f} events/s"
    print(f"  ours (verify + store by id + enqueue): {ours}  ({ours_s:.2f}s, non-200: {ours_bad})")
    print(f"  bare (stripe.Webhook.construct_event): {bare_}  ({bare_s:.2f}s, non-200: {bare_bad})")
    print(f"  ratio ours/bare: {ours_rate / bare_rate:.3f}")
    print(f"  apply (worker task body, incl. duplicate no-ops): {3 * len(pending) / apply_s:8.1f} calls/s")
    ok = ours_bad == 0 and bare_bad == 0
    print("exactly-once effect:")
    for key, want in expected.items():
        got = c[key]
        ok &= got == want
        print(f"  {key:20s} {got:6d}  expected {want:6d}  {'ok' if got == want else 'MISMATCH'}")
    print("RESULT:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
