"""What the images and the compose file say, read from them: prod-local runs those commands.

- `command(target)` and `healthcheck(target)`: the CMD / HEALTHCHECK of a backend/Dockerfile stage
  (JSON form), so a change to the image's command is what prod-local and prod-smoke run next.
- `service_env(name)`: the process-shape settings a docker-compose.prod.yml service sets
  (queues, concurrency, pool sizes), with `${VAR:-default}` resolved against the environment.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
BACKEND_DOCKERFILE = REPO / "backend" / "Dockerfile"
PROD_COMPOSE = REPO / "docker-compose.prod.yml"

# Settings a compose service may set that shape its processes; addresses and secrets are
# prod-local's own (this machine's Postgres and Redis, moto, the stand-ins).
SHAPE_SETTINGS = (
    "APP_ENV",
    "LOG_FORMAT",
    "WEB_CONCURRENCY",
    "WORKER_QUEUES",
    "WORKER_CONCURRENCY",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
)
_DEFAULTED = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}")


def _instructions(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Per stage: (INSTRUCTION, rest of the logical line), continuation lines joined."""
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            match = re.search(r"\s+AS\s+(\S+)$", rest, flags=re.I)
            current = stages.setdefault(match.group(1) if match else f"_anon{len(stages)}", [])
        elif current is not None:
            current.append((word.upper(), rest.strip()))
    return stages


def command(target: str, dockerfile: Path = BACKEND_DOCKERFILE) -> list[str]:
    for word, rest in reversed(_instructions(dockerfile)[target]):
        if word == "CMD":
            parsed: list[str] = json.loads(rest)
            return parsed
    raise LookupError(f"{dockerfile}: stage {target} has no CMD")


def healthcheck(target: str, dockerfile: Path = BACKEND_DOCKERFILE) -> list[str]:
    for word, rest in reversed(_instructions(dockerfile)[target]):
        if word == "HEALTHCHECK":
            parsed: list[str] = json.loads(rest[rest.index("CMD ") + 4 :])
            return parsed
    raise LookupError(f"{dockerfile}: stage {target} has no HEALTHCHECK")


def _resolve(value: Any) -> str:
    return _DEFAULTED.sub(lambda m: os.environ.get(m.group(1)) or m.group(2), str(value))


def service_env(name: str, compose: Path = PROD_COMPOSE) -> dict[str, str]:
    environment = yaml.safe_load(compose.read_text())["services"][name].get("environment", {})
    resolved = {key: _resolve(value) for key, value in environment.items() if key in SHAPE_SETTINGS}
    return {key: value for key, value in resolved.items() if value}


def worker_services(compose: Path = PROD_COMPOSE) -> list[str]:
    """The compose services that run the worker image (one per queue)."""
    services = yaml.safe_load(compose.read_text())["services"]
    return [name for name, s in services.items() if "-worker:" in str(s.get("image", ""))]
