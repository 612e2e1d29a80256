"""Fault drills: the production topology (tests/prodlocal; only the parts a drill needs) with a
fault injected into real processes. Results and timings are in docs/RUNBOOK.md."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.faults.drill_support import (
    FaultProxy,
    PrivatePostgres,
    PrivateRedis,
    Traffic,
    admin_account,
    create_video,
    drill_topology,
    jobs_of,
    make_test_clip,
    put_part,
    running,
    sql,
    start_upload,
    video_status,
    wait_status,
)
from tests.prodlocal.journey import PASSWORD, Journey, _register, check, wait_for
from tests.prodlocal.topology import free_port, services_reachable

from tests.support.stripe_standin import event_envelope
from tests.support.tmpfs import tmpfs

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _services() -> None:
    if not services_reachable():
        pytest.skip("the drills need this machine's PostgreSQL (5432) and Redis (6379)")


def _login(journey: Journey, email: str) -> httpx.Response:
    return journey.api("POST", "/auth/login", json={"email": email, "password": PASSWORD})


def _upload(journey: Journey, video_id: str, data: bytes) -> None:
    session = start_upload(journey, video_id, len(data))
    size = int(session["part_size"])
    parts = [
        {
            "part_number": p["part_number"],
            "etag": put_part(journey, p["url"], data[(p["part_number"] - 1) * size :][:size]),
        }
        for p in session["parts"]
    ]
    done = journey.api("POST", f"/videos/{video_id}/upload/complete", "admin", json={"parts": parts})
    check(done.status_code == 202, f"complete: {done.status_code} {done.text[:300]}")


def test_redis_stopped_and_restarted_under_traffic(tmp_path: Path) -> None:
    """Catalog reads keep being served (the cache fails open to Postgres), logins are refused
    (rate limits fail closed), and the same worker process picks up new tasks once Redis is back."""
    redis = PrivateRedis(tmp_path / "redis").start()
    topology = drill_topology(
        tmp_path / "topology",
        ("s3", "sendgrid", "api", "worker-default", "nginx"),
        overrides={"REDIS_URL": redis.url(1), "CELERY_BROKER_URL": redis.url(0)},
    )
    try:
        with running(topology):
            journey = Journey(topology, tmp_path)
            viewer = _register(journey, "viewer")  # its mail went through worker-default
            worker_pid = topology.components["worker-default"].process.pid  # type: ignore[union-attr]
            with Traffic(journey, "/api/v1/videos?limit=24") as traffic:
                time.sleep(1.0)
                redis.stop()
                down_at = time.monotonic()
                time.sleep(2.0)
                login = _login(journey, viewer.email)
                check(
                    login.status_code == 503, f"login with Redis down: {login.status_code} {login.text[:200]}"
                )
                check(login.json()["error"]["code"] == "rate_limit_unavailable", login.text[:200])
                time.sleep(2.0)
                redis.start()
                up_at = time.monotonic()
                wait_for("logins again", lambda: _login(journey, viewer.email).status_code == 200, 30)
                time.sleep(1.0)
            during = traffic.between(down_at, up_at)
            check(len(during) >= 10, f"too little traffic while Redis was down: {len(during)}")
            check(set(during) == {200}, f"catalog reads while Redis was down: {sorted(set(during))}")
            check(all(s == 200 for _, s in traffic.statuses), "a catalog read failed around the outage")
            # a new task reaches the same worker process through the restarted broker
            started = time.monotonic()
            second = _register(journey, "second")
            took = time.monotonic() - started
            component = topology.components["worker-default"]
            check(component.alive and component.process.pid == worker_pid, "worker-default was restarted")  # type: ignore[union-attr]
            print(
                f"\nredis drill: {len(during)} catalog reads during a {up_at - down_at:.1f}s outage, "
                "all 200; "
                f"login 503 while down; mail to {second.email} after restart in {took:.1f}s"
            )
    finally:
        redis.stop()


def test_postgres_restarted_the_api_and_workers_recover_without_a_restart(tmp_path: Path) -> None:
    postgres = PrivatePostgres().start()
    topology = drill_topology(
        tmp_path / "topology",
        ("s3", "stripe", "sendgrid", "api", "worker-default", "nginx"),
        pg_admin_url=postgres.admin_url,
    )
    try:
        with running(topology):
            journey = Journey(topology, tmp_path)
            viewer = _register(journey, "viewer")
            pids = {n: c.process.pid for n, c in topology.components.items()}  # type: ignore[union-attr]
            restarted_at = time.monotonic()
            postgres.restart()
            catalog = wait_for(
                "the catalog after the restart",
                lambda: journey.api("GET", "/videos?limit=5").status_code == 200,
                30,
            )
            recovered = time.monotonic() - restarted_at
            check(catalog, "catalog")
            check(_login(journey, viewer.email).status_code == 200, "login after the restart")
            # a Stripe event: stored by the API, applied by worker-default, both through Postgres
            event = event_envelope(
                "customer.created", {"id": f"cus_{uuid.uuid4().hex[:12]}", "object": "customer"}
            )
            stripe = topology.env["STRIPE_API_BASE"]
            delivered = httpx.post(f"{stripe}/_standin/events", content=json.dumps(event), timeout=60).json()
            check(delivered["delivered"] == 200, f"webhook after the restart: {delivered}")
            wait_for(
                "worker-default to apply the event",
                lambda: sql(
                    topology, "SELECT processed_at FROM stripe_events WHERE event_id = %s", event["id"]
                )[0][0],
                60,
            )
            _register(journey, "second")  # and mail still flows
            after = {n: c.process.pid for n, c in topology.components.items()}  # type: ignore[union-attr]
            check(after == pids and all(c.alive for c in topology.components.values()), "a process restarted")
            print(
                f"\npostgres drill: API answered {recovered:.1f}s after the restart; "
                "webhook applied; no restarts"
            )
    finally:
        postgres.stop()


def test_s3_errors_and_slowness_uploads_and_processing_retry_and_finish(tmp_path: Path) -> None:
    """Every 4th S3 request is a 500 and every forwarded one takes 0.4 s more: part PUTs,
    the API's completion and the worker's download and output uploads retry; the job also keeps
    its heartbeat through the long, slow output upload."""
    moto_port = free_port()
    proxy = FaultProxy(moto_port, fail_every=4, fail_first=("PUT part/complete",), delay=0.4).start()
    topology = drill_topology(
        tmp_path / "topology",
        ("s3", "api", "worker-media", "nginx"),
        fixed_ports={"s3": moto_port},
        overrides={
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{proxy.port}",
            "worker-media:JOB_HEARTBEAT_SECONDS": "1",
        },
    )
    try:
        with running(topology):
            journey = Journey(topology, tmp_path)
            admin_account(journey)
            clip = make_test_clip(tmp_path / "clip.mp4", 4)
            video_id = create_video(journey)
            samples: list[tuple[float, str | None, object]] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    for job in jobs_of(topology, video_id):
                        samples.append((time.monotonic(), job["stage"], job["heartbeat_at"]))
                    stop.wait(0.3)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.monotonic()
            _upload(journey, video_id, clip.read_bytes())
            took = wait_status(journey, video_id, "ready", 300)
            stop.set()
            sampler.join(timeout=10)
            (job,) = jobs_of(topology, video_id)
            check(job["state"] == "succeeded", f"job {job}")
            check(proxy.injected["PUT part/complete"] >= 1, f"no part PUT was failed: {dict(proxy.injected)}")
            check(sum(proxy.injected.values()) >= 5, f"too few injected errors: {dict(proxy.injected)}")
            uploading = [(at, beat) for at, stage, beat in samples if stage == "upload"]
            check(uploading, "never saw the upload stage")
            span = uploading[-1][0] - uploading[0][0]
            beats = {beat for _, beat in uploading}
            check(span >= 3 and len(beats) >= 2, f"upload stage {span:.1f}s, heartbeats seen {len(beats)}")
            print(
                f"\ns3 drill: {sum(proxy.injected.values())} injected 500s ({dict(proxy.injected)}), "
                f"+0.4s per request; processed {time.monotonic() - started:.0f}s after the first part "
                f"(processing {took:.0f}s, {job['attempts']} attempt(s)); "
                f"heartbeat advanced {len(beats) - 1}x "
                f"during a {span:.0f}s output upload"
            )
    finally:
        proxy.stop()


def test_a_worker_killed_mid_job_completes_the_job_once_within_two_minutes(tmp_path: Path) -> None:
    topology = drill_topology(
        tmp_path / "topology", ("s3", "api", "worker-media", "worker-default", "beat", "nginx")
    )
    with running(topology):
        journey = Journey(topology, tmp_path)
        admin_account(journey)
        clip = make_test_clip(tmp_path / "clip.mp4", 12)
        video_id = create_video(journey)
        _upload(journey, video_id, clip.read_bytes())

        def transcoding() -> bool:
            jobs = jobs_of(topology, video_id)
            return bool(jobs) and jobs[0]["state"] == "running" and jobs[0]["stage"] == "transcode"

        wait_for("the job to be transcoding", transcoding, 180, every=0.2)
        topology.kill("worker-media")  # SIGKILL: main process, pool child, ffmpeg
        killed_at = time.monotonic()
        topology.launch("worker-media")  # the container restarts (restart: unless-stopped)
        wait_status(journey, video_id, "ready", 150)
        took = time.monotonic() - killed_at
        (job,) = jobs_of(topology, video_id)
        check(job["state"] == "succeeded" and job["attempts"] == 2 and job["requeues"] == 1, f"job {job}")
        events = sql(
            topology,
            "SELECT count(*) FROM video_events WHERE video_id = %s AND to_status = 'ready'",
            uuid.UUID(video_id),
        )[0][0]
        check(events == 1, f"{events} transitions to ready")
        check(took <= 120, f"the job completed {took:.0f}s after the kill (limit 120 s)")
        print(
            f"\nworker drill: killed mid-transcode, requeued by the reaper, "
            f"done once {took:.0f}s after the kill"
        )


def test_the_api_killed_mid_upload_the_upload_resumes(tmp_path: Path) -> None:
    """Local-store mode, where part bytes stream through nginx into the API: the API dies in the
    middle of a part; after its restart the client asks what is stored and sends the rest."""
    part_size = 5 * 1024 * 1024
    topology = drill_topology(
        tmp_path / "topology",
        ("api", "worker-media", "nginx"),
        object_store="local",
        overrides={"MEDIA_PART_SIZE_BYTES": str(part_size)},
    )
    with running(topology):
        journey = Journey(topology, tmp_path)
        admin_account(journey)
        data = make_test_clip(tmp_path / "clip.mp4", 6, noisy=True).read_bytes()
        check(len(data) > part_size, f"clip too small for two parts: {len(data)}")
        video_id = create_video(journey)
        session = start_upload(journey, video_id, len(data))
        first, second = session["parts"][:2]
        etag1 = put_part(journey, first["url"], data[:part_size])
        failure: list[str] = []

        def slow_body() -> Iterator[bytes]:
            chunk = data[part_size : 2 * part_size]
            for offset in range(0, len(chunk), 256 * 1024):
                yield chunk[offset : offset + 256 * 1024]
                time.sleep(0.15)

        def send() -> None:
            try:
                resp = httpx.put(second["url"], content=slow_body(), timeout=60, verify=str(topology.ca_file))
                failure.append(f"status {resp.status_code}")
            except httpx.HTTPError as exc:
                failure.append(type(exc).__name__)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(1.0)  # part 2 is on its way
        topology.kill("api")
        sender.join(timeout=60)
        check(failure and failure[0] != "status 200", f"the interrupted PUT succeeded? {failure}")
        topology.launch("api")
        topology.wait_ready(120, ["api"])
        resume = journey.api("GET", f"/videos/{video_id}/upload", "admin")
        check(resume.status_code == 200, f"resume: {resume.text[:300]}")
        stored = [p["part_number"] for p in resume.json()["uploaded_parts"]]
        missing = {p["part_number"]: p["url"] for p in resume.json()["parts"]}
        check(stored == [1] and 2 in missing, f"after the crash: stored {stored}, offered {sorted(missing)}")
        etags = [{"part_number": 1, "etag": etag1}]
        for number, url in sorted(missing.items()):
            etags.append(
                {
                    "part_number": number,
                    "etag": put_part(journey, url, data[(number - 1) * part_size :][:part_size]),
                }
            )
        done = journey.api("POST", f"/videos/{video_id}/upload/complete", "admin", json={"parts": etags})
        check(done.status_code == 202, f"complete: {done.status_code} {done.text[:300]}")
        wait_status(journey, video_id, "ready", 240)
        source = Path(topology.env["LOCAL_STORAGE_DIR"]) / "videos" / video_id / "source" / "original"
        check(hashlib.sha256(source.read_bytes()).digest() == hashlib.sha256(data).digest(), "source differs")
        print(
            f"\napi drill: PUT of part 2 cut by the kill ({failure[0]}); resumed with part 1 kept, processed"
        )


@pytest.fixture
def tiny_store(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "objects", "12m") as mount:
        yield mount


def test_a_full_local_store_is_a_clear_error_and_nothing_is_lost(tmp_path: Path, tiny_store: Path) -> None:
    topology = drill_topology(
        tmp_path / "topology", ("api", "nginx"), object_store="local", local_store_dir=tiny_store
    )
    with running(topology):
        journey = Journey(topology, tmp_path)
        admin_account(journey)
        first = os.urandom(1024 * 1024)
        kept = create_video(journey)
        _upload(journey, kept, first)
        kept_source = tiny_store / "videos" / kept / "source" / "original"
        digest = hashlib.sha256(kept_source.read_bytes()).hexdigest()
        filler = tiny_store / "filler"
        subprocess.run(["fallocate", "-l", str(9 * 1024 * 1024), str(filler)], check=True)
        video_id = create_video(journey)
        data = os.urandom(3 * 1024 * 1024)
        session = start_upload(journey, video_id, len(data))
        url = session["parts"][0]["url"]
        full = httpx.put(url, content=data, timeout=60, verify=str(topology.ca_file))
        check(full.status_code == 507, f"full disk: {full.status_code} {full.text[:300]}")
        error = full.json()["error"]
        check(error["code"] == "storage_full" and "nothing was saved" in error["message"], str(error))
        check(hashlib.sha256(kept_source.read_bytes()).hexdigest() == digest, "a stored source changed")
        leftovers = [p.name for p in tiny_store.rglob("*") if p.name.endswith(("tmp", "etag-tmp"))]
        check(not leftovers, f"temporary files left behind: {leftovers}")
        resume = journey.api("GET", f"/videos/{video_id}/upload", "admin").json()
        check(resume["uploaded_parts"] == [], f"a part counted as stored: {resume['uploaded_parts']}")
        filler.unlink()  # the operator frees space; the client retries the same part
        etag = put_part(journey, resume["parts"][0]["url"], data)
        done = journey.api(
            "POST",
            f"/videos/{video_id}/upload/complete",
            "admin",
            json={"parts": [{"part_number": 1, "etag": etag}]},
        )
        check(done.status_code == 202, f"complete after freeing space: {done.text[:300]}")
        check(video_status(journey, video_id) == "processing", "the upload did not complete")
        print(
            "\ndisk drill: 507 storage_full with the disk full; stored source intact; upload completed after"
        )
