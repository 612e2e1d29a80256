"""prod-smoke's journey through nginx over HTTPS, as small named steps (each one line in the
summary). Every request goes to the edge (https://127.0.0.1:<port>) with the topology's own CA,
except what a real client also sends elsewhere: part PUTs to presigned S3 URLs, and Stripe's
side (the stand-in completes a checkout and delivers the signed webhook to the edge).

Steps share a `Journey` (the topology, one HTTP client, what earlier steps learned). To add a
step, write a function taking the journey and list it in STEPS.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from tests.prodlocal.topology import BACKEND, REPO, ProdLocal, _admin_sql, database_url

from tests.support.sendgrid_standin import read_mail_dir

API = "/api/v1"
PASSWORD = "Smoke-" + secrets.token_hex(8)
PRICE_CENTS = 900


class StepFailed(AssertionError):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def wait_for(what: str, probe: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Poll `probe` until it returns something truthy (returned), or fail the step."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise StepFailed(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


@dataclass
class Account:
    email: str
    id: str = ""
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Journey:
    topology: ProdLocal
    workdir: Path
    http: httpx.Client = field(init=False)
    accounts: dict[str, Account] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            base_url=self.topology.base_url, verify=str(self.topology.ca_file), timeout=60
        )

    def api(self, method: str, path: str, who: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **(self.accounts[who].headers if who else {})}
        return self.http.request(method, f"{API}{path}", headers=headers, **kwargs)

    def wait(self, what: str, probe: Callable[[], Any], timeout: float, every: float = 1.0) -> Any:
        return wait_for(what, probe, timeout, every)

    def cli(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run a backend CLI with the production settings (var/prod-local.env), as an operator."""
        env = {**self.topology.app_env(), **(extra_env or {})}
        return subprocess.run(
            [sys.executable, *args], cwd=BACKEND, env=env, capture_output=True, text=True, timeout=600
        )


# --- accounts -------------------------------------------------------------------------------------


def _verify_link(journey: Journey, email: str) -> str:
    def found() -> str | None:
        for mail in reversed(read_mail_dir(journey.topology.mail_dir, to=email)):
            match = re.search(r"/verify-email\?token=([\w\-]+)", str(mail.get("text")))
            if match:
                return match.group(1)
        return None

    token: str = journey.wait(f"the verification mail to {email}", found, 60, every=0.5)
    return token


def _login(journey: Journey, account: Account) -> None:
    resp = journey.api("POST", "/auth/login", json={"email": account.email, "password": PASSWORD})
    check(resp.status_code == 200, f"login {account.email}: {resp.status_code} {resp.text[:300]}")
    account.token = resp.json()["access_token"]


def _register(journey: Journey, role: str) -> Account:
    account = Account(email=f"smoke-{role}-{uuid.uuid4().hex[:8]}@example.com")
    resp = journey.api(
        "POST",
        "/auth/register",
        json={"email": account.email, "password": PASSWORD, "display_name": role.title()},
    )
    check(resp.status_code == 201, f"register: {resp.status_code} {resp.text[:300]}")
    account.id = resp.json()["id"]
    verified = journey.api("POST", "/auth/verify-email", json={"token": _verify_link(journey, account.email)})
    check(verified.status_code == 200 and verified.json()["email_verified"], f"verify: {verified.text[:300]}")
    _login(journey, account)
    journey.accounts[role] = account
    return account


def register_and_verify(journey: Journey) -> str:
    for role in ("instructor", "viewer"):
        _register(journey, role)
    return "2 accounts registered, verified from the SendGrid stand-in's mail"


def create_admin(journey: Journey) -> str:
    """`make admin ENV_FILE=... EMAIL=...`, exactly as the runbook says."""
    admin = Account(email=f"smoke-admin-{uuid.uuid4().hex[:8]}@example.com")
    made = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "admin",
            f"ENV_FILE={journey.topology.env_file}",
            f"EMAIL={admin.email}",
        ],
        cwd=REPO,
        env={**journey.topology.clean_env(), "ADMIN_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=600,
    )
    check(
        made.returncode == 0 and "admin ready" in made.stdout,
        f"make admin: {made.stdout}{made.stderr}"[-2000:],
    )
    _login(journey, admin)
    journey.accounts["admin"] = admin
    return "first admin made by `make admin ENV_FILE=...`"


