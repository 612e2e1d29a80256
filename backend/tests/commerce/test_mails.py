"""Commerce mails speak the recipient's language and escape what users typed (issue 11, item 11).

Each mail (receipt, rental receipt, failed payment, refund, subscription receipt and failure,
dispute alert) is produced by the real webhook path and read back from the file outbox, once in
English and once in Italian; names and titles carry markup that must stay text.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import update

from app.auth.models import Role, User
from app.core.config import Settings
from app.db.session import sync_session

from .conftest import event, invoice_obj, subscription_obj

Outbox = Callable[..., list[dict[str, Any]]]
HOSTILE_NAME = '<img src=x onerror="alert(1)"> Aiko & "Co"'
HOSTILE_TITLE = "<script>steal()</script> Seoi nage"
ESCAPED_NAME = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Aiko &amp; &quot;Co&quot;"
ESCAPED_TITLE = "&lt;script&gt;steal()&lt;/script&gt; Seoi nage"


@dataclass
class Shop:
    """The webhook path with one instructor's videos, and the outbox to read it back."""

    post_event: Callable[..., Any]
    open_checkout: Callable[..., Any]
    make_video: Callable[..., Any]
    make_user: Callable[..., User]
    instructor: User
    mails: Outbox

    def user(self, lang: str, *, name: str = HOSTILE_NAME, role: Role = Role.student) -> User:
        user = self.make_user(display_name=name, role=role)
        with sync_session() as s:
            s.execute(update(User).where(User.id == user.id).values(language=lang))
        return user

    async def checkout(self, buyer: User, kind: str = "ppv", **video: Any) -> Any:
        fields = {"price_cents": 2000, "title": HOSTILE_TITLE, **video}
        return await self.open_checkout(buyer, self.make_video(self.instructor, **fields), kind)

    async def post(self, evt: dict[str, Any]) -> None:
        assert (await self.post_event(evt)).status_code == 200

    async def pay(self, shapes: Any) -> None:
        await self.post(event("checkout.session.completed", shapes.checkout_completed()))
        await self.post(event("payment_intent.succeeded", shapes.pi_succeeded(fee=80)))

    def only(self, to: str) -> dict[str, Any]:
        [mail] = self.mails(to=to)
        return mail


@pytest.fixture
def shop(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    make_user: Callable[..., User],
    instructor: User,
    outbox: Outbox,
) -> Shop:
    return Shop(post_event, open_checkout, make_video, make_user, instructor, outbox)


def _assert_escaped(mail: dict[str, Any], *, name: bool = True, title: bool = True) -> None:
    page = str(mail["html"])
    assert "<script" not in page and "<img" not in page
    if name:
        assert ESCAPED_NAME in page and HOSTILE_NAME in str(mail["text"])
    if title:
        assert ESCAPED_TITLE in page and HOSTILE_TITLE in str(mail["text"])


RECEIPT = {
    "en": ("Your receipt: ", "Hello ", 'you bought "', "20.00 EUR", "Thank you for training with us."),
    "it": ("La tua ricevuta: ", "Ciao ", 'hai acquistato "', "20,00 EUR", "Grazie di allenarti con noi."),
}


@pytest.mark.parametrize("lang", ["en", "it"])
async def test_receipt_follows_the_buyers_language_and_escapes_name_and_title(
    lang: str,
    shop: Shop,
) -> None:
    buyer = shop.user(lang)
    shapes = await shop.checkout(buyer)
    await shop.pay(shapes)
    mail = shop.only(buyer.email)
    subject, greeting, bought, amount, thanks = RECEIPT[lang]
    assert mail["subject"] == subject + HOSTILE_TITLE
    text = str(mail["text"])
    assert text.startswith(greeting + HOSTILE_NAME) and bought in text and amount in text
    assert thanks in text and str(shapes.purchase_id) in text
    _assert_escaped(mail)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "You can watch it for 48 hours"), ("it", "Puoi guardarlo per 48 ore")],
)
async def test_rental_receipt_names_the_window_in_the_renters_language(
    lang: str,
    expected: str,
    shop: Shop,
) -> None:
    renter = shop.user(lang)
    await shop.pay(await shop.checkout(renter, "rental", rental_price_cents=499, rental_hours=48))
    text = str(shop.only(renter.email)["text"])
    assert expected in text and ("4.99 EUR" if lang == "en" else "4,99 EUR") in text


