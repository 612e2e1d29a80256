"""Load profiles of the seed's shapes for `make load` (tests/load/run_load.py runs them against
prod-local; LOAD_* below point them anywhere else).

Profiles (user classes with fixed counts; LOAD_SCENARIOS picks them, default all):
  viewer    a streaming viewer: playback grant (API), master and variant playlists, then one
            segment per segment duration, all from nginx under the playback token (nginx asks the
            app once per token and directory per MEDIA_EDGE_AUTH_TTL_SECONDS)
  catalog   browsing: catalog pages, a search, a video card
  upload    an instructor: create a video, presigned upload of its bytes to S3, complete
  payment   a buyer: checkout, Stripe (the stand-in) completes it and delivers the signed
            webhook to the edge, the purchase unlocks playback
  (AI chats: the coach is not built yet; the profile is added with it)

Every simulated user connects from its own loopback address (127.a.b.c), so nginx's and the
API's per-address limits see many clients, as in production, not one.

Environment:
  LOAD_SEED             seed.json from tests/load/seed.py (tokens, video ids)
  LOAD_SCENARIOS        e.g. "viewer,catalog"
  LOAD_VIEWERS LOAD_BROWSERS LOAD_UPLOADERS LOAD_PAYERS   users per profile (1000/100/50/50)
  LOAD_SEGMENT_SECONDS  pause between segments (6: real time)
  LOAD_UPLOAD_BYTES     bytes per upload (1 MiB)
  LOAD_CA_FILE          CA bundle of the edge's certificate (prod-local's self-signed one)
  LOAD_STRIPE_URL       the Stripe stand-in (it completes checkouts and sends the webhook)
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SCENARIOS = set(env_list("LOAD_SCENARIOS", "viewer,catalog,upload,payment"))
SEED: dict[str, Any] = (
    json.loads(Path(os.environ["LOAD_SEED"]).read_text()) if os.environ.get("LOAD_SEED") else {}
)
SEGMENT_SECONDS = float(os.environ.get("LOAD_SEGMENT_SECONDS", "6"))
UPLOAD_BYTES = int(os.environ.get("LOAD_UPLOAD_BYTES", str(1024 * 1024)))
CA_FILE = os.environ.get("LOAD_CA_FILE") or True
STRIPE_URL = os.environ.get("LOAD_STRIPE_URL", "")
_addresses = itertools.count(2)
_accounts: dict[str, itertools.count[int]] = {}  # per token pool: each user its own account
_lock = threading.Lock()


class SourceAddressAdapter(HTTPAdapter):
    """Connections of this session leave from one loopback address of its own."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(pool_connections=4, pool_maxsize=4)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class PlatformUser(HttpUser):
    abstract = True
    token_pool = ""

    def on_start(self) -> None:
        with _lock:
            n = next(_addresses)
            account = next(_accounts.setdefault(self.token_pool, itertools.count()))
        address = f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        adapter = SourceAddressAdapter(address)
        self.client.mount("https://", adapter)
        self.client.mount("http://", adapter)
        self.client.verify = CA_FILE
        tokens = SEED.get(self.token_pool) or [""]
        if tokens[account % len(tokens)]:
            self.client.headers["Authorization"] = f"Bearer {tokens[account % len(tokens)]}"


class StreamingViewer(PlatformUser):
    fixed_count = int(os.environ.get("LOAD_VIEWERS", "1000"))
    token_pool = "viewer_tokens"
    wait_time = between(1, 3)

    @task
    def watch(self) -> None:
        video = random.choice(SEED["free_videos"])
        grant = self.client.get(f"/api/v1/videos/{video}/playback", name="/api/v1/videos/[id]/playback")
        if grant.status_code != 200:
            return
        master_url = grant.json()["url"]
        master = self.client.get(master_url, name="playlist master")
        if master.status_code != 200:
            return
        variant_url = urljoin(master_url, next(x for x in master.text.splitlines() if x and x[0] != "#"))
        variant = self.client.get(variant_url, name="playlist variant")
        if variant.status_code != 200:
            return
        # relative lines under the playback token (nginx edge mode) or signed URLs (app-served)
        segments = [urljoin(variant_url, x) for x in variant.text.splitlines() if x and x[0] != "#"]
        for segment in segments[: random.randint(3, len(segments))]:
            started = time.monotonic()
            self.client.get(segment, name="segment (nginx)")
            time.sleep(max(0.0, SEGMENT_SECONDS - (time.monotonic() - started)))


