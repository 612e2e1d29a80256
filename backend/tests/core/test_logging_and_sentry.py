from __future__ import annotations

import json
from typing import Any

import pytest
import structlog

from app.core.config import Settings
from app.core.logging import configure_logging, redact_secrets
from app.core.sentry import init_sentry, scrub_event


def test_json_logs_carry_the_event_name_and_bound_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(_env_file=None, log_format="json", log_level="INFO"))  # type: ignore[call-arg]
    structlog.contextvars.bind_contextvars(request_id="req-123")
    try:
        structlog.get_logger("test").info("user_logged_in", user_id="u1", password="hunter2")
    finally:
        structlog.contextvars.clear_contextvars()
        configure_logging(Settings(_env_file=None, log_level="WARNING"))  # type: ignore[call-arg]
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["event"] == "user_logged_in"
    assert line["request_id"] == "req-123" and line["user_id"] == "u1"
    assert line["password"] == "[redacted]"


def test_secret_looking_fields_never_reach_the_log() -> None:
    event: dict[str, Any] = {
        "event": "x", "refresh_token": "abc", "Authorization": "Bearer z", "stripe_signature": "t=1",
        "api_key": "k", "status": 200,
    }  # fmt: skip
    cleaned = redact_secrets(None, "info", event)
    assert cleaned["status"] == 200
    assert {cleaned[k] for k in ("refresh_token", "Authorization", "stripe_signature", "api_key")} == {
        "[redacted]"
    }


def test_sentry_events_are_scrubbed_of_credentials_and_personal_data() -> None:
    event: dict[str, Any] = {
        "request": {
            "headers": {
                "Authorization": "Bearer secret",
                "Cookie": "s=1",
                "Stripe-Signature": "t=1",
                "Accept": "*/*",
            },
            "cookies": {"s": "1"},
            "data": {"password": "hunter2"},
        },
        "user": {"id": "u1", "email": "aiko@example.com", "ip_address": "203.0.113.9"},
    }
    scrubbed = scrub_event(event, {})
    headers = scrubbed["request"]["headers"]
    assert headers["Authorization"] == headers["Cookie"] == headers["Stripe-Signature"] == "[redacted]"
    assert headers["Accept"] == "*/*"
    assert "cookies" not in scrubbed["request"] and scrubbed["request"]["data"] == "[redacted]"
    assert scrubbed["user"] == {"id": "u1"}


def test_sentry_stays_off_without_a_dsn() -> None:
    assert init_sentry(Settings(_env_file=None), component="api") is False  # type: ignore[call-arg]
