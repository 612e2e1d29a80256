"""The mobile app's web export (`expo export --platform web`, built into mobile/dist by
`make test-mobile`) against the platform in embedded mode, in Debian chromium: log in, browse,
play a trailer, open the library; a position saved from another device shows in Continue watching;
the notifications and your-data screens open on the real API.

The platform serves the export itself (FRONTEND_DIST_DIR), so the app calls the API on its own
origin. The catalog is seeded through the API the way an instructor and an admin would (upload in
presigned parts, processing by the worker, submit, approve). Runs when MAMC_MOBILE_DIST names the
export (make test-mobile sets it after building the export).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import PASSWORD, shot, unique_email
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FIXTURE_VIDEO = REPO.parent / "shared" / "fixtures" / "pose_squats.mp4"
DIST = os.environ.get("MAMC_MOBILE_DIST")
PROCESSING_TIMEOUT_S = 300
# Keys the root conftest sets for the test process; the platform under test gets the developer's.
_TEST_ONLY_ENV = (
    "APP_ENV", "VAR_DIR", "SECRET_KEY", "LOG_LEVEL", "CELERY_TASK_ALWAYS_EAGER", "APP_BASE_URL",
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MAMC_TEST_PROFILE",
)  # fmt: skip


@dataclass
class Seeded:
    url: str
    var_dir: Path
    student: str
    title: str
    video_id: str


def _wait(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = probe()
        if got:
            return got
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _verify_token(var_dir: Path, email: str) -> str:
    def found() -> str | None:
        for mail in sorted((var_dir / "outbox").glob("*.json"), reverse=True):
            text = mail.read_text()
            if email in text and (m := re.search(r"/verify-email\?token=([\w\-]+)", text)):
                return m.group(1)
        return None

    token: str = _wait(f"the verification mail to {email}", found, 30)
    return token


def _account(api: httpx.Client, var_dir: Path, email: str, name: str) -> dict[str, str]:
    made = api.post("/auth/register", json={"email": email, "password": PASSWORD, "display_name": name})
    assert made.status_code == 201, made.text
    assert api.post("/auth/verify-email", json={"token": _verify_token(var_dir, email)}).status_code == 200
    return _login(api, email)


def _login(api: httpx.Client, email: str) -> dict[str, str]:
    resp = api.post("/auth/login", json={"email": email, "password": PASSWORD, "refresh_token_in": "body"})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def _seed(url: str, var_dir: Path, env: dict[str, str]) -> Seeded:
    """A published, priced video with a trailer, and a verified student."""
    admin_email, inst_email, student = unique_email("admin"), unique_email("sensei"), unique_email("student")
    made = subprocess.run(
        [sys.executable, "-m", "app", "create-admin", "--email", admin_email, "--password", PASSWORD, "--name", "Root"],
        cwd=REPO / "backend", env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    title = f"Squats for the app {inst_email[7:13]}"
    with httpx.Client(base_url=f"{url}/api/v1", timeout=60) as api:
        admin = _login(api, admin_email)
        inst = _account(api, var_dir, inst_email, "Sensei")
        _account(api, var_dir, student, "Student")
        inst_id = api.get("/me", headers=inst).json()["id"]
        promoted = api.patch(
            f"/admin/users/{inst_id}", headers=admin, json={"role": "instructor", "reason": "E2E instructor"}
        )
        assert promoted.status_code == 200, promoted.text
        inst = _login(api, inst_email)
        video = api.post(
            "/videos", headers=inst,
            json={"title": title, "description": "Seeded for the mobile smoke.", "discipline": "fitness", "price_cents": 990, "currency": "EUR", "trailer_mode": "range", "trailer_start_s": 0, "trailer_end_s": 4},
        )  # fmt: skip
        assert video.status_code == 201, video.text
        vid = video.json()["id"]
        data = FIXTURE_VIDEO.read_bytes()
        start = api.post(
            f"/videos/{vid}/upload",
            headers=inst,
            json={"filename": "squats.mp4", "content_type": "video/mp4", "size_bytes": len(data)},
        )
        assert start.status_code == 201, start.text
        session = start.json()
        size = int(session["part_size"])
        parts = []
        for part in session["parts"]:
            n = int(part["part_number"])
            put = httpx.put(
                httpx.URL(url).join(part["url"]), content=data[(n - 1) * size : n * size], timeout=60
            )
            assert put.status_code == 200, put.text
            parts.append({"part_number": n, "etag": put.headers["ETag"]})
        assert (
            api.post(f"/videos/{vid}/upload/complete", headers=inst, json={"parts": parts}).status_code == 202
        )

        def processed() -> str | None:
            status = str(api.get(f"/videos/{vid}", headers=inst).json()["status"])
            assert status != "failed", "processing failed"
            return None if status in ("uploading", "processing") else status

        if _wait("processing", processed, PROCESSING_TIMEOUT_S) != "in_review":
            assert api.post(f"/videos/{vid}/submit", headers=inst).status_code == 200
        approved = api.post(f"/admin/videos/{vid}/approve", headers=admin, json={})
        assert approved.status_code == 200 and approved.json()["status"] == "published", approved.text
        assert api.get(f"/videos/{vid}").json()["has_trailer"], "the processed video has no trailer"
    return Seeded(url, var_dir, student, title, vid)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    if not DIST or not (Path(DIST) / "index.html").is_file():
        pytest.skip("set MAMC_MOBILE_DIST to the mobile web export (make test-mobile builds it)")
    if not FIXTURE_VIDEO.exists():
        pytest.skip("fixture video pose_squats.mp4 not found")
    var_dir = tmp_path_factory.mktemp("mobile-platform") / "var"
    url = f"http://127.0.0.1:{_free_port()}"
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY_ENV}
    env.update(
        VAR_DIR=str(var_dir),
        APP_BASE_URL=url,
        RATE_LIMIT_ENABLED="false",
        LOG_LEVEL="WARNING",
        FRONTEND_DIST_DIR=DIST,
    )
    log = open(var_dir.parent / "platform.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "--port", url.rsplit(":", 1)[1], "--worker-concurrency", "1"],
        cwd=REPO / "backend", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:

        def started() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"platform exited; see {var_dir.parent / 'platform.log'}")
            return _up(url)

        _wait("the platform", started, 120)
        yield _seed(url, var_dir, env)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_mobile_web_export_login_browse_trailer_library(browser, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(base_url=seeded.url, locale="en-GB", viewport={"width": 412, "height": 900})
    ctx.set_default_timeout(20_000)
    page: Page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(seeded.student)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page.get_by_text("Signed in as Student")).to_be_visible()

        page.get_by_role("button", name="Browse", exact=True).click()
        expect(page.get_by_role("heading", name="Browse videos").first).to_be_visible()
        page.get_by_role("button", name=seeded.title).click()
        expect(page.get_by_role("heading", name=seeded.title).first).to_be_visible()
        expect(page.get_by_role("button", name=re.compile(r"Buy for .*9[.,]90"))).to_be_visible()

        trailer = page.get_by_label("Watch trailer")
        expect(trailer).to_be_visible()
        trailer.evaluate("v => { v.muted = true; return v.play(); }")
        page.wait_for_function(
            "() => { const v = document.querySelector('video[aria-label=\"Watch trailer\"]'); return v && v.currentTime > 0.3; }",
            timeout=30_000,
        )
        shot(page, "mobile-web-trailer")

        page.goto("/library")
        expect(page.get_by_role("heading", name="My library").first).to_be_visible()
        expect(page.get_by_text("You have not bought or rented any videos yet.")).to_be_visible()
        shot(page, "mobile-web-library")

        # Another device of the student's saves a position: home offers to continue from it.
        with httpx.Client(base_url=f"{seeded.url}/api/v1", timeout=30) as api:
            other_device = _login(api, seeded.student)
            saved = api.put(
                f"/me/progress/{seeded.video_id}",
                headers=other_device,
                json={"position_s": 6, "duration_s": 100},
            )
            assert saved.status_code == 200 and saved.json()["resume"], saved.text
        # Home's unread badge follows the platform's bell stream.
        with page.expect_request(lambda r: r.url.endswith("/api/v1/notifications/stream")):
            page.goto("/")
        expect(page.get_by_role("heading", name="Continue watching")).to_be_visible()
        expect(
            page.get_by_role("button", name=re.compile(rf"^{re.escape(seeded.title)}\. Resume at 0:06"))
        ).to_be_visible()
        shot(page, "mobile-web-continue-watching")

        page.goto("/settings")
        page.get_by_label("Time", exact=True).fill("7:30")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Reminder saved.")).to_be_visible()
        with httpx.Client(base_url=f"{seeded.url}/api/v1", timeout=30) as api:
            reminder = api.get("/notifications/reminder", headers=_login(api, seeded.student)).json()
        assert reminder["local_time"] == "07:30", reminder

        page.goto("/notifications")
        expect(page.get_by_role("heading", name="Notifications").first).to_be_visible()
        expect(page.get_by_role("button", name="Turn on push notifications")).to_be_visible()
        page.goto("/your-data")
        expect(page.get_by_role("heading", name="Your data").first).to_be_visible()
        expect(page.get_by_text(re.compile(r"erased \d+ days after you confirm"))).to_be_visible()
        shot(page, "mobile-web-your-data")
    except Exception as e:  # a failed expectation or a locator timeout: keep what the browser said
        shot(page, "FAILED-mobile-web")
        raise AssertionError(f"{e}\nbrowser errors: {errors[-5:]}") from e
    finally:
        ctx.close()