def promote(journey: Journey) -> str:
    instructor = journey.accounts["instructor"]
    resp = journey.api("PATCH", f"/admin/users/{instructor.id}", "admin", json={"role": "instructor"})
    check(resp.status_code == 200 and resp.json()["role"] == "instructor", f"promote: {resp.text[:300]}")
    _login(journey, instructor)  # the role travels in the token
    return "instructor promoted by the admin"


# --- media ----------------------------------------------------------------------------------------


def make_clips(workdir: Path) -> dict[str, Path]:
    """A real person (scikit-image's astronaut) moving across the frame: the reference video
    (3 s) and a different-looking attempt (1 s), as the studio tests make them."""
    from tests.studio.conftest import person_frames, write_mp4

    workdir.mkdir(parents=True, exist_ok=True)
    return {
        "video": write_mp4(workdir / "kata.mp4", person_frames(30, 4)),
        "attempt": write_mp4(workdir / "attempt.mp4", person_frames(10, -3, squash_y=0.6)),
    }


def _put_parts(session: dict[str, Any], data: bytes) -> list[dict[str, Any]]:
    """PUT every part to its presigned URL (S3 itself, not the edge), keeping the ETags."""
    part_size = int(session["part_size"])
    done = []
    with httpx.Client(timeout=60) as direct:
        for part in session["parts"]:
            n = int(part["part_number"])
            check(urlsplit(part["url"]).path.startswith("/mamc-"), f"not an S3 URL: {part['url'][:80]}")
            resp = direct.put(part["url"], content=data[(n - 1) * part_size : n * part_size])
            check(resp.status_code == 200, f"part {n}: {resp.status_code} {resp.text[:200]}")
            done.append({"part_number": n, "etag": resp.headers["ETag"]})
    return done


def upload_video(journey: Journey) -> str:
    data = journey.facts["clips"]["video"].read_bytes()
    video = journey.api(
        "POST",
        "/videos",
        "instructor",
        json={
            "title": "Smoke kata",
            "description": "prod-smoke",
            "discipline": "karate",
            "price_cents": PRICE_CENTS,
            "currency": "EUR",
        },
    )
    check(video.status_code == 201, f"create video: {video.status_code} {video.text[:300]}")
    video_id = video.json()["id"]
    start = journey.api(
        "POST",
        f"/videos/{video_id}/upload",
        "instructor",
        json={"filename": "kata.mp4", "content_type": "video/mp4", "size_bytes": len(data)},
    )
    check(start.status_code == 201, f"start upload: {start.text[:300]}")
    parts = _put_parts(start.json(), data)
    done = journey.api("POST", f"/videos/{video_id}/upload/complete", "instructor", json={"parts": parts})
    check(done.status_code == 202, f"complete upload: {done.status_code} {done.text[:300]}")
    journey.facts["video_id"] = video_id
    return f"{len(data)} bytes in {len(parts)} part(s) PUT to presigned S3 URLs"


def _openapi_paths(journey: Journey) -> set[str]:
    """The API's routes, from `python -m app openapi` (production publishes no schema)."""
    out = journey.workdir / "openapi.json"
    made = journey.cli("-m", "app", "openapi", "-o", str(out))
    check(made.returncode == 0, f"openapi: {made.stderr[-500:]}")
    return set(json.loads(out.read_text())["paths"])


def process_video(journey: Journey) -> str:
    video_id = journey.facts["video_id"]
    started = time.monotonic()

    def processed() -> str | None:
        status = str(journey.api("GET", f"/videos/{video_id}", "instructor").json()["status"])
        check(status != "failed", "processing failed")
        return None if status in ("uploading", "processing") else status

    status = journey.wait("processing in worker-media", processed, 300, every=1.0)
    took = time.monotonic() - started
    if status != "in_review":  # the instructor submits a processed video explicitly
        paths = _openapi_paths(journey)
        submit = next((p for p in sorted(paths) if p.startswith(f"{API}/videos/{{video_id}}/submit")), None)
        check(submit is not None, f"processed video is {status} and no submit endpoint exists")
        resp = journey.api(
            "POST", submit.removeprefix(API).replace("{video_id}", video_id), "instructor", json={}
        )
        check(resp.status_code in (200, 202), f"submit: {resp.status_code} {resp.text[:300]}")
        status = str(journey.api("GET", f"/videos/{video_id}", "instructor").json()["status"])
        check(status == "in_review", f"after submit: {status}")
    return f"processed by worker-media in {took:.0f}s, in review"


