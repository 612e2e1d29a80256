"""Token media served by nginx itself (issue 20; nginx/README.md "Token media"): nginx/dev.conf
and prod.conf serve `/media/t/<token>/<key>` — playlists untouched, segments by their relative
URIs — after an `auth_request` to the app, whose answer they reuse per (token, directory) for as
long as its `Cache-Control` says (fresh, then stale while asked again in the background).
The app side of that protocol (`GET /api/v1/media/edge-auth`:
signature, expiry, scope, entitlement) is tested in backend/tests/media/test_playback.py; here a
stand-in speaks it, so that a refund can be switched on and the app's answers counted."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import test_nginx  # type: ignore[import-not-found]
from ops_support import NGINX_DIR, NginxInstance  # type: ignore[import-not-found]

# prod.conf's fixtures (a rendered edge, its site, a moto S3 bucket), shared with test_nginx.py
site, run_prod, moto_bucket = test_nginx.site, test_nginx.run_prod, test_nginx.moto_bucket
PREFIX = "videos/v1/job1/"
MASTER = b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n"
VARIANT = b"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg_00000.ts\n#EXT-X-ENDLIST\n"
SEGMENT = b"\x47" * 188 * 4
GRACE_S = 30  # the app's stale-if-error: only while it fails
WINDOW_S = 4  # the app's reuse window: 2 s fresh, then 2 s stale while asked again


@dataclass
class StandIn:
    """The app's edge-auth answers: tokens it knows, which of them are refunded, calls seen."""

    valid: set[str] = field(default_factory=set)
    refunded: set[str] = field(default_factory=set)
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    failing: bool = False
    port: int = 0


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            token, key = self.headers.get("X-Media-Token", ""), self.headers.get("X-Media-Key", "")
            state.calls[(self.path, token)] += 1
            ok = self.path == "/api/v1/media/edge-auth" and token in state.valid
            ok = ok and token not in state.refunded and key.startswith(PREFIX)
            if state.failing:  # overloaded: no answer before nginx's proxy_read_timeout (3 s)
                time.sleep(3.5)
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            fresh = WINDOW_S // 2  # as the app splits its window (playback.EdgeAnswer)
            reuse = f"max-age={fresh}, stale-while-revalidate={WINDOW_S - fresh}, stale-if-error={GRACE_S}"
            self.send_response(200 if ok else 403)
            self.send_header("Cache-Control", reuse)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def app_stand_in() -> Iterator[StandIn]:
    state = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def edge(start_nginx: Callable[..., NginxInstance], app_stand_in: StandIn, tmp_path: Path) -> NginxInstance:
    store = tmp_path / "objects"
    for key, body in (
        ("hls/master.m3u8", MASTER),
        ("hls/360p/index.m3u8", VARIANT),
        ("hls/360p/seg_00000.ts", SEGMENT),
    ):
        path = store / PREFIX / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "index.html").write_text("<!doctype html>")
    return start_nginx(
        {
            "NGINX_API_UPSTREAM": f"127.0.0.1:{app_stand_in.port}",
            "NGINX_WEB_ROOT": str(tmp_path / "web"),
            "NGINX_MEDIA_ROOT": f"{store}/",
            "MEDIA_SIGNING_SECRET": "test-media-secret",
        }
    )


def _url(token: str, key: str) -> str:
    return f"/media/t/{token}/{PREFIX}{key}"


def test_a_valid_token_plays_the_playlists_untouched_and_their_relative_segments(
    edge: NginxInstance, app_stand_in: StandIn
) -> None:
    app_stand_in.valid.add("tok-a")
    with httpx.Client(base_url=edge.base_url) as client:
        master = client.get(_url("tok-a", "hls/master.m3u8"))
        assert master.status_code == 200 and master.content == MASTER
        assert master.headers["content-type"] == "application/vnd.apple.mpegurl"
        assert master.headers["cache-control"] == "private, max-age=5"
        variant_url = str(master.url.join("360p/index.m3u8"))  # as a player resolves it
        variant = client.get(variant_url)
        assert variant.status_code == 200 and variant.content == VARIANT
        segment = client.get(str(variant.url.join("seg_00000.ts")))
        assert segment.status_code == 200 and segment.content == SEGMENT
        assert segment.headers["cache-control"] == "private, max-age=3600"
        assert segment.headers["content-type"] == "video/mp2t"
        for _ in range(20):  # a player's further fetches within the window
            assert client.get(variant_url).status_code == 200
    asked = {token: n for (path, token), n in app_stand_in.calls.items()}
    assert asked == {"tok-a": 2}, "one answer per (token, directory): hls/ and hls/360p/"


