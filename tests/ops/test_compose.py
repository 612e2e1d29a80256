"""docker-compose*.yml, the Dockerfiles and the workflows, checked structurally.

No Docker engine runs on the development machines or in CI's sandbox, so nothing here builds or
starts a container; these tests catch what breaks a deploy before it reaches one: a missing
service, healthcheck, restart policy or limit, an undocumented ${VAR}, a build target or COPY
source that does not exist, an image name that release.yml never pushes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "docker-compose.yml"
PROD = REPO / "docker-compose.prod.yml"
ONE_SHOT = {"migrate", "minio-init"}
DEV_SERVICES = {"postgres", "redis", "minio", "mailpit", "migrate", "api", "worker", "beat", "web"}
PROD_SERVICES = {"nginx", "migrate", "api", "worker", "beat", "redis", "postgres"}
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
    for name in ("api", "worker", "beat"):
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
    for name in ("api", "worker", "beat", "redis", "postgres", "nginx"):
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
    assert "gunicorn app.main:app -k uvicorn.workers.UvicornWorker" in text
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
