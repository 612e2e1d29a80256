"""Load profiles for the Martial Arts Media Center (Locust).

Scenarios (user classes), each enabled by LOAD_SCENARIOS (comma list; default: all):
  health     GET /health and /ready                                   (baseline)
  catalog    browse published videos: pages by cursor, open details   (LOAD_CATALOG_PATH)
  viewer     a viewer playing signed HLS through nginx: playlist then segments in order
  upload     create a video, presigned multipart upload, PUT parts, complete (LOAD_VIDEOS_PATH)
  webhook    Stripe webhook bursts with valid signatures, unique ids  (/api/v1/webhooks/stripe)

Environment (production runs set these; tests/load/run_load.py sets them for loopback):
  LOAD_HOST                  base URL (nginx in front of the API), e.g. https://media.example.com
  LOAD_SCENARIOS             e.g. "health,catalog,viewer"
  LOAD_ACCESS_TOKEN          bearer token for authenticated scenarios (or LOAD_EMAIL+LOAD_PASSWORD)
  LOAD_HLS_KEYS              comma list of object keys of HLS playlists (videos/<id>/hls/index.m3u8)
  MEDIA_SIGNING_SECRET       to sign /media/ URLs like the app does (nginx/README.md); without
                             it, LOAD_HLS_URLS gives already-signed playlist URLs instead
  LOAD_SEGMENTS_PER_VIEW     segments fetched per view (default 6)
  LOAD_UPLOAD_BYTES          bytes per uploaded video (default 256 KiB)
  STRIPE_WEBHOOK_SECRET      signs webhook payloads (the Stripe-Signature scheme)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import time
import uuid
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SCENARIOS = set(env_list("LOAD_SCENARIOS", "health,catalog,viewer,upload,webhook"))
CATALOG_PATH = os.environ.get("LOAD_CATALOG_PATH", "/api/v1/videos")
VIDEOS_PATH = os.environ.get("LOAD_VIDEOS_PATH", "/api/v1/videos")
WEBHOOK_PATH = os.environ.get("LOAD_WEBHOOK_PATH", "/api/v1/webhooks/stripe")
SEGMENTS_PER_VIEW = int(os.environ.get("LOAD_SEGMENTS_PER_VIEW", "6"))
UPLOAD_BYTES = int(os.environ.get("LOAD_UPLOAD_BYTES", str(256 * 1024)))
_token: dict[str, str] = {}


def sign_media(uri: str, ttl: int = 600) -> str:
    """The nginx secure_link scheme: base64url(md5("{expires}{uri} {secret}")), no padding."""
    secret = os.environ["MEDIA_SIGNING_SECRET"]
    expires = int(time.time()) + ttl
    digest = hashlib.md5(f"{expires}{uri} {secret}".encode(), usedforsecurity=False).digest()
    token = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return f"{uri}?md5={token}&expires={expires}"


def stripe_signature(payload: bytes, secret: str) -> str:
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


@events.test_start.add_listener
def _login_once(environment: Environment, **_: Any) -> None:
    """One login for the whole run (login is rate limited per address, by nginx and the app)."""
    if os.environ.get("LOAD_ACCESS_TOKEN"):
        _token["access"] = os.environ["LOAD_ACCESS_TOKEN"]
        return
    email, password = os.environ.get("LOAD_EMAIL"), os.environ.get("LOAD_PASSWORD")
    if not (email and password and environment.host):
        return
    import httpx

    response = httpx.post(
        f"{environment.host}/api/v1/auth/login",
        json={"email": email, "password": password},
        timeout=30,
        verify=False,
    )
    if response.status_code == 200:
        _token["access"] = response.json().get("access_token", "")


def auth_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {_token['access']}"} if _token.get("access") else {}


class HealthUser(HttpUser):
    weight = 1
    wait_time = between(0.5, 1.0)

    @task
    def health(self) -> None:
        self.client.get("/health")
        self.client.get("/ready")


class CatalogBrowser(HttpUser):
    """Lists a few pages (limit + cursor -> items + next_cursor) and opens some details."""

    weight = 4
    wait_time = between(0.2, 1.0)

    @task
    def browse(self) -> None:
        cursor: str | None = None
        for _ in range(random.randint(1, 3)):
            params: dict[str, Any] = {"limit": 20}
            if cursor:
                params["cursor"] = cursor
            with self.client.get(
                CATALOG_PATH, params=params, name=f"{CATALOG_PATH} [page]", catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")
                    return
                body = response.json()
                items, cursor = body.get("items", []), body.get("next_cursor")
            for item in random.sample(items, min(2, len(items))):
                if "id" in item:
                    self.client.get(f"{CATALOG_PATH}/{item['id']}", name=f"{CATALOG_PATH}/[id]")
            if not cursor:
                break


class HlsViewer(HttpUser):
    """A player: signed playlist, then consecutive signed segments (each its own signature)."""

    weight = 6
    wait_time = between(0.1, 0.5)

    def playlist_urls(self) -> list[tuple[str, str]]:
        if os.environ.get("MEDIA_SIGNING_SECRET"):
            return [(f"/media/{key}", sign_media(f"/media/{key}")) for key in env_list("LOAD_HLS_KEYS")]
        return [(url.split("?")[0], url) for url in env_list("LOAD_HLS_URLS")]

    @task
    def watch(self) -> None:
        choices = self.playlist_urls()
        if not choices:
            return
        uri, url = random.choice(choices)
        with self.client.get(url, name="/media/[playlist].m3u8", catch_response=True) as response:
            if response.status_code != 200 or not response.text.startswith("#EXTM3U"):
                response.failure(f"playlist status {response.status_code}")
                return
            segments = [line for line in response.text.splitlines() if line and not line.startswith("#")]
        base = uri.rsplit("/", 1)[0]
        start = random.randrange(max(1, len(segments) - SEGMENTS_PER_VIEW + 1))
        for segment in segments[start : start + SEGMENTS_PER_VIEW]:
            target = segment if segment.startswith(("http", "/")) else f"{base}/{segment}"
            if "md5=" not in target and os.environ.get("MEDIA_SIGNING_SECRET"):
                target = sign_media(target)
            self.client.get(target, name="/media/[segment].ts")


class Uploader(HttpUser):
    """An instructor uploading: create the video, open the multipart upload (the API presigns
    part URLs), PUT the parts straight to storage, complete. Needs an instructor/admin login."""

    weight = 1
    wait_time = between(1.0, 2.0)

    @task
    def upload(self) -> None:
        headers = auth_headers()
        with self.client.post(
            VIDEOS_PATH,
            json={"title": "load upload", "discipline": "karate"},
            headers=headers,
            name=f"{VIDEOS_PATH} [create]",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"create: status {response.status_code}")
                return
            video_id = response.json()["id"]
        with self.client.post(
            f"{VIDEOS_PATH}/{video_id}/upload",
            headers=headers,
            json={"filename": "load.mp4", "content_type": "video/mp4", "size_bytes": UPLOAD_BYTES},
            name=f"{VIDEOS_PATH}/[id]/upload",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"start: status {response.status_code}")
                return
            session = response.json()
        done = []
        for part in session["parts"]:
            size = min(session["part_size"], UPLOAD_BYTES - (part["part_number"] - 1) * session["part_size"])
            put = self.client.put(part["url"], data=os.urandom(size), name="[presigned part] PUT")
            done.append({"part_number": part["part_number"], "etag": put.headers.get("etag", "")})
        self.client.post(
            f"{VIDEOS_PATH}/{video_id}/upload/complete",
            json={"parts": done},
            headers=headers,
            name=f"{VIDEOS_PATH}/[id]/upload/complete",
        )


class WebhookBurst(HttpUser):
    """Stripe deliveries in bursts: every event unique, 1 in 5 delivered twice (idempotency)."""

    weight = 1
    wait_time = between(0.0, 0.2)

    @task
    def burst(self) -> None:
        secret = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_load")
        for _ in range(random.randint(5, 15)):
            event = {
                "id": f"evt_load_{uuid.uuid4().hex}",
                "object": "event",
                "type": "customer.created",
                "created": int(time.time()),
                "api_version": "2024-06-20",
                "livemode": False,
                "data": {"object": {"id": f"cus_{uuid.uuid4().hex[:14]}", "object": "customer"}},
            }
            payload = json.dumps(event).encode()
            deliveries = 2 if random.random() < 0.2 else 1
            for _ in range(deliveries):
                self.client.post(
                    WEBHOOK_PATH,
                    data=payload,
                    name=WEBHOOK_PATH,
                    headers={
                        "Content-Type": "application/json",
                        "Stripe-Signature": stripe_signature(payload, secret),
                    },
                )


_CLASSES = {
    "health": HealthUser,
    "catalog": CatalogBrowser,
    "viewer": HlsViewer,
    "upload": Uploader,
    "webhook": WebhookBurst,
}
for _name, _cls in _CLASSES.items():
    if _name not in SCENARIOS:
        _cls.abstract = True  # locust ignores abstract user classes
