"""Outgoing email: SendGrid when SENDGRID_API_KEY is set, a file outbox otherwise.

The outbox (var/outbox/*.json) holds every message exactly as a user would receive it, links
included, so a developer (or an end-to-end test) can click through verification and resets.
Message bodies carry one-time tokens, so only the recipient domain and subject reach the logs.

Messages are written with :func:`render_email`: the texts come from the platform catalogue
(``app/locales``, it/en) in the recipient's language, and the HTML part escapes *everything* it
puts on the page — catalogue text and values alike — so a display name or a title can never add
markup, links or scripts to a mail.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import structlog

from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.i18n import t
from app.core.ids import uuid7

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str | None = None
    tags: list[str] = field(default_factory=list)


class EmailDeliveryError(Exception):
    """A transient delivery failure (the caller's task retries)."""


@dataclass(frozen=True)
class EmailTemplate:
    """A mail made of catalogue texts: `<key>.subject`, the paragraphs `<key>.<name>` before and
    after one optional call-to-action link labelled `<key>.<action>`."""

    key: str
    before: Sequence[str]
    action: str | None = None
    after: Sequence[str] = ()


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def render_email(
    template: EmailTemplate, lang: str | None, *, to: str, link: str | None = None, **params: object
) -> EmailMessage:
    """The message in `lang` (it/en; anything else falls back to English)."""

    def text(name: str) -> str:
        return t(f"{template.key}.{name}", lang, **params)

    # One line, whatever the values hold: no header tricks through a subject.
    subject = _CONTROL.sub(" ", text("subject")).strip()
    before = [text(name) for name in template.before]
    after = [text(name) for name in template.after]
    plain = list(before)
    page = [f"<p>{html.escape(p)}</p>" for p in before]
    if template.action and link:
        label = text(template.action)
        plain.append(f"{label}:\n{link}")
        page.append(f'<p><a href="{html.escape(link, quote=True)}">{html.escape(label)}</a></p>')
    plain += after
    page += [f"<p>{html.escape(p)}</p>" for p in after]
    return EmailMessage(to=to, subject=subject, text="\n\n".join(plain), html="\n".join(page))


def task_payload(message: EmailMessage) -> dict[str, object]:
    """What the "default.send_email" task takes (its argument must be JSON)."""
    return {"to": message.to, "subject": message.subject, "text": message.text, "html": message.html}


def send_email(message: EmailMessage, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.sendgrid_api_key is not None:
        return _send_sendgrid(message, settings)
    return _write_outbox(message, settings.effective_outbox_dir)


def _send_sendgrid(message: EmailMessage, settings: Settings) -> str:
    from python_http_client.exceptions import HTTPError
    from sendgrid import SendGridAPIClient
    from sendgrid.helpers.mail import Mail

    assert settings.sendgrid_api_key is not None
    mail = Mail(
        from_email=settings.email_from,
        to_emails=message.to,
        subject=message.subject,
        plain_text_content=message.text,
        html_content=message.html,
    )
    client = SendGridAPIClient(settings.sendgrid_api_key.get_secret_value(), host=settings.sendgrid_api_base)
    try:
        response = client.send(mail)
    except HTTPError as exc:
        status = getattr(exc, "status_code", 0)
        log.warning("email_send_failed", provider="sendgrid", status=status)
        raise EmailDeliveryError(f"SendGrid answered {status}") from exc
    message_id = str(response.headers.get("X-Message-Id", "")) if response.headers else ""
    log.info(
        "email_sent",
        provider="sendgrid",
        subject=message.subject,
        to_domain=message.to.rsplit("@", 1)[-1],
    )
    return message_id


def _write_outbox(message: EmailMessage, outbox: Path) -> str:
    outbox.mkdir(parents=True, exist_ok=True)
    message_id = str(uuid7())
    path = outbox / f"{message_id}.json"
    record = {"id": message_id, "sent_at": utcnow().isoformat(), **asdict(message)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2))
    tmp.replace(path)
    log.info(
        "email_outbox",
        subject=message.subject,
        to_domain=message.to.rsplit("@", 1)[-1],
        file=str(path),
    )
    return message_id


def read_outbox(outbox: Path, *, to: str | None = None) -> list[dict[str, object]]:
    """Messages in the outbox, oldest first (ids are time-sortable)."""
    if not outbox.is_dir():
        return []
    messages = [json.loads(p.read_text()) for p in sorted(outbox.glob("*.json"))]
    return [m for m in messages if to is None or m["to"] == to]
