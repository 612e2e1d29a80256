"""What the fault drills break and how they drive the platform.

- PrivateRedis / PrivatePostgres: servers of the drill's own (this machine's shared ones are
  never stopped), started and restarted for real on free ports.
- FaultProxy: an HTTP proxy in front of moto's S3 that answers some requests with S3's
  500 InternalError and delays others, counting what it did.
- Platform helpers on top of tests/prodlocal: an admin from the CLI, a video uploaded through
  presigned parts, waits on statuses and on the jobs table.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from tests.prodlocal.journey import PASSWORD, Account, Journey, StepFailed, check
from tests.prodlocal.topology import ProdLocal, _port_open, free_port

# --- servers of the drill's own -----------------------------------------------------------------


class PrivateRedis:
    """redis-server with the broker's persistence (appendonly), restartable on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> PrivateRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        command += ["--appendonly", "yes", "--save", ""]
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 20
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A PostgreSQL cluster of the drill's own (initdb, trust on loopback), restartable."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="mamc-drill-pg-"))
        self.port = free_port()
        bindir = Path("/usr/lib/postgresql")
        versions = sorted(bindir.glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
        self.pg_ctl = str(versions[-1]) if versions else (shutil.which("pg_ctl") or "pg_ctl")
        self.initdb = str(Path(self.pg_ctl).with_name("initdb"))

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        data = str(self.folder / "data")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        command = [self.pg_ctl, "-D", data, "-l", str(self.folder / "pg.log"), "-o", options, "-w", *args]
        result = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {result.stderr}{result.stdout}")

    def start(self) -> PrivatePostgres:
        self.folder.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        init = [self.initdb, "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        result = subprocess.run(_as_postgres(init), capture_output=True, text=True, timeout=180)
        if result.returncode:
            raise RuntimeError(f"initdb failed: {result.stderr}")
        self._ctl("start")
        return self

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class FaultProxy:
    """Forwards to an S3 endpoint; `fail_every`: every Nth request to the bucket answers 500
    InternalError (S3's own error document) without reaching S3, as does the first request of
    each operation in `fail_first`; `delay`: seconds added to every forwarded request.
    `injected` counts the 500s per operation ("PUT part/complete", "GET object", ...)."""

    def __init__(
        self, target_port: int, *, fail_every: int = 0, fail_first: tuple[str, ...] = (), delay: float = 0.0
    ) -> None:
        self.target_port = target_port
        self.fail_every = fail_every
        self.fail_first = set(fail_first)
        self.delay = delay
        self.seen = 0
        self.injected: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _operation(self, method: str) -> str:
                path, _, query = self.path.partition("?")
                if "uploadId=" in query:
                    return f"{method} part/complete"
                if path.count("/") <= 1:
                    return f"{method} bucket"
                return f"{method} object"

            def _relay(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = self._operation(method)
                with proxy.lock:
                    proxy.seen += 1
                    fail = proxy.fail_every > 0 and proxy.seen % proxy.fail_every == 0
                    if operation in proxy.fail_first:
                        proxy.fail_first.discard(operation)
                        fail = True
                    (proxy.injected if fail else proxy.forwarded)[operation] += 1
                if fail:
                    error = (
                        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
                        b"<Message>We encountered an internal error. Please try again.</Message></Error>"
                    )
                    self.send_response(500)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(error)))
                    self.end_headers()
                    self.wfile.write(error)
                    return
                time.sleep(proxy.delay)
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.target_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                upstream.request(method, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(payload)
                upstream.close()

            def do_GET(self) -> None:
                self._relay("GET")

            def do_PUT(self) -> None:
                self._relay("PUT")

            def do_POST(self) -> None:
                self._relay("POST")

            def do_HEAD(self) -> None:
                self._relay("HEAD")

            def do_DELETE(self) -> None:
                self._relay("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- driving the platform -----------------------------------------------------------------------


@contextmanager
def running(topology: ProdLocal) -> Iterator[ProdLocal]:
    try:
        yield topology.start()
    except BaseException:
        for name in topology.components:
            tail = topology.tail(name, 1200)
            if tail:
                print(f"--- {name}.log\n{tail}")
        raise
    finally:
        topology.stop()


def drill_topology(root: Path, only: tuple[str, ...], **kwargs: Any) -> ProdLocal:
    return ProdLocal(
        root=root,
        https_port=free_port(),
        database=f"mamc_drill_{uuid.uuid4().hex[:10]}",
        drop_database=True,
        only=only,
        log=lambda _line: None,
        **kwargs,
    )


def admin_account(journey: Journey) -> Account:
    """The first admin, made with the CLI (admins may upload videos too)."""
    account = Account(email=f"drill-admin-{uuid.uuid4().hex[:8]}@example.com")
    made = journey.cli("-m", "app", "create-admin", "--email", account.email, "--password", PASSWORD)
    check(made.returncode == 0, f"create-admin: {made.stdout}{made.stderr}"[-1500:])
    login = journey.api("POST", "/auth/login", json={"email": account.email, "password": PASSWORD})
    check(login.status_code == 200, f"login: {login.text[:300]}")
    account.token = login.json()["access_token"]
    account.id = journey.api("GET", "/me", headers=account.headers).json()["id"]
    journey.accounts["admin"] = account
    return account


def make_test_clip(path: Path, seconds: float, size: str = "640x480", noisy: bool = False) -> Path:
    """An H.264/AAC MP4 from ffmpeg's test sources (the binary the worker image carries);
    `noisy` adds per-frame noise so the file is large (~1.2 MB per second at 640x480)."""
    from tests.media.helpers import ffmpeg

    source = f"testsrc=size={size}:rate=24:duration={seconds}" + (",noise=alls=60:allf=t" if noisy else "")
    command = [
        ffmpeg(), "-v", "error", "-y",
        "-f", "lavfi", "-i", source,
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-crf", "26",
        "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True, timeout=300)
    return path


def create_video(journey: Journey, who: str = "admin") -> str:
    body = {"title": f"Drill {uuid.uuid4().hex[:6]}", "discipline": "karate"}
    made = journey.api("POST", "/videos", who, json=body)
    check(made.status_code == 201, f"create video: {made.status_code} {made.text[:300]}")
    return str(made.json()["id"])


def start_upload(journey: Journey, video_id: str, size: int, who: str = "admin") -> dict[str, Any]:
    start = journey.api(
        "POST",
        f"/videos/{video_id}/upload",
        who,
        json={"filename": "drill.mp4", "content_type": "video/mp4", "size_bytes": size},
    )
    check(start.status_code == 201, f"start upload: {start.status_code} {start.text[:300]}")
    return dict(start.json())


def put_part(journey: Journey, url: str, data: bytes, *, attempts: int = 6) -> str:
    """PUT one part as a browser uploader does: retry a 5xx or a dropped connection."""
    last = ""
    for attempt in range(attempts):
        try:
            resp = httpx.put(url, content=data, timeout=120, verify=str(journey.topology.ca_file))
        except httpx.HTTPError as exc:
            last = repr(exc)
        else:
            if resp.status_code == 200:
                return str(resp.headers["ETag"])
            last = f"{resp.status_code} {resp.text[:200]}"
            if resp.status_code < 500:
                break
        time.sleep(0.5 * (attempt + 1))
    raise StepFailed(f"part PUT failed: {last}")


def video_status(journey: Journey, video_id: str, who: str = "admin") -> str:
    return str(journey.api("GET", f"/videos/{video_id}", who).json()["status"])


def wait_status(journey: Journey, video_id: str, wanted: str, timeout: float, who: str = "admin") -> float:
    started = time.monotonic()

    def reached() -> bool:
        status = video_status(journey, video_id, who)
        check(status != "failed", f"video {video_id} failed")
        return status == wanted

    journey.wait(f"video {video_id} to be {wanted}", reached, timeout, every=0.5)
    return time.monotonic() - started


def sql(topology: ProdLocal, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    dsn = topology.env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        return list(conn.execute(query, params).fetchall())


def jobs_of(topology: ProdLocal, video_id: str) -> list[dict[str, Any]]:
    rows = sql(
        topology,
        "SELECT state, stage, attempts, requeues, heartbeat_at FROM video_jobs WHERE video_id = %s",
        uuid.UUID(video_id),
    )
    return [
        dict(zip(("state", "stage", "attempts", "requeues", "heartbeat_at"), r, strict=True)) for r in rows
    ]


@dataclass
class Traffic:
    """A background reader hitting `path` through the edge, recording every status."""

    journey: Journey
    path: str
    every: float = 0.1
    statuses: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        with httpx.Client(
            base_url=self.journey.topology.base_url, verify=str(self.journey.topology.ca_file)
        ) as c:
            while not self._stop.is_set():
                try:
                    status = c.get(self.path, timeout=10).status_code
                except httpx.HTTPError:
                    status = 0
                self.statuses.append((time.monotonic(), status))
                self._stop.wait(self.every)

    def __enter__(self) -> Traffic:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def between(self, start: float, end: float) -> list[int]:
        return [status for at, status in self.statuses if start <= at <= end]
