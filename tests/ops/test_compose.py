"""docker-compose*.yml, the Dockerfiles and the workflows, checked structurally.

No Docker engine runs on the development machines or in CI's sandbox, so nothing here builds or
starts a container; these tests catch what breaks a deploy before it reaches one: a missing
service, healthcheck, restart policy or limit, an undocumented ${VAR}, a build target or COPY
source that does not exist, an image name that release.yml never pushes.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "docker-compose.yml"
PROD = REPO / "docker-compose.prod.yml"
ONE_SHOT = {"migrate", "minio-init"}
DEV_SERVICES = {"postgres", "redis", "minio", "mailpit", "migrate", "api", "worker", "beat", "web"}
PROD_WORKERS = {
    "worker-default": "default",
    "worker-media": "media",
    "worker-studio": "studio",
    "worker-coach": "coach",
}
PROD_SERVICES = {"nginx", "migrate", "api", *PROD_WORKERS, "beat", "redis", "redis-cache", "postgres"}
# ${NAME}, ${NAME:-x}, ${NAME:?x}, $NAME -- but not $$NAME (a literal $ for the container shell)
VAR = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def documented_env_names() -> set[str]:
    names = set()
    for line in (REPO / ".env.example").read_text().splitlines():
        match = re.match(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def strings_in(node: Any) -> list[str]:
    """Every key and value of a loaded YAML document (comments are not part of it)."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*strings_in(k), *strings_in(v))]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return [node] if isinstance(node, str) else []


def referenced_vars(document: Any) -> set[str]:
    return {a or b for text in strings_in(document) for a, b in VAR.findall(text)}


