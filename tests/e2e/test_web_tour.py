"""Issue 18 in the browser: a tour of every page in Italian that fails on English words (server
codes and states included), the verification link opened twice, and phone tables as cards."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSWORD, settle, shot, sign_up, unique_email
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

# Words of the English UI, catalogue strings and server codes that Italian pages must not show.
# (Words both languages use, like "Video", "Studio", "Email", "Home", "Coach", stay out.)
ENGLISH = [
    "Log in", "Sign up", "Browse", "Loading", "Search", "Purchase", "Refund", "Status", "Pending",
    "Failed", "Published", "Processing", "download", "transcode", "stripe_fee", "Settings", "Save",
    "Cancel", "Reports", "Payments", "Users", "Earnings", "Upload", "Library", "No videos",
    "Amount", "Actions", "Filter", "Subject", "Created", "Gross", "Fees", "Month", "Language",
    "system", "Deleted account", "Load more", "Nothing", "Review queue", "Account menu",
]  # fmt: skip
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")

PAGES = [
    "/", "/browse", "/login", "/signup", "/forgot-password", "/library", "/account", "/attempts",
    "/knowledge", "/studio", "/studio/upload", "/studio/references", "/studio/references/new",
    "/studio/attempts", "/studio/earnings", "/admin", "/admin/reports", "/admin/users",
    "/admin/payments", "/admin/disputes", "/admin/audit", "/admin/payouts",
]  # fmt: skip


def _log_in_it(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("button", name="Menu account")).to_be_visible()


def _visible_text(page: Page) -> str:
    settle(page)
    text: str = page.evaluate(
        "() => document.body.innerText + ' ' + [...document.querySelectorAll('[aria-label],[placeholder],[title]')]"
        ".map(e => [e.getAttribute('aria-label'), e.getAttribute('placeholder'), e.getAttribute('title')].join(' ')).join(' ')"
    )
    return text


def test_a_tour_of_every_page_in_italian_finds_no_english(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    admin = unique_email("tour-admin")
    platform.create_admin(admin, PASSWORD, "Radice")
    page = new_page(locale="it-IT")
    found: dict[str, list[str]] = {}
    for path in PAGES[:5]:  # as a visitor
        page.goto(path)
        hits = sorted(set(ENGLISH_RE.findall(_visible_text(page))))
        if hits:
            found[path] = hits
    _log_in_it(page, admin)
    for path in PAGES[5:]:
        page.goto(path)
        hits = sorted(set(ENGLISH_RE.findall(_visible_text(page))))
        if hits:
            found[path] = hits
    shot(page, "tour-it-last")
    assert found == {}, found


def test_reopening_the_verification_link_says_already_verified(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    email = unique_email("twice")
    sign_up(page, email, "Twice")
    link = platform.wait_link(email, "/verify-email")
    page.goto(link)
    expect(page.get_by_text("Your email is verified. You can now log in.")).to_be_visible()
    page.goto(link)
    expect(page.get_by_text("Your email address is already verified")).to_be_visible()
    expect(page.get_by_text("invalid", exact=False)).to_have_count(0)


def test_on_a_phone_tables_become_cards(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    admin = unique_email("phone-admin")
    platform.create_admin(admin, PASSWORD, "Radice")
    page = new_page(locale="it-IT", width=390, height=844)
    _log_in_it(page, admin)
    page.goto("/admin/audit")
    row = page.locator("table.table tbody tr").first
    expect(row).to_be_visible()
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    label = row.locator("td").first.evaluate("el => getComputedStyle(el, '::before').content")
    assert label.strip('"') == "Quando"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    shot(page, "phone-audit-cards")
