"""Account journeys through the web client: sign up, verify by email link, log in, language,
password reset, role-gated navigation."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSWORD, log_in, log_out, settle, shot, sign_up, unique_email
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_sign_up_verify_email_log_in_and_switch_language(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    email = unique_email("student")
    sign_up(page, email, "Kano")
    shot(page, "auth-01-signed-up")

    page.goto(platform.wait_link(email, "/verify-email"))
    expect(page.get_by_text("Your email is verified. You can now log in.")).to_be_visible()

    log_in(page, email)
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Kano")
    # Students see the library but neither the studio nor the admin console.
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="My library")).to_be_visible()
    expect(nav.get_by_role("link", name="Studio")).to_have_count(0)
    page.goto("/admin")
    expect(page.get_by_text("You do not have access to this page.")).to_be_visible()

    page.get_by_label("Language").select_option("it")
    expect(page.get_by_role("link", name="Esplora")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    page.reload()
    expect(page.get_by_role("link", name="Esplora")).to_be_visible()  # persisted
    shot(page, "auth-02-logged-in-italian")
    page.get_by_label("Lingua").select_option("en")


def test_browser_language_is_the_default(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(locale="it-IT")
    page.goto("/")
    expect(page.get_by_role("link", name="Accedi")).to_be_visible()


def test_wrong_password_then_reset_password(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    email = unique_email("forgetful")
    sign_up(page, email, "Forgetful")

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status")).to_contain_text(email)

    page.goto(platform.wait_link(email, "/reset-password"))
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("The password must be at least 10 characters.")).to_be_visible()
    page.get_by_label("New password").fill("Brand-new-2024-pass")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Password changed. You can now log in.")).to_be_visible()

    log_in(page, email, "Brand-new-2024-pass")
    log_out(page)


def test_session_survives_reload_through_the_httponly_refresh_cookie(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    email = unique_email("refresh")
    sign_up(page, email, "Refresh")
    log_in(page, email, PASSWORD, next_path="/library")
    expect(page).to_have_url(re.compile(r"/library$"))
    settle(page)
    # The refresh token is an HttpOnly, SameSite=Strict cookie scoped to the refresh path; page
    # scripts see neither it nor the access token in storage (only a "signed in" marker).
    [cookie] = [c for c in page.context.cookies() if c["name"] == "mamc_refresh"]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/api/v1/auth/refresh"
    assert "mamc_refresh" not in page.evaluate("() => document.cookie")
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert cookie["value"] not in stored and "access_token" not in stored
    # A reload starts with no access token: the cookie gets a new one, and the session goes on.
    page.reload()
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Refresh")
    rotated = next(c for c in page.context.cookies() if c["name"] == "mamc_refresh")
    assert rotated["value"] != cookie["value"]  # refresh tokens rotate on every use
    log_out(page)
    assert [c for c in page.context.cookies() if c["name"] == "mamc_refresh"] == []
    page.reload()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_an_unverified_account_is_offered_the_verification_link_again(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    email = unique_email("unverified")
    sign_up(page, email, "Unverified")
    log_in(page, email)
    banner = page.get_by_role("status").filter(has_text="Your email is not verified yet")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Resend verification email").click()
    expect(page.get_by_text("Verification email sent.")).to_be_visible()
    page.goto(platform.wait_link(email, "/verify-email"))
    expect(page.get_by_text("Your email is verified. You can now log in.")).to_be_visible()


def test_mobile_width_has_a_menu_toggle(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(width=360, height=740)
    page.goto("/")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Browse")
    ).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "auth-03-mobile-360")