class CatalogBrowser(PlatformUser):
    """Anonymous visitors (the catalog is public)."""

    fixed_count = int(os.environ.get("LOAD_BROWSERS", "100"))
    wait_time = between(1, 3)

    @task(4)
    def page(self) -> None:
        self.client.get("/api/v1/videos?limit=24", name="/api/v1/videos?limit=24")

    @task(2)
    def search(self) -> None:
        word = random.choice(["kick", "kata", "throw", "guard", "sweep", "drill"])
        self.client.get(f"/api/v1/videos?q={word}&limit=24", name="/api/v1/videos?q=[word]")

    @task(1)
    def card(self) -> None:
        video = random.choice(SEED["free_videos"] + SEED["priced_videos"])
        self.client.get(f"/api/v1/videos/{video}", name="/api/v1/videos/[id]")


class Uploader(PlatformUser):
    """Instructors uploading at the same time; each starts a new upload every 10-20 s."""

    fixed_count = int(os.environ.get("LOAD_UPLOADERS", "50"))
    token_pool = "uploader_tokens"
    wait_time = between(10, 20)

    @task
    def upload(self) -> None:
        made = self.client.post(
            "/api/v1/videos",
            json={"title": "load upload", "discipline": "karate"},
            name="/api/v1/videos [create]",
        )
        if made.status_code != 201:
            return
        video_id = made.json()["id"]
        start = self.client.post(
            f"/api/v1/videos/{video_id}/upload",
            json={"filename": "load.mp4", "content_type": "video/mp4", "size_bytes": UPLOAD_BYTES},
            name="/api/v1/videos/[id]/upload",
        )
        if start.status_code != 201:
            return
        session = start.json()
        parts = []
        for part in session["parts"]:
            size = min(session["part_size"], UPLOAD_BYTES - (part["part_number"] - 1) * session["part_size"])
            put = self.client.put(
                part["url"],
                data=os.urandom(size),
                name="S3 presigned part PUT",
                headers={"Authorization": None},
            )
            parts.append({"part_number": part["part_number"], "etag": put.headers.get("ETag", "")})
        self.client.post(
            f"/api/v1/videos/{video_id}/upload/complete",
            json={"parts": parts},
            name="/api/v1/videos/[id]/upload/complete",
        )


class Buyer(PlatformUser):
    """Buyers paying at the same time; each buys a video about every half minute."""

    fixed_count = int(os.environ.get("LOAD_PAYERS", "50"))
    token_pool = "payer_tokens"
    wait_time = between(20, 40)

    def on_start(self) -> None:
        super().on_start()
        self.unbought = list(SEED.get("priced_videos", []))
        random.shuffle(self.unbought)

    @task
    def buy(self) -> None:
        if not self.unbought:
            return
        video = self.unbought.pop()
        opened = self.client.post(
            "/api/v1/checkout", json={"kind": "ppv", "video_id": video}, name="/api/v1/checkout"
        )
        if opened.status_code != 201:
            return
        session_id = opened.json()["checkout_session_id"]
        with self.client.post(
            f"{STRIPE_URL}/_standin/checkout/sessions/{session_id}/complete",
            name="Stripe pays + signed webhook to the edge",
            headers={"Authorization": None},
            catch_response=True,
        ) as delivered:
            if delivered.status_code != 200 or delivered.json().get("delivered") != 200:
                delivered.failure(f"webhook delivery: {delivered.text[:200]}")
                return
        deadline = time.monotonic() + 30
        while True:  # the webhook is applied by worker-default, asynchronously
            with self.client.get(
                f"/api/v1/videos/{video}/playback",
                name="playback after payment (polled)",
                catch_response=True,
            ) as unlocked:
                if unlocked.status_code == 200:
                    return
                if unlocked.status_code != 403 or time.monotonic() > deadline:
                    unlocked.failure(f"still {unlocked.status_code} after the webhook")
                    return
                unlocked.success()  # not applied yet: expected for a moment
            time.sleep(0.5)


PROFILES: dict[str, type[PlatformUser]] = {
    "viewer": StreamingViewer,
    "catalog": CatalogBrowser,
    "upload": Uploader,
    "payment": Buyer,
}
for profile_name, profile in PROFILES.items():
    if profile_name not in SCENARIOS:
        profile.abstract = True  # Locust ignores abstract user classes
del profile_name, profile  # module-level names Locust must not mistake for user classes
