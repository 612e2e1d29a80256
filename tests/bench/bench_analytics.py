"""Beacon ingest (issue 17 part 4): playback beacons per second into PostgreSQL through the API,
next to a bare INSERT of the same rows measured in the same run.

Starts the API under gunicorn (the production server command, bench_hot_paths.gunicorn_command)
on a fresh PostgreSQL database and Redis db, seeds one free published video, then:

  api   POST /api/v1/analytics/beacons, batches of --batch beacons (pre-encoded JSON, as a player
        sends them), from --clients keep-alive connections for --duration seconds
  bare  the same rows (as the API stores them) with psycopg: one multi-row INSERT per batch
  copy  the same rows with psycopg: one COPY per batch (what the API does on PostgreSQL)

and prints beacons/s for each, the ratios and the load average when the API run ended (the machine
is shared). Target (issue 17): api >= 2,000 beacons/s.
Exits 1 when it is missed (--no-check to only print).

    uv run python tests/bench/bench_analytics.py [--duration 10] [--batch 100] [--clients 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hot_paths import (
    BACKEND,
    free_port,
    gunicorn_command,
    services,
    stop_process,
    wait_for,
    wait_until_serving,
)

TARGET_PER_S = 2000


def migrate_and_seed(env: dict[str, str]) -> uuid.UUID:
    os.environ.update(env)
    sys.path.insert(0, str(BACKEND))
    from alembic.config import Config

    from alembic import command

    config = Config(str(BACKEND / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND / "alembic"))
    command.upgrade(config, "heads")

    from app.auth.models import Role, User
    from app.core.clock import utcnow
    from app.db.session import sync_session
    from app.media.models import Video, VideoStatus

    with sync_session() as s:
        teacher = User(email="t@bench.local", display_name="Sensei", password_hash="x", role=Role.instructor)
        s.add(teacher)
        s.flush()
        video = Video(
            owner_id=teacher.id,
            status=VideoStatus.published,
            title="Heian shodan",
            description="",
            discipline="karate",
            tags=[],
            language="en",
            media_prefix="videos/bench/",
            duration_s=600.0,
            published_at=utcnow(),
        )
        s.add(video)
        s.flush()
        return video.id


def batch_body(video_id: uuid.UUID, size: int) -> bytes:
    session_id = str(uuid.uuid4())
    beacons = [
        {
            "video_id": str(video_id),
            "session_id": session_id,
            "kind": "heartbeat",
            "media": "full",
            "position_s": float(i * 10 % 600),
            "duration_s": 600.0,
            "rendition": "720p",
            "bitrate_kbps": 2800,
        }
        for i in range(size)
    ]
    return json.dumps({"beacons": beacons}).encode()


def drive_api(url: str, bodies: list[bytes], clients: int, duration: float, batch: int) -> tuple[float, int]:
    import httpx

    sent = [0] * clients
    errors = [0] * clients
    stop_at = time.monotonic() + duration

    def client(n: int) -> None:
        with httpx.Client(timeout=30, headers={"Content-Type": "text/plain"}) as http:
            i = n
            while time.monotonic() < stop_at:
                resp = http.post(url, content=bodies[i % len(bodies)])
                if resp.status_code == 200 and resp.json()["accepted"] == batch:
                    sent[n] += batch
                else:
                    errors[n] += 1
                i += clients

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(sent) / (time.monotonic() - started), sum(errors)


def bare_insert(database_url: str, video_id: uuid.UUID, batch: int, batches: int) -> float:
    """The same rows the API stores, by psycopg alone: one multi-row INSERT per batch."""
    import psycopg

    columns = (
        "received_at, occurred_at, video_id, user_id, session_id, kind, media, position_s, duration_s, "
        "rendition, bitrate_kbps"
    )
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * batch)
    sql = f"INSERT INTO analytics_beacons ({columns}) VALUES {placeholders}"
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.monotonic()
        for _ in range(batches):
            now = datetime.now(UTC)
            session_id = uuid.uuid4()
            params: list[Any] = []
            for i in range(batch):
                params += [
                    now,
                    now,
                    video_id,
                    None,
                    session_id,
                    "heartbeat",
                    "full",
                    float(i * 10 % 600),
                    600.0,
                    "720p",
                    2800,
                ]
            conn.execute(sql, params)
        return batch * batches / (time.monotonic() - started)


def bare_copy(database_url: str, video_id: uuid.UUID, batch: int, batches: int) -> float:
    """The same rows by psycopg COPY ... FROM STDIN, one COPY per batch: the API's own mechanism
    on PostgreSQL, bare."""
    import psycopg

    columns = (
        "received_at, occurred_at, video_id, user_id, session_id, kind, media, position_s, duration_s, "
        "rendition, bitrate_kbps"
    )
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.monotonic()
        for _ in range(batches):
            now = datetime.now(UTC)
            session_id = uuid.uuid4()
            with (
                conn.transaction(),
                conn.cursor().copy(f"COPY analytics_beacons ({columns}) FROM STDIN") as copy,
            ):
                for i in range(batch):
                    copy.write_row(
                        (
                            now,
                            now,
                            video_id,
                            None,
                            session_id,
                            "heartbeat",
                            "full",
                            float(i * 10 % 600),
                            600.0,
                            "720p",
                            2800,
                        )
                    )
        return batch * batches / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()

    with services(args.workers) as env:
        env["ANALYTICS_BEACON_BATCHES_PER_MINUTE"] = "1000000"  # one client address sends them all
        video_id = migrate_and_seed(env)
        port = free_port()
        log = (Path(env["VAR_DIR"]) / "api.log").open("wb")
        api = subprocess.Popen(
            gunicorn_command("app.main:app", port, args.workers),
            cwd=BACKEND,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port, api)
            wait_until_serving(f"http://127.0.0.1:{port}/health", api)
            bodies = [batch_body(video_id, args.batch) for _ in range(64)]
            url = f"http://127.0.0.1:{port}/api/v1/analytics/beacons"
            drive_api(url, bodies, args.clients, 2.0, args.batch)  # warm-up
            api_rate, errors = drive_api(url, bodies, args.clients, args.duration, args.batch)
            load = os.getloadavg()
        finally:
            stop_process(api)
        batches = max(20, int(api_rate * 2 / args.batch))
        bare_rate = bare_insert(env["DATABASE_URL"], video_id, args.batch, batches)
        copy_rate = bare_copy(env["DATABASE_URL"], video_id, args.batch, batches)

    print(f"{'path':<8}{'beacons/s':>12}")
    print(
        f"{'api':<8}{api_rate:>12,.0f}   ({args.clients} clients, batches of {args.batch}, {errors} errors)"
    )
    print(f"{'bare':<8}{bare_rate:>12,.0f}   (psycopg, one multi-row INSERT per batch)")
    print(f"{'copy':<8}{copy_rate:>12,.0f}   (psycopg, one COPY per batch: the API's mechanism, bare)")
    print(
        f"ratio api/bare: {api_rate / bare_rate:.2f}x   api/copy: {api_rate / copy_rate:.2f}x   "
        f"target: api >= {TARGET_PER_S:,} beacons/s"
    )
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    if args.no_check:
        return 0
    return 0 if api_rate >= TARGET_PER_S and errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
