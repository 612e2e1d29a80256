"""Talking to Stripe: the configured client, the webhook secret, and the few API calls we make.

Production: STRIPE_SECRET_KEY set → the official library's StripeClient (STRIPE_API_BASE lets
tests point it at a local stand-in for api.stripe.com). Development without a key → the sandbox
(app/commerce/sandbox.py) plays Stripe's part, signing its events with a secret derived from
SECRET_KEY, and everything after the signature check is the production path. The sandbox never
runs in production: the API refuses to start there without Stripe keys (core/config.py).

Calls here are synchronous (the library's HTTP client); async callers run them in a thread.
Every mutating call carries an Idempotency-Key derived from our own row id.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import stripe
import structlog

from app.core.config import Settings, get_settings
from app.core.errors import ServiceUnavailable
from app.core.security import derive_key

log = structlog.get_logger(__name__)


class PaymentProviderError(ServiceUnavailable):
    code = "payment_provider_error"


def is_sandbox(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return settings.stripe_secret_key is None or not settings.stripe_secret_key.get_secret_value()


def sandbox_enabled(settings: Settings | None = None) -> bool:
    """The sandbox checkout is mounted only in development (and the test suite), without a key."""
    settings = settings or get_settings()
    return settings.app_env in ("development", "test") and is_sandbox(settings)


def webhook_secret(settings: Settings | None = None) -> str:
    """The secret Stripe-Signature headers are checked against."""
    settings = settings or get_settings()
    if settings.stripe_webhook_secret is not None and settings.stripe_webhook_secret.get_secret_value():
        return settings.stripe_webhook_secret.get_secret_value()
    if not is_sandbox(settings):
        raise ServiceUnavailable(
            "Payments are misconfigured (no webhook secret).", code="webhook_secret_missing"
        )
    return f"whsec_sandbox_{derive_key(settings, 'stripe-sandbox-webhook').hex()[:40]}"


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, api_version: str) -> stripe.StripeClient:
    kwargs: dict[str, Any] = {"max_network_retries": 2}
    if api_base:
        kwargs["base_addresses"] = {"api": api_base.rstrip("/")}
    if api_version:
        kwargs["stripe_version"] = api_version
    return stripe.StripeClient(api_key, **kwargs)


def client(settings: Settings | None = None) -> stripe.StripeClient:
    settings = settings or get_settings()
    if is_sandbox(settings):
        raise RuntimeError("no Stripe client in sandbox mode")
    assert settings.stripe_secret_key is not None
    return _client(
        settings.stripe_secret_key.get_secret_value(), settings.stripe_api_base, settings.stripe_api_version
    )


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        result = fn(*args, **kwargs)
    except stripe.StripeError as exc:
        log.warning(
            "stripe_call_failed",
            call=what,
            status=exc.http_status,
            code=exc.code,
            error_type=type(exc).__name__,
        )
        if exc.http_status is not None and 400 <= exc.http_status < 500 and exc.http_status != 429:
            raise PaymentProviderError(
                f"The payment provider refused the request: {exc.user_message or exc.code or 'error'}.",
                code="payment_provider_rejected",
            ) from exc
        raise PaymentProviderError("The payment provider is unavailable; try again shortly.") from exc
    return dict(result.to_dict()) if hasattr(result, "to_dict") else dict(result)


def create_checkout_session(params: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    return _call(
        "checkout.sessions.create",
        client().v1.checkout.sessions.create,
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )


def expire_checkout_session(session_id: str) -> dict[str, Any]:
    return _call(
        "checkout.sessions.expire",
        client().v1.checkout.sessions.expire,
        session_id,
        options={"idempotency_key": f"mamc-expire-{session_id}"},
    )


def create_refund(
    payment_intent: str, *, amount: int | None, idempotency_key: str, metadata: dict[str, str]
) -> dict[str, Any]:
    params: dict[str, Any] = {"payment_intent": payment_intent, "metadata": metadata}
    if amount is not None:
        params["amount"] = amount
    return _call(
        "refunds.create",
        client().v1.refunds.create,
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )


def create_portal_session(customer_id: str, return_url: str, *, idempotency_key: str) -> dict[str, Any]:
    return _call(
        "billing_portal.sessions.create",
        client().v1.billing_portal.sessions.create,
        params={"customer": customer_id, "return_url": return_url},
        options={"idempotency_key": idempotency_key},
    )


def retrieve_charge_fee(charge_id: str) -> int | None:
    """Stripe's fee on a charge (its balance transaction), or None if not known yet."""
    charge = _call(
        "charges.retrieve",
        client().v1.charges.retrieve,
        charge_id,
        params={"expand": ["balance_transaction"]},
    )
    txn = charge.get("balance_transaction")
    if isinstance(txn, dict) and isinstance(txn.get("fee"), int):
        return int(txn["fee"])
    return None


def create_promotion_code(
    *, code: str, percent_off: int, idempotency_key: str, metadata: dict[str, str]
) -> str:
    """A one-use promotion code for `percent_off` off one payment (a one-use coupon behind it);
    checkout sessions accept it (allow_promotion_codes). Returns the promotion code's id."""
    coupon = _call(
        "coupons.create",
        client().v1.coupons.create,
        params={
            "percent_off": float(percent_off),
            "duration": "once",
            "max_redemptions": 1,
            "metadata": metadata,
        },
        options={"idempotency_key": f"{idempotency_key}-coupon"},
    )
    promotion = _call(
        "promotion_codes.create",
        client().v1.promotion_codes.create,
        params={
            "promotion": {"type": "coupon", "coupon": str(coupon["id"])},
            "code": code,
            "max_redemptions": 1,
            "metadata": metadata,
        },
        options={"idempotency_key": f"{idempotency_key}-promotion"},
    )
    return str(promotion["id"])