@pytest.mark.parametrize("path", [DEV, PROD], ids=["dev", "prod"])
def test_every_long_running_service_has_a_healthcheck(path: Path) -> None:
    services = load(path)["services"]
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", f"{name}: one-shot services must not restart"
            assert "healthcheck" not in service
            continue
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{path.name}: {name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_dev_stack_has_its_services_and_reloading_api() -> None:
    compose = load(DEV)
    services = compose["services"]
    assert set(services) >= DEV_SERVICES, DEV_SERVICES - set(services)
    assert "--reload" in services["api"]["command"]
    api_env = services["api"]["environment"]
    assert api_env["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert api_env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["web"]["build"]["target"] == "web"
    for name in ("worker", "beat"):
        assert "celery" in " ".join(services[name]["command"])


def test_prod_stack_services_restart_policies_and_limits() -> None:
    services = load(PROD)["services"]
    assert set(services) >= PROD_SERVICES, PROD_SERVICES - set(services)
    for name, service in services.items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert limits.get("memory") and limits.get("cpus"), f"{name} has no resource limits"
        assert service.get("logging", {}).get("options", {}).get("max-size"), f"{name}: log rotation"
        if name in ONE_SHOT:
            continue
        assert service.get("restart") in ("always", "unless-stopped"), f"{name}: restart policy"


def test_prod_migrations_run_once_before_api_worker_and_beat() -> None:
    services = load(PROD)["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["alembic", "upgrade", "heads"]
    assert migrate["restart"] == "no"
    for name in ("api", *PROD_WORKERS, "beat"):
        cond = services[name]["depends_on"]["migrate"]["condition"]
        assert cond == "service_completed_successfully", name


def test_prod_edge_terminates_tls_with_mounted_letsencrypt_and_redis_persists() -> None:
    services = load(PROD)["services"]
    nginx = services["nginx"]
    assert {"80:80", "443:443"} <= set(nginx["ports"])
    assert "/etc/letsencrypt:/etc/letsencrypt:ro" in nginx["volumes"]
    assert nginx["environment"]["NGINX_CERT_DIR"].startswith("/etc/letsencrypt/live/")
    assert set(nginx["environment"]) >= {
        "NGINX_SERVER_NAME",
        "NGINX_CERT_DIR",
        "NGINX_API_UPSTREAM",
        "MEDIA_SIGNING_SECRET",
    }
    redis = services["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert any(v.endswith(":/data") for v in redis["volumes"])
    for name in ("api", *PROD_WORKERS, "beat", "redis", "redis-cache", "postgres", "nginx"):
        assert "ports" not in services[name] or name == "nginx", f"{name} must not be published"


def test_prod_template_variables_are_all_provided_to_the_edge() -> None:
    """Every ${NGINX_*}/${MEDIA_*} placeholder of prod.conf is set on the nginx service."""
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", (REPO / "nginx" / "prod.conf").read_text()))
    provided = set(load(PROD)["services"]["nginx"]["environment"])
    assert placeholders <= provided, placeholders - provided


@pytest.mark.parametrize("path", [DEV, PROD], ids=["dev", "prod"])
def test_every_referenced_variable_is_documented_in_env_example(path: Path) -> None:
    missing = referenced_vars(load(path)) - documented_env_names()
    assert not missing, f"{path.name} uses undocumented variables: {sorted(missing)}"


# --- Dockerfiles ---------------------------------------------------------------------------------


def dockerfile_stages(path: Path) -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        match = re.match(r"^FROM\s+\S+(?:\s+AS\s+(\S+))?", line, flags=re.I)
        if match:
            current = match.group(1) or f"_anon{len(stages)}"
            stages[current] = []
        elif current and line and not line.startswith("#"):
            stages[current].append(line)
    return stages


def copy_sources(path: Path) -> list[str]:
    sources = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "COPY" and not any(p.startswith("--from") for p in parts):
            args = [p for p in parts[1:] if not p.startswith("--")]
            sources += args[:-1]
    return sources


@pytest.mark.parametrize(
    ("dockerfile", "targets"),
    [("backend/Dockerfile", {"api", "worker", "beat"}), ("frontend/Dockerfile", {"web", "edge"})],
)
def test_dockerfiles_have_targets_that_run_unprivileged(dockerfile: str, targets: set[str]) -> None:
    path = REPO / dockerfile
    stages = dockerfile_stages(path)
    assert targets <= set(stages), targets - set(stages)
    for target in targets - {"edge"}:  # edge: root master reads the 0600 LE keys, workers drop
        users = [line.split()[1] for line in stages[target] if line.startswith("USER ")]
        assert users and users[-1] not in ("root", "0"), f"{target} runs as root"
    for source in copy_sources(path):
        assert (REPO / source).exists(), f"{dockerfile}: COPY {source} does not exist"


def test_worker_image_carries_the_studio_stack_and_api_does_not() -> None:
    text = (REPO / "backend" / "Dockerfile").read_text()
    stages = dockerfile_stages(REPO / "backend" / "Dockerfile")
    assert any("--from=builder-full" in line for line in stages["worker"])
    assert any("--from=builder-slim" in line for line in stages["api"])
    heavy = re.search(r'ARG HEAVY="([^"]+)"', text)
    assert heavy and "imageio-ffmpeg" in heavy.group(1) and "mediapipe" in heavy.group(1)
    assert "--no-install-package av" in heavy.group(1)  # PyAV: the media worker's probe only
    assert "exec gunicorn -c gunicorn.conf.py app.main:app" in text
    assert (REPO / "backend" / "gunicorn.conf.py").is_file()
    lock = (REPO / "uv.lock").read_text()
    for package in ("imageio-ffmpeg", "mediapipe", "gunicorn"):
        assert f'name = "{package}"' in lock, f"{package} missing from uv.lock"


def test_compose_build_targets_exist_and_prod_images_are_the_ones_release_pushes() -> None:
    for path in (DEV, PROD):
        for name, service in load(path)["services"].items():
            build = service.get("build")
            if build:
                stages = dockerfile_stages(REPO / build["dockerfile"])
                assert build["target"] in stages, f"{path.name}:{name} target {build['target']}"
    release = load(REPO / ".github" / "workflows" / "release.yml")
    pushed = {m["target"] for m in release["jobs"]["image"]["strategy"]["matrix"]["include"]}
    for name, service in load(PROD)["services"].items():
        image = service["image"]
        match = re.match(r"^\$\{IMAGE_PREFIX:\?[^}]*\}-([a-z]+):\$\{IMAGE_TAG:\?[^}]*\}$", image)
        if match:
            assert match.group(1) in pushed, f"{name} runs an image release.yml never pushes"
        else:
            assert ":" in image and not image.endswith(":"), f"{name}: pin a tag ({image})"


def test_workflows_cover_ci_release_and_gated_deploy() -> None:
    workflows = REPO / ".github" / "workflows"
    ci = load(workflows / "ci.yml")
    # PyYAML reads the key `on` as True
    assert set(ci[True]) >= {"push", "pull_request"}
    job = ci["jobs"]["test"]
    assert set(job["services"]) >= {"postgres", "redis"}
    steps = " ".join(str(step.get("run", "")) for step in job["steps"])
    for command in ("uv sync", "ruff check", "mypy", "make test"):
        assert command in steps, command
    release = load(workflows / "release.yml")
    assert release[True]["push"]["tags"]
    deploy = load(workflows / "deploy.yml")
    deploy_job = deploy["jobs"]["deploy"]
    assert deploy_job["environment"]["name"] == "production"
    script = " ".join(str(step.get("run", "")) for step in deploy_job["steps"])
    for command in (
        "docker compose -f docker-compose.prod.yml pull",
        "docker compose -f docker-compose.prod.yml run --rm migrate",
        "docker compose -f docker-compose.prod.yml up -d",
    ):
        assert command in script, command


# --- issue 12: what reading the production configuration showed would not work --------------------


def command_flags(command: list[str]) -> dict[str, str]:
    """`--name value` pairs of a redis-server command line."""
    return {command[i][2:]: command[i + 1] for i in range(1, len(command) - 1) if command[i].startswith("--")}


def memory_bytes(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    match = re.fullmatch(r"(\d+)([kmg])b?", text.lower())
    assert match, text
    return int(match.group(1)) * units[match.group(2)]


def test_the_broker_never_drops_queued_tasks_and_the_cache_is_bounded() -> None:
    """Broker and cache on separate Redis instances: the broker persists and refuses writes when
    full (noeviction); the cache evicts, but only keys with a TTL. Both fit their container."""
    services = load(PROD)["services"]
    env = services["api"]["environment"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
    assert env["REDIS_URL"].startswith("redis://redis-cache:")
    broker = command_flags(services["redis"]["command"])
    assert broker["appendonly"] == "yes" and broker["maxmemory-policy"] == "noeviction"
    cache = command_flags(services["redis-cache"]["command"])
    assert cache["maxmemory-policy"] == "volatile-lru" and cache["appendonly"] == "no"
    for name, flags in (("redis", broker), ("redis-cache", cache)):
        limit = memory_bytes(services[name]["deploy"]["resources"]["limits"]["memory"])
        assert memory_bytes(flags["maxmemory"]) <= 0.8 * limit, f"{name}: maxmemory must leave headroom"


def test_each_queue_has_its_own_worker_service_with_fair_scheduling() -> None:
    from app.worker.celery_app import QUEUES

    services = load(PROD)["services"]
    consumed = {}
    for name, queue in PROD_WORKERS.items():
        environment = services[name]["environment"]
        assert environment["WORKER_QUEUES"] == queue, name
        assert services[name]["image"].endswith("-worker:${IMAGE_TAG:?set IMAGE_TAG}"), name
        consumed[queue] = name
    assert set(consumed) == set(QUEUES), "every Celery queue needs a worker service"
    worker_cmd = " ".join(dockerfile_stages(REPO / "backend" / "Dockerfile")["worker"])
    assert "-O fair" in worker_cmd and "-Q ${WORKER_QUEUES" in worker_cmd


def test_every_volume_a_backend_container_writes_exists_in_the_image_owned_by_the_app_user() -> None:
    """A named volume mounted where the image has no directory is created root-owned: the app
    (uid 10001) could not write its objects or backups."""
    stages = dockerfile_stages(REPO / "backend" / "Dockerfile")
    services = load(PROD)["services"]
    for name in ("api", *PROD_WORKERS, "beat"):
        target = "worker" if name in PROD_WORKERS else name
        lines = stages[target]
        created = {
            p for line in lines if line.startswith("RUN mkdir") for p in line.split() if p.startswith("/")
        }
        created |= {
            p
            for line in lines
            if line.startswith("/app/") or line.startswith("&& chown")
            for p in line.split()
        }
        chowned = " ".join(line for line in lines if "chown" in line)
        for volume in services[name].get("volumes", []):
            path = volume.split(":")[1]
            assert path in created, f"{name}: {path} is not created in the {target} image"
            assert "app:app /app/var" in chowned, f"{name}: /app/var is not owned by app"


def test_the_images_pg_dump_matches_the_postgres_server() -> None:
    text = (REPO / "backend" / "Dockerfile").read_text()
    major = re.search(r"^ARG PG_MAJOR=(\d+)$", text, flags=re.M)
    assert major, "backend/Dockerfile must pin PG_MAJOR"
    assert '"postgresql-client-${PG_MAJOR}"' in text and "apt.postgresql.org" in text
    image = load(PROD)["services"]["postgres"]["image"]
    assert image.startswith(f"postgres:{major.group(1)}"), f"{image} vs client {major.group(1)}"


def test_healthchecks_ask_the_api_for_readiness_not_liveness() -> None:
    api = load(PROD)["services"]["api"]
    assert api["healthcheck"]["test"] == ["CMD", "python", "-m", "app.health.probe"]
    stage = " ".join(dockerfile_stages(REPO / "backend" / "Dockerfile")["api"])
    assert 'CMD ["python", "-m", "app.health.probe"]' in stage
    probe = (REPO / "backend" / "app" / "health" / "probe.py").read_text()
    assert '"/ready"' in probe


def test_database_connections_fit_postgres_with_four_api_containers() -> None:
    """Sum of (processes x (DB_POOL_SIZE + DB_MAX_OVERFLOW)) stays under max_connections (minus
    superuser and maintenance headroom) with 4 api containers of 2 workers each."""
    from app.core.config import Settings

    defaults = Settings()
    services = load(PROD)["services"]
    command = " ".join(services["postgres"]["command"])
    found = re.search(r"max_connections=(\d+)", command)
    assert found, "set max_connections explicitly"
    max_connections = int(found.group(1))

    def per_process(name: str) -> int:
        env = services[name]["environment"]
        pool = int(env.get("DB_POOL_SIZE", defaults.db_pool_size))
        overflow = int(env.get("DB_MAX_OVERFLOW", defaults.db_max_overflow))
        return pool + overflow

    def default_of(value: str) -> int:
        return int(re.sub(r"^\$\{[A-Z_]+:-(\d*)\}.*$", r"\1", value) or 2)

    api_workers = math.ceil(
        float(services["api"]["deploy"]["resources"]["limits"]["cpus"])
    )  # gunicorn.conf.py
    assert "WEB_CONCURRENCY" not in services["api"]["environment"]
    api = 4 * api_workers * per_process("api")

    def processes(name: str) -> int:  # a thread-pool worker is one process sharing one pool
        env = services[name]["environment"]
        return 1 if env.get("WORKER_POOL") == "threads" else default_of(str(env["WORKER_CONCURRENCY"]))

    workers = sum(processes(name) * per_process(name) for name in PROD_WORKERS)
    assert api + workers + 1 <= max_connections - 10, (api, workers, max_connections)


def test_the_edge_fetches_signed_media_from_an_origin_and_the_csp_names_the_media_hosts() -> None:
    conf = (REPO / "nginx" / "prod.conf").read_text()
    media = conf[conf.index("location /media/ {") :]
    media = media[: media.index("\n        }\n")]
    assert "proxy_pass ${NGINX_MEDIA_ORIGIN};" in media and "alias" not in media
    assert "proxy_cache_key $uri;" in media
    csp = next(line for line in conf.splitlines() if "Content-Security-Policy" in line)
    assert "media-src 'self' blob: ${NGINX_MEDIA_HOSTS}" in csp
    assert "connect-src 'self' https://api.stripe.com ${NGINX_MEDIA_HOSTS}" in csp
    storage = conf[conf.index("location /api/v1/storage/ {") :]
    size = re.search(r"client_max_body_size (\d+)m;", storage[: storage.index("}")])
    from app.core.config import Settings

    largest_part = max(Settings().media_part_size_bytes, Settings().studio_upload_part_size)
    assert size and int(size.group(1)) * 1024**2 > largest_part


HEAVY_MODULES = {
    "mediapipe": "mediapipe",
    "opencv-contrib-python": "cv2",
    "imageio-ffmpeg": "imageio_ffmpeg",
    "av": "av",
    "faster-whisper": "faster_whisper",
    "ctranslate2": "ctranslate2",
    "onnxruntime": "onnxruntime",
    "rapidocr-onnxruntime": "rapidocr_onnxruntime",
    "pypdfium2": "pypdfium2",
    "lingua-language-detector": "lingua",
    "torch": "torch",
    "resemblyzer": "resemblyzer",
    "pyworld": "pyworld",
    "librosa": "librosa",
    "scikit-learn": "sklearn",
    "pyloudnorm": "pyloudnorm",
}


def test_the_api_process_loads_none_of_the_packages_its_image_leaves_out() -> None:
    """The slim API image omits the compute stacks (ARG HEAVY): importing the app must not need them."""
    heavy = re.search(r'ARG HEAVY="([^"]+)"', (REPO / "backend" / "Dockerfile").read_text())
    assert heavy
    omitted = set(re.findall(r"--no-install-package (\S+)", heavy.group(1)))
    assert set(HEAVY_MODULES) <= omitted
    probe = (
        # video_studio.hls_master: the dubbed master playlist the API writes at playback
        "import sys, app.main; app.main.create_app(); import video_studio.hls_master; "
        f"print(','.join(sorted(m for m in {sorted(HEAVY_MODULES.values())!r} if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO / "backend", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"the API imports {result.stdout.strip()}"