def approve(journey: Journey) -> str:
    video_id = journey.facts["video_id"]
    resp = journey.api("POST", f"/admin/videos/{video_id}/approve", "admin", json={})
    check(resp.status_code == 200 and resp.json()["status"] == "published", f"approve: {resp.text[:300]}")
    return "approved and published"


# --- money ----------------------------------------------------------------------------------------


def checkout(journey: Journey) -> str:
    video_id = journey.facts["video_id"]
    before = journey.api("GET", f"/videos/{video_id}/playback", "viewer")
    check(before.status_code == 403, f"unpaid playback should be 403, got {before.status_code}")
    opened = journey.api("POST", "/checkout", "viewer", json={"kind": "ppv", "video_id": video_id})
    check(opened.status_code == 201, f"checkout: {opened.status_code} {opened.text[:300]}")
    session_id = opened.json()["checkout_session_id"]
    stripe = journey.topology.env["STRIPE_API_BASE"]
    delivered = httpx.post(f"{stripe}/_standin/checkout/sessions/{session_id}/complete", timeout=60).json()
    check(delivered.get("delivered") == 200, f"the signed webhook was refused: {delivered}")

    def entitled() -> bool:
        return journey.api("GET", f"/videos/{video_id}/playback", "viewer").status_code == 200

    journey.wait("the purchase to unlock playback (webhook -> worker-default)", entitled, 90)
    receipt = journey.wait(
        "the receipt mail",
        lambda: read_mail_dir(journey.topology.mail_dir, to=journey.accounts["viewer"].email)[1:],
        60,
    )
    check(receipt, "no receipt")
    return f"checkout {session_id[:14]}…, signed webhook 200, entitlement + receipt"


# --- playback -------------------------------------------------------------------------------------


def _uri_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def play(journey: Journey) -> str:
    video_id = journey.facts["video_id"]
    playback = journey.api("GET", f"/videos/{video_id}/playback", "viewer").json()
    check(playback["signer"] == "nginx", f"signer {playback['signer']}")
    master_url = playback["url"]
    master = journey.http.get(master_url)
    check(master.status_code == 200 and master.text.startswith("#EXTM3U"), f"master: {master.status_code}")
    variant_url = urljoin(master_url, _uri_lines(master.text)[0])
    variant = journey.http.get(variant_url)
    check(variant.status_code == 200 and "#EXTINF" in variant.text, f"variant: {variant.status_code}")
    # nginx serves playlists untouched under the playback token (issue 20): segment lines stay
    # relative and resolve to URLs that carry the token, which nginx checks with the app.
    check(master_url.split("://", 1)[1].split("/", 1)[1].startswith("media/t/"), f"master at {master_url}")
    segments = [urljoin(variant_url, line) for line in _uri_lines(variant.text)]
    check(
        all(
            "/media/t/" in s and "://" not in line
            for s, line in zip(segments, _uri_lines(variant.text), strict=True)
        ),
        "segment lines stay relative, under the token",
    )
    segment = journey.http.get(segments[0])
    check(segment.status_code == 200 and segment.content[:1] == b"\x47", f"segment: {segment.status_code}")
    check(segment.headers.get("cache-control") == "private, max-age=3600", "segments: private, cacheable")
    journey.facts.update(master_url=master_url, segment_url=segments[0])
    return (
        f"master, variant and {len(segments)}-segment playlist; segment {len(segment.content)} bytes from S3"
    )


def tampered_link(journey: Journey) -> str:
    segment, master = journey.facts["segment_url"], journey.facts["master_url"]
    token = master.split("/media/t/")[1].split("/")[0]
    forged_token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    bad = journey.http.get(segment.replace(token, forged_token))
    check(bad.status_code == 403, f"tampered segment token: {bad.status_code}")
    unsigned = journey.http.get(segment.replace(f"/media/t/{token}/", "/media/"))
    check(unsigned.status_code == 403, f"unsigned segment: {unsigned.status_code}")
    forged = journey.http.get(master.replace(token, forged_token))
    check(forged.status_code == 403, f"tampered playlist token: {forged.status_code}")
    for path in ("/docs", "/openapi.json"):
        check(journey.http.get(path).status_code == 404, f"{path} is public")
    return "tampered/unsigned segment and forged playlist token: 403; no public docs"


# --- studio ---------------------------------------------------------------------------------------


