"""Fixtures for the ops tests: a real nginx (installed by nginx/ensure-nginx.sh if missing),
rendered from nginx/*.conf into a private prefix under tmp_path on a free loopback port, and
real servers behind it. Every process a fixture starts is stopped by the same fixture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.prodlocal (the edge config)

from ops_support import (
    NGINX_DIR,
    REPO,
    ApiServer,
    NginxInstance,
    backend_has_app,
    free_port,
    make_self_signed_cert,
    nginx_global_args,
    prepare_prefix,
    stop_process,
    wait_for_port,
)


@pytest.fixture(scope="session")
def nginx_bin() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        result = subprocess.run(
            ["bash", str(NGINX_DIR / "ensure-nginx.sh")],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            pytest.fail(f"could not install nginx: {result.stderr.strip()}")
        found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found


@pytest.fixture
def start_nginx(nginx_bin: str, tmp_path: Path) -> Iterator[Callable[..., NginxInstance]]:
    started: list[NginxInstance] = []

    def _start(values: Mapping[str, str], name: str = "edge") -> NginxInstance:
        prefix = tmp_path / f"nginx-{name}"
        port = free_port()
        conf = prepare_prefix(prefix, NGINX_DIR / "dev.conf", {**values, "NGINX_LISTEN": f"127.0.0.1:{port}"})
        err = prefix / "logs" / "error.log"
        proc = subprocess.Popen(
            [nginx_bin, "-p", str(prefix), "-e", str(err), "-c", str(conf), *nginx_global_args()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        instance = NginxInstance(prefix=prefix, port=port, proc=proc)
        started.append(instance)
        try:
            wait_for_port(port, proc=proc)
        except (RuntimeError, TimeoutError) as exc:
            stderr = proc.stderr.read().decode() if proc.stderr and proc.poll() is not None else ""
            raise RuntimeError(f"nginx did not start: {exc}\n{stderr}\n{instance.error_log()}") from exc
        return instance

    yield _start
    for instance in started:
        stop_process(instance.proc)


@pytest.fixture
def self_signed_cert(tmp_path: Path) -> Path:
    directory = tmp_path / "letsencrypt" / "live" / "media.example.test"
    make_self_signed_cert(directory, "media.example.test")
    return directory


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[ApiServer]:
    """The real platform under uvicorn, on a fresh SQLite database and a private var dir."""
    if not backend_has_app():
        pytest.skip("backend/app/main.py does not exist yet")
    var = tmp_path / "var"
    var.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite+aiosqlite:///{var / 'api.db'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "S3_BUCKET": "",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=REPO / "backend",
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, timeout=60, proc=proc)
    except (RuntimeError, TimeoutError) as exc:
        stop_process(proc)
        raise RuntimeError(f"uvicorn did not start: {exc}\n{log.read_text()[-4000:]}") from exc
    yield ApiServer(port=port, proc=proc, log=log)
    stop_process(proc)