def test_expired_forged_or_missing_tokens_get_403_and_no_byte_of_the_object(
    edge: NginxInstance, app_stand_in: StandIn
) -> None:
    app_stand_in.valid.add("tok-b")
    with httpx.Client(base_url=edge.base_url) as client:
        for path in (
            _url("forged-token", "hls/360p/seg_00000.ts"),  # the app does not know it: expired/forged
            _url("forged-token", "hls/360p/seg_00000.ts"),  # its refusal is reused, still 403
            "/media/t/tok-b/videos/v2/job/hls/360p/seg_00000.ts",  # outside the token's prefix
            f"/media/{PREFIX}hls/360p/seg_00000.ts",  # no token, no signature
            f"/media/t/{PREFIX}hls/360p/seg_00000.ts",  # no token segment at all
        ):
            resp = client.get(path)
            assert resp.status_code == 403, (path, resp.status_code)
            assert SEGMENT not in resp.content and b"#EXTM3U" not in resp.content
        origin = client.get(f"/_media_origin/{PREFIX}hls/360p/seg_00000.ts")
        assert origin.status_code == 404, "the origin location is internal"
        auth = client.get("/_media_auth")
        assert auth.status_code == 404


def test_a_refund_cuts_the_next_fetch_after_the_window(edge: NginxInstance, app_stand_in: StandIn) -> None:
    app_stand_in.valid.add("tok-c")
    variant = _url("tok-c", "hls/360p/index.m3u8")
    with httpx.Client(base_url=edge.base_url) as client:
        assert client.get(variant).status_code == 200
        app_stand_in.refunded.add("tok-c")
        # Within the window nginx may still reuse the earlier "yes" (that is the documented
        # window); once it has passed, the very next fetch asks the app again and is refused.
        time.sleep(WINDOW_S + 1.2)
        assert client.get(variant).status_code == 403
        assert client.get(str(httpx.URL(edge.base_url).join(variant).join("seg_00000.ts"))).status_code == 403
    assert app_stand_in.calls[("/api/v1/media/edge-auth", "tok-c")] == 2


def test_a_stale_answer_is_served_once_while_the_app_is_asked_again_in_the_background(
    edge: NginxInstance, app_stand_in: StandIn
) -> None:
    """After the fresh part of the window, the next fetch is not held up by the app: it gets the
    stale answer while one background request asks again, and the fetch after that gets the new
    answer — so a refund can also end playback before the window is over."""
    app_stand_in.valid.add("tok-d")
    variant = _url("tok-d", "hls/360p/index.m3u8")
    asked = ("/api/v1/media/edge-auth", "tok-d")
    with httpx.Client(base_url=edge.base_url) as client:
        assert client.get(variant).status_code == 200
        app_stand_in.refunded.add("tok-d")
        time.sleep(WINDOW_S / 2 + 1.0)  # past the fresh part (nginx counts whole seconds), not the stale
        assert client.get(variant).status_code == 200, "the stale yes, served without waiting"
        for _ in range(100):  # the background question, answered "no"
            if app_stand_in.calls[asked] == 2:
                break
            time.sleep(0.05)
        assert app_stand_in.calls[asked] == 2
        # nginx stores the background answer just after the app sent it: a fetch in between
        # may still get the stale yes, but no fetch asks the app a third time
        statuses = [client.get(variant).status_code for _ in range(3)]
        assert statuses[-1] == 403 and app_stand_in.calls[asked] == 2, statuses


