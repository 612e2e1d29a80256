"""Platform-level tasks: the smoke test that proves a worker runs, and email delivery."""

from __future__ import annotations

import os
import socket
from typing import Any

from app.core.email import EmailDeliveryError, EmailMessage, send_email
from app.worker.celery_app import celery_app


@celery_app.task(name="default.ping")
def ping(payload: str) -> dict[str, Any]:
    """Echo back with the worker's identity: proves a real worker process consumed the message."""
    return {"echo": payload, "pid": os.getpid(), "host": socket.gethostname()}


@celery_app.task(
    name="default.send_email",
    autoretry_for=(EmailDeliveryError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_email_task(message: dict[str, Any]) -> str:
    return send_email(EmailMessage(**message))
