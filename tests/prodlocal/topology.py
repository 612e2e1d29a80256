"""Start and stop the production topology natively (see tests/prodlocal/__init__.py).

`ProdLocal(root)` owns everything under `root`: settings (`<root>/prod-local.env` unless told
otherwise), TLS certificate, logs, the rendered nginx config and its cache, mail, the var dir.
It uses this machine's Postgres (a database of its own, created empty at each start, dropped at
stop when `drop_database`) and Redis (two dbs claimed in the same registry the test runs use, so
nothing else flushes them), and starts every other process itself. `stop()` ends all of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.prodlocal import images
from tests.prodlocal.edge import REPO, EdgeConfig, local_media_origin, make_self_signed_cert

BACKEND = REPO / "backend"
PG_ADMIN_URL = os.environ.get("MAMC_PRODLOCAL_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
_CLAIM_KEY = "mamc:test-run:redis-db:{}"  # the registry root conftest.py uses for test runs
_CLAIM_SECONDS = 3 * 3600
BUCKET = "mamc-prodlocal"

# Settings of the developer's shell that must not leak into the production processes.
_FOREIGN = (
    "APP_ENV", "VAR_DIR", "SECRET_KEY", "LOG_LEVEL", "CELERY_TASK_ALWAYS_EAGER", "APP_BASE_URL",
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MAMC_TEST_PROFILE", "S3_BUCKET", "S3_ENDPOINT_URL",
    "LOCAL_STORAGE_DIR", "OUTBOX_DIR", "RATE_LIMIT_ENABLED", "MEDIA_SIGNER", "MEDIA_SIGNING_SECRET",
    "PROMETHEUS_MULTIPROC_DIR", "WEB_CONCURRENCY", "WORKER_QUEUES", "WORKER_CONCURRENCY", "HOSTNAME",
)  # fmt: skip


def _app_setting_names() -> set[str]:
    """Every app setting's environment name (backend/app/core/config.py)."""
    from app.core.config import Settings

    return {name.upper() for name in Settings.model_fields}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def services_reachable() -> bool:
    """This machine's PostgreSQL and Redis answer (prod-local, prod-smoke, drills, load need them)."""
    return _port_open(5432) and _port_open(REDIS_PORT)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def claim_redis_db(owner: str) -> int:
    import redis

    registry = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
    for number in range(15, 0, -1):
        if registry.set(_CLAIM_KEY.format(number), owner, nx=True, ex=_CLAIM_SECONDS):
            redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number).flushdb()
            return number
    raise RuntimeError("every Redis db 1-15 is claimed (test runs, prod-local); free one: mamc:test-run:*")


def release_redis_db(number: int) -> None:
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number).flushdb()
    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0).delete(_CLAIM_KEY.format(number))


def _admin_sql(statement: str, admin_url: str = PG_ADMIN_URL) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)


def database_url(name: str, admin_url: str = PG_ADMIN_URL) -> str:
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


