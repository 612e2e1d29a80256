"""Sentry for the API and the workers, only when SENTRY_DSN is set; PII scrubbed before send."""

from __future__ import annotations

from typing import Any

from app.core.config import Settings

_SCRUB_HEADERS = {"authorization", "cookie", "stripe-signature", "x-api-key"}


def scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request") or {}
    headers = request.get("headers") or {}
    for name in list(headers):
        if name.lower() in _SCRUB_HEADERS:
            headers[name] = "[redacted]"
    request.pop("cookies", None)
    if "data" in request:
        request["data"] = "[redacted]"
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user.get("id")}
    return event


def init_sentry(settings: Settings, *, component: str) -> bool:
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.app_env,
        release=settings.sentry_release,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        send_default_pii=False,
        before_send=scrub_event,  # type: ignore[arg-type]
    )
    sentry_sdk.set_tag("component", component)
    return True