def test_viewers_behind_one_address_are_not_throttled_but_one_token_is(
    edge: NginxInstance, app_stand_in: StandIn
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    tokens = [f"viewer-{n}" for n in range(300)]
    app_stand_in.valid.update(tokens)
    limits = httpx.Limits(max_connections=32)

    def burst(paths: list[str]) -> list[int]:
        with httpx.Client(base_url=edge.base_url, limits=limits) as client, ThreadPoolExecutor(32) as pool:
            return list(pool.map(lambda path: client.get(path).status_code, paths))

    assert burst([_url(t, "hls/360p/seg_00000.ts") for t in tokens]) == [200] * len(tokens)
    one = burst([_url("viewer-0", "hls/360p/seg_00000.ts")] * 400)
    assert one.count(200) >= 100 and 429 in one


def test_both_configs_carry_the_same_token_media_block() -> None:
    blocks = []
    for name in ("dev.conf", "prod.conf"):
        text = (NGINX_DIR / name).read_text()
        start = text.index('location ~ "^/media/t/')
        end = text.index("        # Playlists (issue 20)", start)
        blocks.append(text[start:end])
        assert "keys_zone=media_auth" in text and "location ^~ /_media_origin/" in text
    assert blocks[0] == blocks[1]


def test_prod_edge_serves_token_media_from_s3_after_the_apps_answer(
    run_prod: Callable[..., Any],
    self_signed_cert: Path,
    tmp_path: Path,
    site: dict[str, str],
    moto_bucket: tuple[str, Any, Any],
    app_stand_in: StandIn,
) -> None:
    """prod.conf: the token location hands an authorised fetch to the same origin (S3 here) and
    cache as /media/; a refused one never reaches the bucket."""
    origin, s3, server = moto_bucket
    s3.put_object(Bucket="media", Key=f"{PREFIX}hls/360p/index.m3u8", Body=VARIANT)
    s3.put_object(Bucket="media", Key=f"{PREFIX}hls/360p/seg_00000.ts", Body=SEGMENT)
    app_stand_in.valid.add("tok-p")
    edge = run_prod(
        test_nginx.prod_edge(
            tmp_path,
            self_signed_cert,
            site,
            media_origin=origin,
            api_upstream=f"127.0.0.1:{app_stand_in.port}",
        )
    )
    with httpx.Client(base_url=edge.public_url, verify=False) as client:
        variant = client.get(_url("tok-p", "hls/360p/index.m3u8"))
        assert variant.status_code == 200 and variant.content == VARIANT
        assert variant.headers["cache-control"] == "private, max-age=5"
        assert variant.headers["strict-transport-security"], "the server's security headers stay"
        segment = client.get(_url("tok-p", "hls/360p/seg_00000.ts"))
        assert segment.status_code == 200 and segment.content == SEGMENT
        refused = client.get(_url("not-a-token", "hls/360p/seg_00000.ts"))
        assert refused.status_code == 403 and SEGMENT not in refused.content
        server.stop()  # the bucket is gone: an authorised segment is still a cache hit
        assert client.get(_url("tok-p", "hls/360p/seg_00000.ts")).content == SEGMENT


def test_while_the_app_fails_allowed_viewers_keep_playing_and_new_tokens_get_nothing(
    edge: NginxInstance, app_stand_in: StandIn
) -> None:
    """An API too loaded to answer in time must not stop every segment of every viewer: nginx
    keeps the last "yes" for the app's stale-if-error grace (time-outs and connection errors only:
    nginx never lets stale-if-error mask an HTTP answer, so a 403 always replaces a "yes"). A
    token never answered gets no byte."""
    app_stand_in.valid.update({"tok-e", "tok-f"})
    segment = _url("tok-e", "hls/360p/seg_00000.ts")
    with httpx.Client(base_url=edge.base_url) as client:
        assert client.get(segment).status_code == 200
        app_stand_in.failing = True
        time.sleep(WINDOW_S + 1.2)  # past the whole window: nginx must ask again
        kept = client.get(segment)
        assert kept.status_code == 200 and kept.content == SEGMENT
        assert app_stand_in.calls[("/api/v1/media/edge-auth", "tok-e")] >= 2, "it did ask"
        first = client.get(_url("tok-f", "hls/360p/seg_00000.ts"))
        assert first.status_code == 500 and SEGMENT not in first.content