def studio_report(journey: Journey) -> str:
    video_id = journey.facts["video_id"]
    ref = journey.api(
        "POST",
        "/studio/references",
        "instructor",
        json={"video_id": video_id, "name": "smoke technique", "t_start": 0.5, "t_end": 1.5},
    )
    check(ref.status_code == 201, f"reference: {ref.status_code} {ref.text[:300]}")
    ref_id = ref.json()["id"]

    def ready(path: str, who: str) -> dict[str, Any] | None:
        body = journey.api("GET", path, who).json()
        check(body["status"] != "failed", f"{path} failed: {body.get('failure_reason')}")
        return body if body["status"] == "ready" else None

    journey.wait(
        "the reference skeleton (worker-studio)",
        lambda: ready(f"/studio/references/{ref_id}", "instructor"),
        300,
    )
    data = journey.facts["clips"]["attempt"].read_bytes()
    created = journey.api(
        "POST",
        f"/studio/references/{ref_id}/attempts",
        "viewer",
        json={"filename": "attempt.mp4", "content_type": "video/mp4", "size_bytes": len(data)},
    )
    check(created.status_code == 201, f"attempt: {created.status_code} {created.text[:300]}")
    attempt_id = created.json()["attempt"]["id"]
    parts = _put_parts(created.json()["upload"], data)
    done = journey.api("POST", f"/studio/attempts/{attempt_id}/complete", "viewer", json={"parts": parts})
    check(done.status_code == 202, f"complete attempt: {done.status_code} {done.text[:300]}")
    journey.wait(
        "the attempt's analysis (worker-studio)",
        lambda: ready(f"/studio/attempts/{attempt_id}", "viewer"),
        300,
    )
    report = journey.api("GET", f"/studio/attempts/{attempt_id}/report", "viewer")
    check(report.status_code == 200, f"report: {report.status_code} {report.text[:300]}")
    score = report.json().get("score")
    check(isinstance(score, int | float), f"report without a score: {report.text[:300]}")
    return f"reference extracted, attempt analysed, report score {score:.0f}"


# --- backup -----------------------------------------------------------------------------------------


def _table_digests(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its sorted rows."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    digests = {}
    with psycopg.connect(dsn) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        for table in tables:
            rows = conn.execute(f'SELECT t::text FROM "{table}" t').fetchall()
            texts = sorted(r[0] for r in rows)
            digests[table] = (len(texts), hashlib.sha256("\n".join(texts).encode()).hexdigest())
    return digests


def backup_and_restore(journey: Journey) -> str:
    source = journey.topology.env["DATABASE_URL"]
    before = _table_digests(source)
    made = journey.cli("-m", "app.ops", "backup")
    check(made.returncode == 0, f"backup: {made.stdout}{made.stderr}"[-1500:])
    after = _table_digests(source)
    check(before == after, "the database changed while the backup ran; rerun")
    target = f"{journey.topology.database}_restore"
    _admin_sql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{target}"')
    try:
        restored = journey.cli("-m", "app.ops", "restore", "latest", "--database-url", database_url(target))
        check(restored.returncode == 0, f"restore: {restored.stdout}{restored.stderr}"[-1500:])
        copy = _table_digests(database_url(target))
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    differing = sorted(t for t in set(after) | set(copy) if after.get(t) != copy.get(t))
    check(not differing, f"restored tables differ: {differing}")
    rows = sum(count for count, _ in after.values())
    printed = [line for line in made.stdout.splitlines() if line.startswith("mamc-")]  # not log lines
    name = printed[-1].split()[0] if printed else "?"
    return f"backup {name} to S3, restored into an empty database: {len(after)} tables, {rows} rows identical"


STEPS: list[Callable[[Journey], str]] = [
    register_and_verify,
    create_admin,
    promote,
    upload_video,
    process_video,
    approve,
    checkout,
    play,
    tampered_link,
    studio_report,
    backup_and_restore,
]


def run(
    topology: ProdLocal, workdir: Path, log: Callable[[str], None] = print
) -> list[tuple[str, str, float]]:
    """Run every step in order; returns (step, outcome, seconds). Raises StepFailed."""
    journey = Journey(topology, workdir)
    journey.facts["clips"] = make_clips(workdir / "clips")
    done = []
    try:
        for step in STEPS:
            started = time.monotonic()
            try:
                outcome = step(journey)
            except StepFailed as exc:
                raise StepFailed(f"{step.__name__}: {exc}") from exc
            seconds = time.monotonic() - started
            done.append((step.__name__, outcome, seconds))
            log(f"  ok  {step.__name__:22} {seconds:6.1f}s  {outcome}")
    finally:
        journey.http.close()
    return done
