"""Plain helpers shared by the ops tests (processes, ports, nginx templates, certificates).

Kept out of conftest.py so that test modules can import them by name: tests/ops/conftest.py puts
this directory on sys.path.
"""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NGINX_DIR = REPO / "nginx"


from tests.prodlocal.edge import render_module  # noqa: E402  (one loader of nginx/render.py)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def sign_media_uri(uri: str, expires: int, secret: str) -> str:
    """The documented scheme (nginx/README.md), written independently of the app's signer."""
    digest = hashlib.md5(f"{expires}{uri} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class NginxInstance:
    prefix: Path
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def error_log(self) -> str:
        path = self.prefix / "logs" / "error.log"
        return path.read_text() if path.exists() else ""


def nginx_global_args() -> list[str]:
    # As root the master would hand requests to `nobody`, who cannot enter pytest's 0700 tmp dirs.
    return ["-g", "daemon off; user root;"] if os.geteuid() == 0 else ["-g", "daemon off;"]


def prepare_prefix(prefix: Path, template: Path, values: Mapping[str, str]) -> Path:
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render_module.render(template.read_text(), values))
    return conf


def make_self_signed_cert(directory: Path, host: str) -> None:
    from tests.prodlocal.edge import make_self_signed_cert as make

    make(directory, [host])


def backend_has_app() -> bool:
    return (REPO / "backend" / "app" / "main.py").exists()


@dataclass
class ApiServer:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
