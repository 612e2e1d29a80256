"""`make load`: a bounded, headless Locust run on loopback, summarised in var/load/summary.txt.

Starts the real platform (uvicorn, fresh SQLite under var/load/run, migrated, one admin user for
the authenticated scenarios), real nginx with nginx/dev.conf in front of it (signed /media/ from
a generated HLS ladder), then Locust with a fixed number of users for a fixed time. Scenarios
whose endpoints the API does not serve yet (per /openapi.json) are left out and named in the
summary. Everything started here is stopped here; traffic only goes to 127.0.0.1.

  LOAD_USERS (20)  LOAD_SPAWN_RATE (10/s)  LOAD_SECONDS (20)  LOAD_SCENARIOS (auto)  LOAD_OUT_DIR
For a production target run Locust directly:  LOAD_HOST=https://... locust -f tests/load/locustfile.py
"""

from __future__ import annotations

import csv
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
# LOAD_OUT_DIR: where summary.txt (and run/ with logs, CSVs, the temp platform) go
OUT = Path(os.environ.get("LOAD_OUT_DIR") or REPO / "var" / "load")
RUN = OUT / "run"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def make_hls(objects: Path, videos: int = 3, segments: int = 20, size: int = 64 * 1024) -> list[str]:
    keys = []
    for v in range(videos):
        folder = objects / "videos" / f"load-{v}" / "hls"
        folder.mkdir(parents=True, exist_ok=True)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:4", "#EXT-X-PLAYLIST-TYPE:VOD"]
        for s in range(segments):
            (folder / f"seg-{s:05d}.ts").write_bytes(b"\x47" + os.urandom(size - 1))
            lines += ["#EXTINF:4.0,", f"seg-{s:05d}.ts"]
        (folder / "index.m3u8").write_text("\n".join([*lines, "#EXT-X-ENDLIST", ""]))
        keys.append(f"videos/load-{v}/hls/index.m3u8")
    return keys


