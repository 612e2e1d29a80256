"""Steps shared by the journeys: each drives the real UI."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

PASSWORD = "Kata-2024-heian"


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def sign_up(page: Page, email: str, name: str, password: str = PASSWORD) -> None:
    page.goto("/signup")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_contain_text(email)


def log_in(page: Page, email: str, password: str = PASSWORD, next_path: str | None = None) -> None:
    page.goto(f"/login?next={next_path}" if next_path else "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Account menu")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def post_json(
    url: str, body: dict[str, object], token: str | None = None, method: str = "POST"
) -> dict[str, Any]:
    """An API call outside the browser (seeding what the journey starts from)."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def verified_account(browser: Any, platform: Any, prefix: str, name: str) -> str:
    """A new account signed up in the web client and verified by its emailed link; its email."""
    email = unique_email(prefix)
    ctx = browser.new_context(base_url=platform.url, locale="en-GB")
    page = ctx.new_page()
    try:
        sign_up(page, email, name)
        # One worker: a video's knowledge extraction may hold the queue the email waits in.
        page.goto(platform.wait_link(email, "/verify-email", timeout=120))
        expect(page.get_by_text("Your email is verified. You can now log in.")).to_be_visible()
    finally:
        ctx.close()
    return email


def settle(page: Page, timeout_ms: float = 15_000) -> None:
    """Wait until the page has loaded and shows no busy region (the client's loading states carry
    aria-busy="true"). Not Playwright's "networkidle": a signed-in page keeps the notification
    bell's event stream open, so the network is never idle."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('[aria-busy=\"true\"]')", timeout=timeout_ms)
    page.wait_for_timeout(300)


def backend_python(platform: Any, code: str, *args: str) -> str:
    """Run `code` with the platform's backend environment (seeding rows, a beat task's function);
    its stdout."""
    import subprocess
    import sys

    from tests.e2e.conftest import REPO, platform_env

    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO / "backend",
        env=platform_env(VAR_DIR=str(platform.var_dir)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


_COMMUNITY = """
import json, sys
from datetime import timedelta
from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.ids import uuid7
from app.core.security import hash_password
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
tag, password = sys.argv[1], sys.argv[2]
old = utcnow() - timedelta(days=3)
digest = hash_password(password)
people, out = {}, {}
with sync_session() as s:
    for key, role, name in (("sensei", Role.instructor, "Sensei"), ("anna", Role.student, "Anna"),
                            ("bruno", Role.student, "Bruno")):
        people[key] = User(email=f"{key}-{tag}@example.com", display_name=f"{name} {tag}",
                           password_hash=digest, role=role, email_verified_at=old, created_at=old)
        s.add(people[key])
    s.flush()
    v = Video(owner_id=people["sensei"].id, status=VideoStatus.published, title=f"Heian sandan {tag}",
              description="", discipline="karate", tags=[], language="en", media_prefix=f"videos/{uuid7()}/",
              duration_s=300.0, published_at=utcnow())
    s.add(v)
    s.flush()
    out = {k: {"id": str(u.id), "email": u.email, "name": u.display_name} for k, u in people.items()}
    out["video"] = {"id": str(v.id), "title": v.title}
print(json.dumps(out))
"""


def seed_community(platform: Any) -> dict[str, dict[str, str]]:
    """An instructor ("sensei") with one free published video and two students ("anna", "bruno"),
    verified and three days old (old enough to comment), who log in with PASSWORD."""
    out: dict[str, dict[str, str]] = json.loads(
        backend_python(platform, _COMMUNITY, uuid.uuid4().hex[:6], PASSWORD)
    )
    return out