@pytest.mark.parametrize(
    ("lang", "subject", "reason"),
    [
        ("en", "Payment failed: ", "the card was declined."),
        ("it", "Pagamento non riuscito: ", "la carta è stata rifiutata."),
    ],
)
async def test_failed_payment_mail_names_the_decline_in_the_buyers_language(
    lang: str,
    subject: str,
    reason: str,
    shop: Shop,
) -> None:
    buyer = shop.user(lang)
    shapes = await shop.checkout(buyer)
    await shop.post(event("payment_intent.payment_failed", shapes.pi_failed()))
    mail = shop.only(buyer.email)
    assert mail["subject"] == subject + HOSTILE_TITLE and reason in str(mail["text"])
    if lang == "it":
        assert "Your card was declined" not in str(mail["text"])  # Stripe's English message
    _assert_escaped(mail)


@pytest.mark.parametrize(
    ("lang", "partial", "full", "ended"),
    [
        ("en", "we refunded 5.00 EUR", "we refunded 20.00 EUR", "your access to this video has ended"),
        ("it", "ti abbiamo rimborsato 5,00 EUR", "ti abbiamo rimborsato 20,00 EUR", "accesso a questo video"),
    ],
)
async def test_refund_mails_follow_the_buyers_language_once_per_refund(
    lang: str,
    partial: str,
    full: str,
    ended: str,
    shop: Shop,
) -> None:
    buyer = shop.user(lang)
    shapes = await shop.checkout(buyer)
    await shop.pay(shapes)
    first = event("charge.refunded", shapes.charge_refunded(500))
    await shop.post(first)
    await shop.post(first)  # a duplicate delivery mails nothing more
    await shop.post(event("charge.refunded", shapes.charge_refunded(2000)))
    _receipt, partly, fully = shop.mails(to=buyer.email)
    assert partial in str(partly["text"]) and ended not in str(partly["text"])
    assert full in str(fully["text"]) and ended in str(fully["text"])
    for mail in (partly, fully):
        _assert_escaped(mail)


@pytest.mark.parametrize(
    ("lang", "receipt", "until", "failed"),
    [
        ("en", "for your monthly subscription (invoice ABC-0001)", "Your access runs until ", "My library"),
        (
            "it",
            "per il tuo abbonamento mensile (fattura ABC-0001)",
            "Il tuo accesso dura fino al ",
            "Gestisci",
        ),
    ],
)
async def test_subscription_mails_follow_the_subscribers_language(
    lang: str,
    receipt: str,
    until: str,
    failed: str,
    shop: Shop,
) -> None:
    student = shop.user(lang)
    sub_id, now = f"sub_{uuid.uuid4().hex[:14]}", int(time.time())
    end = now + 30 * 86400
    sub = subscription_obj(sub_id, user_id=student.id, status="active", period_end=end)
    await shop.post(event("customer.subscription.created", sub, created=now))
    await shop.post(event("invoice.paid", invoice_obj(sub_id, status="paid", period_end=end), created=now))
    failure = invoice_obj(sub_id, status="open", period_end=end)
    await shop.post(event("invoice.payment_failed", failure, created=now + 1))
    paid, unpaid = shop.mails(to=student.email)
    day = time.gmtime(end)
    date = time.strftime("%Y-%m-%d" if lang == "en" else "%d/%m/%Y", day)
    amount = "15.00 USD" if lang == "en" else "15,00 USD"
    assert receipt in str(paid["text"]) and until + date in str(paid["text"]) and amount in str(paid["text"])
    assert failed in str(unpaid["text"]) and amount in str(unpaid["text"])
    for mail in (paid, unpaid):
        _assert_escaped(mail, title=False)


async def test_dispute_alert_speaks_each_admins_language_and_escapes_the_title(
    shop: Shop,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin_it = shop.user("it", role=Role.admin)
    admin_en = shop.user("en", role=Role.admin)
    monkeypatch.setattr(settings, "commerce_alert_emails", ["finance@example.com"])
    shapes = await shop.checkout(shop.user("en"), price_cents=3000)
    await shop.pay(shapes)
    await shop.post(event("charge.dispute.created", shapes.dispute("needs_response")))
    italian = shop.only(admin_it.email)
    assert italian["subject"].startswith("[azione richiesta] Contestazione di pagamento dp_")
    assert "(frode) per 30,00 EUR" in str(italian["text"]) and "entro " in str(italian["text"])
    for to in (admin_en.email, "finance@example.com"):
        english = shop.only(to)
        assert english["subject"].startswith("[action needed] Payment dispute dp_")
        assert "(fraudulent) for 30.00 EUR" in str(english["text"])
        assert "Evidence is due by " in str(english["text"])
    for mail in (italian, english):
        _assert_escaped(mail, name=False)
