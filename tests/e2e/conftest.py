"""Browser journeys (Python Playwright + Debian chromium) against the platform in embedded mode.

The platform under test:
- MAMC_E2E_URL set: use that running platform; its var dir (for the email outbox and the
  create-admin CLI) is MAMC_E2E_VAR_DIR, default <repo>/var.
- otherwise: start `python -m app run` on a free port with a fresh VAR_DIR in a temp directory
  (SQLite, filesystem broker, local object store, sandbox payments), serving frontend/dist, and
  stop it afterwards. Build the client first (`cd frontend && npm run build`).

Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("MAMC_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.e2e

# The root conftest points the test process at a throwaway test environment (APP_ENV=test, its
# own VAR_DIR/SECRET_KEY/DATABASE_URL, eager Celery). The platform under test and the CLI we run
# against it must not inherit that: they get the developer's environment minus those keys.
_TEST_ONLY_ENV = (
    "APP_ENV", "VAR_DIR", "SECRET_KEY", "LOG_LEVEL", "CELERY_TASK_ALWAYS_EAGER", "APP_BASE_URL",
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MAMC_TEST_PROFILE",
)  # fmt: skip


def platform_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY_ENV}
    if os.environ.get("MAMC_E2E_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["MAMC_E2E_DATABASE_URL"]
    env.update(extra)
    return env


@dataclass
class Platform:
    url: str
    var_dir: Path

    def api(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def outbox(self, to: str) -> list[dict[str, object]]:
        box = self.var_dir / "outbox"
        messages = [json.loads(p.read_text()) for p in sorted(box.glob("*.json"))] if box.is_dir() else []
        return [m for m in messages if m.get("to") == to]

    def wait_link(self, to: str, path: str, timeout: float = 120.0) -> str:
        """The newest link to `path` (e.g. /verify-email) mailed to `to`, made relative. The
        platform's one worker serves every queue, so a mail can wait behind a video's processing
        and knowledge extraction (in production the queues have their own workers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.outbox(to)):
                found = re.search(
                    rf"https?://[^\s\"'<>]+({re.escape(path)}\?token=[\w\-]+)", str(message["text"])
                )
                if found:
                    return found.group(1)
            time.sleep(0.3)
        raise AssertionError(f"no {path} email for {to}")

    def create_admin(self, email: str, password: str, name: str = "Admin") -> None:
        env = platform_env(VAR_DIR=str(self.var_dir))
        proc = subprocess.run(
            [sys.executable, "-m", "app", "create-admin", "--email", email, "--password", password, "--name", name],
            cwd=REPO / "backend", env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if proc.returncode:
            raise RuntimeError(f"create-admin failed: {proc.stdout}{proc.stderr}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    external = os.environ.get("MAMC_E2E_URL")
    if external:
        yield Platform(external.rstrip("/"), Path(os.environ.get("MAMC_E2E_VAR_DIR", REPO / "var")))
        return
    if not (REPO / "frontend" / "dist" / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `cd frontend && npm run build`")
    var_dir = tmp_path_factory.mktemp("platform") / "var"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = platform_env(
        VAR_DIR=str(var_dir), APP_BASE_URL=url, RATE_LIMIT_ENABLED="false", LOG_LEVEL="WARNING"
    )
    log = open(var_dir.parent / "platform.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "--port", str(port), "--worker-concurrency", "1"],
        cwd=REPO / "backend", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"platform did not start; see {var_dir.parent / 'platform.log'}")
            time.sleep(0.5)
        yield Platform(url, var_dir)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, platform: Platform, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Factory: a fresh context (own storage = own session) per call; screenshots on failure."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    contexts = []

    def make(locale: str = "en-GB", width: int = 1280, height: int = 860):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(
            base_url=platform.url, locale=locale, viewport={"width": width, "height": height}
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, ctx in enumerate(contexts):
        if failed:
            for j, page in enumerate(ctx.pages):
                safe = re.sub(r"[^\w.-]+", "_", request.node.name)
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{safe}-{i}-{j}.png"), full_page=True)
        ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