@dataclass
class Component:
    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    ready: Callable[[], bool]
    process: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class ProdLocal:
    root: Path
    https_port: int = 8443
    http_port: int = 0
    database: str = "mamc_prodlocal"
    drop_database: bool = False
    env_file: Path = Path()
    overrides: Mapping[str, str] = field(default_factory=dict)
    only: tuple[str, ...] = ()  # start just these components (fault drills); empty = all
    object_store: str = "s3"  # or "local": LOCAL_STORAGE_DIR, nginx serves it from its socket
    local_store_dir: Path | None = None
    pg_admin_url: str = PG_ADMIN_URL
    fixed_ports: Mapping[str, int] = field(default_factory=dict)  # e.g. {"s3": ...} behind a proxy
    web_root: Path | None = None  # default: frontend/dist (a placeholder page when not built)
    log: Callable[[str], None] = print
    components: dict[str, Component] = field(default_factory=dict)
    redis_dbs: list[int] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    edge: EdgeConfig | None = None

    # --- paths
    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def mail_dir(self) -> Path:
        return self.root / "mail"

    @property
    def ca_file(self) -> Path:
        return self.root / "tls" / "fullchain.pem"

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    # --- lifecycle
    def start(self, timeout: float = 180.0) -> ProdLocal:
        try:
            self._prepare()
            for name in self.components:
                self.launch(name)
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare(self) -> None:
        for sub in ("logs", "var", "tls", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.mail_dir, ignore_errors=True)
        self.mail_dir.mkdir()
        make_self_signed_cert(self.root / "tls", ["127.0.0.1", "localhost"])
        tag = f"prodlocal-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        if not {"REDIS_URL", "CELERY_BROKER_URL"} <= set(self.overrides):
            self.redis_dbs = [claim_redis_db(tag), claim_redis_db(tag)]
        broker_db, cache_db = self.redis_dbs or (0, 0)
        _admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)', self.pg_admin_url)
        _admin_sql(f'CREATE DATABASE "{self.database}"', self.pg_admin_url)
        if not self.http_port:
            self.http_port = free_port()
        names = ("api", "s3", "stripe", "sendgrid")
        self.ports = ports = {name: self.fixed_ports.get(name) or free_port() for name in names}
        secret = secrets.token_urlsafe(48)
        settings = {
            "APP_ENV": "production",
            "APP_BASE_URL": self.base_url,
            "SECRET_KEY": secret,
            "VAR_DIR": str(self.root / "var"),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "DATABASE_URL": database_url(self.database, self.pg_admin_url),
            "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{cache_db}",
            "CELERY_BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{broker_db}",
            "S3_BUCKET": BUCKET,
            "S3_REGION": "us-east-1",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
            "S3_ACCESS_KEY_ID": "prodlocal",
            "S3_SECRET_ACCESS_KEY": secrets.token_urlsafe(24),
            "SENDGRID_API_KEY": "SG." + secrets.token_urlsafe(32),
            "SENDGRID_API_BASE": f"http://127.0.0.1:{ports['sendgrid']}",
            "EMAIL_FROM": "no-reply@prod-local.test",
            "STRIPE_SECRET_KEY": "sk_test_" + secrets.token_hex(24),
            "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(24),
            "STRIPE_API_BASE": f"http://127.0.0.1:{ports['stripe']}",
            "MEDIA_SIGNER": "nginx",
            "MEDIA_SIGNING_SECRET": secrets.token_urlsafe(32),
        }
        store_dir = self.local_store_dir or self.root / "var" / "objects"
        if self.object_store == "local":
            for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
                settings.pop(name)
            settings["LOCAL_STORAGE_DIR"] = str(store_dir)
        settings.update({k: v for k, v in self.overrides.items() if ":" not in k})
        if self.env_file == Path():
            self.env_file = self.root / "prod-local.env"
        env_file = self.env_file
        env_file.parent.mkdir(parents=True, exist_ok=True)
        env_file.write_text(
            "# written by `make prod-local` (tests/prodlocal); regenerated at every start\n"
            + "".join(f"{k}={v}\n" for k, v in settings.items())
        )
        env_file.chmod(0o600)
        self.env = settings
        base = self.clean_env()
        venv_bin = str(Path(sys.executable).parent)
        base["PATH"] = f"{venv_bin}{os.pathsep}{base.get('PATH', '')}"  # image: PATH=/app/.venv/bin:$PATH
        base["PYTHONUNBUFFERED"] = "1"
        app_env = {**base, **settings}

        self._migrate(app_env)
        web_root = self.web_root or REPO / "frontend" / "dist"
        if not (web_root / "index.html").is_file():
            web_root = self.root / "web"
            web_root.mkdir(exist_ok=True)
            (web_root / "index.html").write_text("<!doctype html><title>mamc</title><div id=root></div>")
        self.edge = EdgeConfig(
            https_port=self.https_port,
            http_port=self.http_port,
            api_upstream=f"127.0.0.1:{ports['api']}",
            cert_dir=self.root / "tls",
            web_root=web_root,
            run_dir=self.root / "nginx",
            media_root=store_dir,
            media_origin=(
                local_media_origin(self.root / "nginx")
                if self.object_store == "local"
                else f"http://127.0.0.1:{ports['s3']}/{BUCKET}/"
            ),
            signing_secret=settings["MEDIA_SIGNING_SECRET"],
        )
        self.edge.write()
        python = sys.executable
        webhook = f"{self.base_url}/api/v1/webhooks/stripe"

        def http_ok(url: str) -> Callable[[], bool]:
            def check() -> bool:
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        return True
                except urllib.error.HTTPError:
                    return True  # it answers
                except OSError:
                    return False

            return check

        self.components = {
            "s3": Component(
                "s3",
                [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports["s3"])],
                base,
                REPO,
                lambda: self._bucket_ready(ports["s3"]),
            ),
            "stripe": Component(
                "stripe",
                [
                    python,
                    "-m",
                    "tests.support.stripe_standin",
                    "--port",
                    str(ports["stripe"]),
                    "--webhook-url",
                    webhook,
                    "--webhook-secret",
                    settings["STRIPE_WEBHOOK_SECRET"],
                    "--ca-file",
                    str(self.ca_file),
                ],
                base,
                BACKEND,
                lambda: _port_open(ports["stripe"]),
            ),
            "sendgrid": Component(
                "sendgrid",
                [
                    python,
                    "-m",
                    "tests.support.sendgrid_standin",
                    "--port",
                    str(ports["sendgrid"]),
                    "--mail-dir",
                    str(self.mail_dir),
                ],
                base,
                BACKEND,
                lambda: _port_open(ports["sendgrid"]),
            ),
            "api": self._image_component(
                "api",
                "api",
                {
                    **app_env,
                    **images.service_env("api"),
                    **self._shape_overrides("api"),
                    "GUNICORN_BIND": f"127.0.0.1:{ports['api']}",
                    "PROMETHEUS_MULTIPROC_DIR": str(self.root / "prometheus" / "api"),
                },
            ),
        }
        for service in images.worker_services():
            env = {
                **app_env,
                **images.service_env(service),
                **self._shape_overrides(service),
                "HOSTNAME": f"{service}.{self.database}",
                "PROMETHEUS_MULTIPROC_DIR": str(self.root / "prometheus" / service),
            }
            self.components[service] = self._image_component(service, "worker", env)
        self.components["beat"] = self._image_component(
            "beat", "beat", {**app_env, **images.service_env("beat")}
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            subprocess.run(["bash", str(REPO / "nginx" / "ensure-nginx.sh")], check=True)
        self.components["nginx"] = Component(
            "nginx",
            self.edge.command(nginx),
            base,
            REPO,
            http_ok(f"http://127.0.0.1:{self.http_port}/nginx-health"),
        )
        if self.object_store == "local":
            del self.components["s3"]
        if self.only:
            self.components = {n: c for n, c in self.components.items() if n in self.only}

    @staticmethod
    def clean_env() -> dict[str, str]:
        """This shell's environment without app settings (a test run's, a developer's .env)."""
        return {k: v for k, v in os.environ.items() if k not in _FOREIGN and k not in _app_setting_names()}

    def app_env(self) -> dict[str, str]:
        """What a CLI run by an operator of prod-local sees: the clean shell + prod-local.env."""
        return {**self.clean_env(), **self.env}

    def _shape_overrides(self, service: str) -> dict[str, str]:
        """`overrides` keyed `<service>:<NAME>` apply to that process only (e.g. load runs)."""
        prefix = f"{service}:"
        return {k[len(prefix) :]: v for k, v in self.overrides.items() if k.startswith(prefix)}

    def _image_component(self, name: str, target: str, env: dict[str, str]) -> Component:
        check = images.healthcheck(target)  # the image's own HEALTHCHECK decides "ready"

        def ready() -> bool:
            return (
                subprocess.run(check, cwd=BACKEND, env=env, capture_output=True, timeout=60).returncode == 0
            )

        return Component(name, images.command(target), env, BACKEND, ready)

    def _migrate(self, env: dict[str, str]) -> None:
        # the compose `migrate` service: alembic upgrade heads in the api image's WORKDIR
        result = subprocess.run(
            ["alembic", "upgrade", "heads"], cwd=BACKEND, env=env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise RuntimeError(f"migrations failed:\n{result.stdout}{result.stderr}")

    def _bucket_ready(self, port: int) -> bool:
        """moto answers: create the bucket, its CORS rule and the edge's read policy (once)."""
        if not _port_open(port):
            return False
        import boto3

        from app.ops.edge import edge_read_policy

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id=self.env["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["S3_SECRET_ACCESS_KEY"],
        )
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if BUCKET not in existing:
            s3.create_bucket(Bucket=BUCKET)
            s3.put_bucket_cors(
                Bucket=BUCKET,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": [self.base_url],
                            "AllowedMethods": ["PUT", "GET"],
                            "AllowedHeaders": ["*"],
                            "ExposeHeaders": ["ETag"],
                        }
                    ]
                },
            )
            policy = edge_read_policy(BUCKET, source_cidrs=["127.0.0.1/32"])
            s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
        return True

    def launch(self, name: str) -> None:
        component = self.components[name]
        if name == "nginx" and self.edge is not None:
            (self.edge.run_dir / "media-origin.sock").unlink(missing_ok=True)
        if component.name in ("api",) or component.name.startswith("worker"):
            shutil.rmtree(component.env.get("PROMETHEUS_MULTIPROC_DIR", ""), ignore_errors=True)
        out = (self.logs / f"{name}.log").open("ab")
        component.process = subprocess.Popen(
            component.command,
            cwd=component.cwd,
            env=component.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor only; it stops each in turn
        )
        out.close()

    def wait_ready(self, timeout: float, names: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(names or self.components)
        while waiting:
            for name in list(waiting):
                component = self.components[name]
                if not component.alive:
                    raise RuntimeError(
                        f"{name} exited early; see {self.logs / (name + '.log')}\n{self.tail(name)}"
                    )
                try:
                    if component.ready():
                        waiting.remove(name)
                        self.log(f"  {name} ready")
                except subprocess.TimeoutExpired:
                    pass
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(waiting)}")
            if waiting:
                time.sleep(0.5)

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def kill(self, name: str) -> None:
        """SIGKILL a component's whole process group, as a crash or an OOM kill would."""
        component = self.components[name]
        if component.alive and component.process is not None:
            os.killpg(component.process.pid, signal.SIGKILL)
            component.process.wait(timeout=30)

    def restart(self, name: str, timeout: float = 120.0) -> None:
        self.kill(name)
        self.launch(name)
        self.wait_ready(timeout, [name])

    def stop(self) -> None:
        for name in reversed(list(self.components)):
            component = self.components[name]
            if component.alive and component.process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(component.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for component in self.components.values():
            if component.process is None:
                continue
            try:
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(component.process.pid, signal.SIGKILL)
                component.process.wait(timeout=10)
        for number in self.redis_dbs:
            try:
                release_redis_db(number)
            except Exception as exc:  # teardown keeps going
                self.log(f"could not release Redis db {number}: {exc}")
        self.redis_dbs = []
        if self.drop_database:
            try:
                _admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)', self.pg_admin_url)
            except Exception as exc:
                self.log(f"could not drop database {self.database}: {exc}")

    def refresh_claims(self) -> None:
        """Keep the Redis db claims alive while prod-local runs for hours."""
        import redis

        registry = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
        for number in self.redis_dbs:
            registry.expire(_CLAIM_KEY.format(number), _CLAIM_SECONDS)
