"""A local stand-in for api.stripe.com: the one copy used by the commerce tests, `make prod-local`
(tests/prodlocal), the fault drills and `make load`.

It speaks the part of Stripe's REST API the app calls (form-encoded requests, Bearer secret key,
Idempotency-Key replays, JSON objects and Stripe's error envelope) and records every request.
Like the Stripe CLI's `stripe trigger`, it can also *send* the webhook Stripe would send: a
signed `checkout.session.completed` for a session it created, POSTed to the app's endpoint.

    python -m tests.support.stripe_standin --port 12111 \\
        --webhook-url https://127.0.0.1:8443/api/v1/webhooks/stripe --webhook-secret whsec_... \\
        [--ca-file cert.pem]
    POST /_standin/checkout/sessions/<cs_id>/complete   -> delivers the signed event, answers
                                                           {"delivered": <status>, "event_id": ...}
    POST /_standin/events  (body: an event object)      -> delivers that event, signed
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import signal
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CONTROL_PREFIX = "/_standin"


def sign_webhook(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    stamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def event_envelope(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """A v1 snapshot event as Stripe delivers it."""
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_{uuid.uuid4().hex[:14]}", "idempotency_key": None},
        "type": event_type,
    }


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]


def _nested(form: dict[str, str], name: str) -> dict[str, str]:
    """`metadata[k]=v` form fields -> {k: v}."""
    start = f"{name}["
    return {k[len(start) : -1]: v for k, v in form.items() if k.startswith(start) and k.count("[") == 1}


def _invalid(message: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": message}}


class StripeStandIn:
    """Answers like api.stripe.com for our calls and records every request."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_url: str = "",
        webhook_secret: str = "",
        ca_file: str | None = None,
    ) -> None:
        self.requests: list[Recorded] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.fees: dict[str, int] = {}
        self.coupons: dict[str, dict[str, Any]] = {}
        self.promotion_codes: dict[str, dict[str, Any]] = {}  # by customer-facing code
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.ca_file = ca_file
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:12]}")
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                raw = body.decode()
                if url.path.startswith(CONTROL_PREFIX):
                    self._reply(*stand_in.control(method, url.path[len(CONTROL_PREFIX) :], body))
                    return
                rec = Recorded(
                    method=method,
                    path=url.path,
                    query=dict(parse_qsl(url.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    form=dict(parse_qsl(raw, keep_blank_values=True)),
                )
                with stand_in.lock:
                    stand_in.requests.append(rec)
                    status, body = stand_in.respond(rec)
                self._reply(status, body)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle
    def start(self) -> StripeStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the REST API
    def respond(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        if not rec.headers.get("authorization", "").startswith("Bearer sk_test_"):
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
        key = rec.headers.get("idempotency-key")
        if rec.method == "POST" and key and key in self.by_key:
            return 200, self.by_key[key]
        tag = uuid.uuid4().hex[:20]
        body: dict[str, Any]
        if rec.method == "POST" and rec.path == "/v1/checkout/sessions":
            body = {
                "id": f"cs_test_{tag}",
                "object": "checkout.session",
                "mode": rec.form.get("mode"),
                "url": f"https://checkout.stripe.test/c/pay/cs_test_{tag}",
                "metadata": _nested(rec.form, "metadata"),
            }
            self.sessions[body["id"]] = {"form": rec.form, "tag": tag}
        elif (
            rec.method == "POST"
            and rec.path.startswith("/v1/checkout/sessions/")
            and rec.path.endswith("/expire")
        ):
            body = {"id": rec.path.split("/")[4], "object": "checkout.session", "status": "expired"}
        elif rec.method == "POST" and rec.path == "/v1/refunds":
            body = {
                "id": f"re_{tag}",
                "object": "refund",
                "status": "succeeded",
                "payment_intent": rec.form.get("payment_intent"),
                "amount": int(rec.form.get("amount") or 0),
            }
        elif rec.method == "POST" and rec.path == "/v1/billing_portal/sessions":
            body = {
                "id": f"bps_{tag}",
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/{tag}",
            }
        elif rec.method == "POST" and rec.path == "/v1/coupons":
            if not (rec.form.get("percent_off") or rec.form.get("amount_off")) or not rec.form.get(
                "duration"
            ):
                return 400, _invalid("percent_off or amount_off, and duration, are required")
            body = {
                "id": f"co_{tag}",
                "object": "coupon",
                "percent_off": float(rec.form.get("percent_off") or 0) or None,
                "duration": rec.form["duration"],
                "max_redemptions": int(rec.form["max_redemptions"])
                if rec.form.get("max_redemptions")
                else None,
                "metadata": _nested(rec.form, "metadata"),
            }
            self.coupons[body["id"]] = body
        elif rec.method == "POST" and rec.path == "/v1/promotion_codes":
            # API versions from 2025-09-30: the coupon is named under promotion[...]
            coupon = rec.form.get("promotion[coupon]")
            if rec.form.get("promotion[type]") != "coupon" or coupon not in self.coupons:
                return 400, _invalid("promotion[type]=coupon and an existing promotion[coupon] are required")
            code = rec.form.get("code") or f"AUTO{tag[:8].upper()}"
            if code.upper() in self.promotion_codes:
                return 400, _invalid("An active promotion code with that code already exists.")
            body = {
                "id": f"promo_{tag}",
                "object": "promotion_code",
                "code": code,
                "active": True,
                "promotion": {"type": "coupon", "coupon": coupon},
                "max_redemptions": int(rec.form["max_redemptions"])
                if rec.form.get("max_redemptions")
                else None,
                "metadata": _nested(rec.form, "metadata"),
            }
            self.promotion_codes[code.upper()] = body
        elif rec.method == "GET" and rec.path.startswith("/v1/charges/"):
            charge_id = rec.path.rsplit("/", 1)[1]
            fee = self.fees.get(charge_id)
            txn: Any = (
                {"id": f"txn_{tag}", "object": "balance_transaction", "fee": fee} if fee is not None else None
            )
            return 200, {"id": charge_id, "object": "charge", "balance_transaction": txn}
        else:
            return 404, {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"Unrecognized request URL ({rec.path})",
                }
            }
        if key:
            self.by_key[key] = body
        return 200, body

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- what Stripe sends back: signed webhook deliveries
    def completed_session(self, session_id: str) -> dict[str, Any]:
        """The checkout.session object of a paid session this stand-in created."""
        with self.lock:
            stored = self.sessions.get(session_id)
        if stored is None:
            raise KeyError(session_id)
        form, tag = stored["form"], stored["tag"]
        amount = sum(
            int(form.get(f"line_items[{i}][price_data][unit_amount]", "0"))
            * int(form.get(f"line_items[{i}][quantity]", "1"))
            for i in range(20)
            if f"line_items[{i}][price_data][unit_amount]" in form
        )
        return {
            "id": session_id,
            "object": "checkout.session",
            "mode": form.get("mode", "payment"),
            "status": "complete",
            "payment_status": "paid",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": form.get("line_items[0][price_data][currency]", "usd"),
            "customer": f"cus_{tag[:14]}",
            "client_reference_id": form.get("client_reference_id"),
            "payment_intent": f"pi_{tag}",
            "subscription": None,
            "metadata": _nested(form, "metadata"),
        }

    def deliver(self, event: dict[str, Any], *, timeout: float = 30.0) -> int:
        """POST a signed event to the webhook URL, as Stripe does; returns the HTTP status."""
        if not (self.webhook_url and self.webhook_secret):
            raise RuntimeError("the stand-in has no webhook URL/secret to deliver to")
        payload = json.dumps(event).encode()
        request = urllib.request.Request(
            self.webhook_url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign_webhook(payload, self.webhook_secret),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        context = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    def control(self, method: str, path: str, body: bytes = b"") -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["events"]:  # deliver any event object, signed
            event = json.loads(body)
            return 200, {"delivered": self.deliver(event), "event_id": event.get("id")}
        if method == "POST" and len(parts) == 4 and parts[:2] == ["checkout", "sessions"]:
            if parts[3] != "complete":
                return 404, {"error": {"message": f"unknown action {parts[3]}"}}
            try:
                obj = self.completed_session(parts[2])
            except KeyError:
                return 404, {"error": {"message": f"no session {parts[2]}"}}
            event = event_envelope("checkout.session.completed", obj)
            return 200, {"delivered": self.deliver(event), "event_id": event["id"]}
        return 404, {"error": {"message": f"unknown control path {path}"}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.stripe_standin")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--webhook-secret", default="")
    parser.add_argument("--ca-file", default=None, help="CA bundle trusted for the webhook URL")
    args = parser.parse_args(argv)
    stand_in = StripeStandIn(
        host=args.host,
        port=args.port,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        ca_file=args.ca_file,
    )
    print(f"stripe stand-in on {stand_in.url}", flush=True)
    serve_until_signalled(stand_in.start().stop)
    return 0


def serve_until_signalled(stop: Callable[[], None]) -> None:
    """Block until SIGTERM or SIGINT, then call `stop` (the servers run in their own threads)."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    stop()


if __name__ == "__main__":
    raise SystemExit(main())
