"""Mails escape what users typed and speak the user's language (issue 11, item 11); a completed
reset spends every outstanding reset link (item 12)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.core.email import EmailTemplate, render_email

STRONG = "Kata-sequence-2026"
HOSTILE = '<a href="https://evil.example/steal">Win</a><script>alert(1)</script> & "Co"'


def _token(message: dict[str, Any], path: str) -> str:
    match = re.search(rf"{path}\?token=([\w-]+)", str(message["text"]))
    assert match, message["text"]
    return match.group(1)


async def _register(client: httpx.AsyncClient, email: str, name: str, **extra: Any) -> httpx.Response:
    headers = extra.pop("headers", None)
    return await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": STRONG, "display_name": name, **extra},
        headers=headers,
    )


async def test_a_display_name_cannot_put_markup_into_a_mail(client: httpx.AsyncClient, outbox: Any) -> None:
    email = "hostile@example.com"
    assert (await _register(client, email, HOSTILE)).status_code == 201
    await client.post("/api/v1/auth/password-reset/request", json={"email": email})
    verify, reset = outbox(to=email)
    for message in (verify, reset):
        page = str(message["html"])
        assert (
            "<script" not in page
            and 'evil.example/steal">' not in page
            and '<a href="https://evil' not in page
        )
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp; &quot;Co&quot;" in page
        assert page.count("<a href=") == 1  # only our own link
        assert HOSTILE in str(message["text"])  # the plain part shows it as typed, harmlessly


def test_every_value_and_text_in_the_html_part_is_escaped() -> None:
    template = EmailTemplate(
        "email.verify", before=("greeting", "intro"), action="action", after=("validity",)
    )
    message = render_email(
        template, "en", to="a@example.com", link='https://x.test/?a=1&b="2"', name="<i>x</i>", count=2
    )
    assert '<a href="https://x.test/?a=1&amp;b=&quot;2&quot;">' in str(message.html)
    assert "&lt;i&gt;x&lt;/i&gt;" in str(message.html) and "<i>" not in str(message.html)
    assert "\n" not in message.subject


@pytest.mark.parametrize("name", ["Aiko\nClick https://evil.example", "Aiko\r\nBcc: x@y.z", "\u202eevil"])
async def test_display_names_with_line_breaks_or_control_characters_are_refused(
    client: httpx.AsyncClient, name: str
) -> None:
    resp = await _register(client, "ctrl@example.com", name)
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "validation_error"


async def test_mails_follow_the_users_language(client: httpx.AsyncClient, outbox: Any) -> None:
    email = "italiano@example.com"
    resp = await _register(client, email, "Aiko", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert resp.status_code == 201 and resp.json()["language"] == "it"
    [verify] = outbox(to=email)
    assert verify["subject"].startswith("Conferma la tua email") and "Ciao Aiko," in verify["text"]
    assert "Il link è valido per 48 ore." in verify["text"]

    login = await client.post("/api/v1/auth/login", json={"email": email, "password": STRONG})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    changed = await client.patch("/api/v1/me", json={"language": "en"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["language"] == "en"
    await client.post("/api/v1/auth/password-reset/request", json={"email": email})
    reset = outbox(to=email)[-1]
    assert reset["subject"].startswith("Reset your password") and "Hello Aiko," in reset["text"]


async def test_the_language_chosen_at_sign_up_wins_over_the_browser(
    client: httpx.AsyncClient, outbox: Any
) -> None:
    email = "english@example.com"
    resp = await _register(client, email, "Kano", language="en", headers={"Accept-Language": "it"})
    assert resp.json()["language"] == "en"
    assert outbox(to=email)[0]["subject"].startswith("Confirm your email")
    other = await _register(client, "nolang@example.com", "Kano", headers={"Accept-Language": "fr-FR"})
    assert other.json()["language"] == "en"  # unsupported languages fall back to English
    bad = await client.patch("/api/v1/me", json={"language": "fr"}, headers={})
    assert bad.status_code in (401, 422)


async def test_a_completed_reset_spends_every_outstanding_reset_link(
    client: httpx.AsyncClient, make_user: Any, outbox: Any
) -> None:
    user = make_user()
    for _ in range(3):
        assert (
            await client.post("/api/v1/auth/password-reset/request", json={"email": user.email})
        ).status_code == 202
    first, second, third = (_token(m, "/reset-password") for m in outbox(to=user.email))
    done = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": second, "new_password": "Brand-new-pass-77"}
    )
    assert done.status_code == 200
    for old in (first, third):
        again = await client.post(
            "/api/v1/auth/password-reset/confirm", json={"token": old, "new_password": "Attacker-pass-99"}
        )
        assert again.status_code == 422 and again.json()["error"]["code"] == "token_invalid"
    login = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "Brand-new-pass-77"}
    )
    assert login.status_code == 200
