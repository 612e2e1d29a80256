"""Email through SendGrid's real client against a local stand-in speaking its v3 API; outbox otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.config import Settings
from app.core.email import EmailDeliveryError, EmailMessage, read_outbox, send_email
from tests.support.sendgrid_standin import SendGridStandIn


@pytest.fixture
def sendgrid() -> Iterator[tuple[str, SendGridStandIn]]:
    stand_in = SendGridStandIn().start()
    yield stand_in.url, stand_in
    stand_in.stop()


def test_sendgrid_receives_the_message_with_our_key(sendgrid: tuple[str, Any]) -> None:
    base, handler = sendgrid
    settings = Settings(sendgrid_api_key="SG.test-key", sendgrid_api_base=base, email_from="dojo@example.com")  # type: ignore[arg-type]
    message_id = send_email(
        EmailMessage(to="aiko@example.com", subject="Hi", text="Body", html="<p>Body</p>"), settings
    )
    request = handler.received[0]
    assert message_id == request["mail"]["id"]  # SendGrid's X-Message-Id
    assert request["path"] == "/v3/mail/send"
    assert request["auth"] == "Bearer SG.test-key"
    assert request["body"]["personalizations"][0]["to"][0]["email"] == "aiko@example.com"
    assert request["body"]["from"]["email"] == "dojo@example.com"
    assert {c["type"] for c in request["body"]["content"]} == {"text/plain", "text/html"}


def test_sendgrid_failure_is_a_retryable_delivery_error(sendgrid: tuple[str, Any]) -> None:
    base, handler = sendgrid
    handler.status = 503
    settings = Settings(sendgrid_api_key="SG.k", sendgrid_api_base=base)  # type: ignore[arg-type]
    with pytest.raises(EmailDeliveryError):
        send_email(EmailMessage(to="a@example.com", subject="s", text="t"), settings)


def test_without_sendgrid_the_message_lands_in_the_outbox(tmp_path: Path) -> None:
    settings = Settings(outbox_dir=tmp_path)
    send_email(
        EmailMessage(to="b@example.com", subject="Verify", text="open http://x/verify-email?token=abc"),
        settings,
    )
    [message] = read_outbox(tmp_path, to="b@example.com")
    assert message["subject"] == "Verify" and "token=abc" in str(message["text"])