def summarise(stats_csv: Path, meta: dict[str, str]) -> str:
    with stats_csv.open() as fh:
        rows = list(csv.DictReader(fh))
    lines = [f"{k}: {v}" for k, v in meta.items()]
    lines.append("")
    header = f"{'name':44} {'reqs':>7} {'fails':>6} {'rps':>8} {'p50':>6} {'p95':>6} {'p99':>6}"
    lines += [header, "-" * len(header)]
    for row in rows:
        label = f"{row['Type']} {row['Name']}".strip() if row["Name"] != "Aggregated" else "TOTAL"
        lines.append(
            f"{label[:44]:44} {row['Request Count']:>7} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):8.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    lines += [
        "",
        f"rps={float(total['Requests/s']):.1f} p50_ms={total['50%']} p95_ms={total['95%']} "
        f"p99_ms={total['99%']} requests={total['Request Count']} failures={total['Failure Count']}",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    users = int(os.environ.get("LOAD_USERS", "20"))
    spawn = int(os.environ.get("LOAD_SPAWN_RATE", "10"))
    seconds = int(os.environ.get("LOAD_SECONDS", "20"))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        subprocess.run(["bash", str(REPO / "nginx" / "ensure-nginx.sh")], check=True)
    shutil.rmtree(RUN, ignore_errors=True)
    var = RUN / "var"
    (var / "objects").mkdir(parents=True)
    hls_keys = make_hls(var / "objects")
    media_secret = secrets.token_urlsafe(24)
    email, password = "load-admin@example.com", "Ld" + secrets.token_hex(12) + "-9x"
    app_env = {
        **os.environ,
        "APP_ENV": "test",
        "VAR_DIR": str(var),
        "LOCAL_STORAGE_DIR": str(var / "objects"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{var / 'load.db'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "S3_BUCKET": "",
        "RATE_LIMIT_ENABLED": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_SIGNING_SECRET": media_secret,
        "STRIPE_WEBHOOK_SECRET": "whsec_load_" + secrets.token_hex(8),
        "LOG_LEVEL": "WARNING",
    }
    api_port, edge_port = free_port(), free_port()
    app_env["APP_BASE_URL"] = f"http://127.0.0.1:{edge_port}"  # presigned part URLs go via nginx
    backend = REPO / "backend"
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], cwd=backend, env=app_env, check=True, capture_output=True
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "create-admin",
            f"--email={email}",
            f"--password={password}",
            "--name=Load Admin",
        ],
        cwd=backend,
        env=app_env,
        check=True,
        capture_output=True,
    )

    procs: list[subprocess.Popen[bytes]] = []
    try:
        api_log = (RUN / "uvicorn.log").open("wb")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(api_port),
                    "--workers",
                    "1",
                    "--no-access-log",
                ],
                cwd=backend,
                env=app_env,
                stdout=api_log,
                stderr=subprocess.STDOUT,
            )
        )
        wait_http(f"http://127.0.0.1:{api_port}/health", procs[-1])

        spec = importlib.util.spec_from_file_location("nginx_render", REPO / "nginx" / "render.py")
        assert spec and spec.loader
        render = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(render)
        prefix = RUN / "nginx"
        for sub in ("logs", "tmp"):
            (prefix / sub).mkdir(parents=True)
        web = RUN / "web"
        web.mkdir()
        (web / "index.html").write_text("<!doctype html><div id=root></div>")
        (prefix / "nginx.conf").write_text(
            render.render(
                (REPO / "nginx" / "dev.conf").read_text(),
                {
                    "NGINX_LISTEN": f"127.0.0.1:{edge_port}",
                    "NGINX_API_UPSTREAM": f"127.0.0.1:{api_port}",
                    "NGINX_WEB_ROOT": str(web),
                    "NGINX_MEDIA_ROOT": f"{var / 'objects'}/",
                    "MEDIA_SIGNING_SECRET": media_secret,
                },
            )
        )
        user = ["-g", "daemon off; user root;"] if os.geteuid() == 0 else ["-g", "daemon off;"]
        procs.append(
            subprocess.Popen(
                [
                    nginx,
                    "-p",
                    str(prefix),
                    "-e",
                    str(prefix / "logs" / "error.log"),
                    "-c",
                    str(prefix / "nginx.conf"),
                    *user,
                ]
            )
        )
        host = f"http://127.0.0.1:{edge_port}"
        wait_http(f"{host}/health", procs[-1])

        paths = set(httpx.get(f"{host}/openapi.json", timeout=10).json().get("paths", {}))
        wanted = {
            "health": True,
            "viewer": True,
            "catalog": os.environ.get("LOAD_CATALOG_PATH", "/api/v1/videos") in paths,
            "upload": "/api/v1/videos/{video_id}/upload/complete" in paths,
            # the webhook route is hidden from the schema: probe it
            "webhook": httpx.post(f"{host}/api/v1/webhooks/stripe", content=b"{}", timeout=10).status_code
            != 404,
        }
        scenarios = os.environ.get("LOAD_SCENARIOS") or ",".join(k for k, on in wanted.items() if on)
        skipped = ",".join(k for k, on in wanted.items() if not on) or "-"

        locust_env = {
            **app_env,
            "LOAD_SCENARIOS": scenarios,
            "LOAD_HLS_KEYS": ",".join(hls_keys),
            "LOAD_EMAIL": email,
            "LOAD_PASSWORD": password,
        }
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(REPO / "tests" / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(spawn),
                "-t",
                f"{seconds}s",
                "--host",
                host,
                "--csv",
                str(RUN / "stats"),
                "--only-summary",
                "--stop-timeout",
                "5",
                "--exit-code-on-error",
                "0",
                "--loglevel",
                "WARNING",
            ],
            env=locust_env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        (RUN / "locust.log").write_text(result.stdout + result.stderr)
        if not (RUN / "stats_stats.csv").exists():
            print(result.stderr[-3000:], file=sys.stderr)
            return 1
        summary = summarise(
            RUN / "stats_stats.csv",
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "target": f"{host} (nginx dev.conf -> uvicorn, 1 worker, SQLite)",
                "users": str(users),
                "spawn_rate": str(spawn),
                "seconds": str(seconds),
                "scenarios": scenarios,
                "not_served_yet": skipped,
            },
        )
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "summary.txt").write_text(summary)
        print(summary)
        return 0
    finally:
        for proc in reversed(procs):
            stop(proc)


if __name__ == "__main__":
    sys.exit(main())
