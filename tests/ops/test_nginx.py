"""nginx/prod.conf and nginx/dev.conf, checked by running real nginx on loopback."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from ops_support import (  # type: ignore[import-not-found]
    ApiServer,
    NginxInstance,
    free_port,
    sign_media_uri,
    stop_process,
    wait_for_port,
)
from tests.prodlocal.edge import EdgeConfig, local_media_origin

SECRET = "test-media-secret-5b1f"
StartNginx = Callable[..., NginxInstance]


@pytest.fixture
def site(tmp_path: Path) -> dict[str, str]:
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>mamc</title><div id=root></div>")
    (web / "assets" / "app-3f2a.js").write_text("console.log('app')")
    media = tmp_path / "objects"
    hls = media / "videos" / "v1" / "hls"
    hls.mkdir(parents=True)
    (hls / "index.m3u8").write_text("#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:4.0,\nseg-00001.ts\n#EXT-X-ENDLIST\n")
    (hls / "seg-00001.ts").write_bytes(b"\x47" + bytes(187) * 1)
    return {
        "NGINX_WEB_ROOT": str(web),
        "NGINX_MEDIA_ROOT": f"{media}/",
        "MEDIA_SIGNING_SECRET": SECRET,
    }


def signed(uri: str, *, ttl: int = 300, secret: str = SECRET) -> str:
    expires = int(time.time()) + ttl
    return f"{uri}?md5={sign_media_uri(uri, expires, secret)}&expires={expires}"


# --- prod.conf -------------------------------------------------------------------------------


def prod_edge(tmp_path: Path, cert_dir: Path, site: dict[str, str], **overrides: Any) -> EdgeConfig:
    run_dir = tmp_path / "edge"
    values: dict[str, Any] = {
        "https_port": free_port(),
        "http_port": free_port(),
        "api_upstream": f"127.0.0.1:{free_port()}",
        "cert_dir": cert_dir,
        "web_root": Path(site["NGINX_WEB_ROOT"]),
        "run_dir": run_dir,
        "media_root": Path(site["NGINX_MEDIA_ROOT"]),
        "media_origin": local_media_origin(run_dir),
        "signing_secret": SECRET,
        "server_name": "media.example.test",
    }
    values.update(overrides)
    return EdgeConfig(**values)


@pytest.fixture
def run_prod(nginx_bin: str) -> Iterator[Callable[[EdgeConfig], EdgeConfig]]:
    started: list[subprocess.Popen[bytes]] = []

    def run(edge: EdgeConfig) -> EdgeConfig:
        edge.write()
        proc = subprocess.Popen(edge.command(nginx_bin), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(proc)
        try:
            wait_for_port(edge.https_port, proc=proc)
            wait_for_port(edge.http_port, proc=proc)
        except (RuntimeError, TimeoutError) as exc:
            log = (edge.run_dir / "error.log").read_text() if (edge.run_dir / "error.log").exists() else ""
            raise RuntimeError(f"prod nginx did not start: {exc}\n{log}") from exc
        return edge

    yield run
    for proc in started:
        stop_process(proc)


def test_prod_conf_has_no_unrendered_placeholders_and_passes_nginx_t(
    nginx_bin: str, self_signed_cert: Path, tmp_path: Path, site: dict[str, str]
) -> None:
    edge = prod_edge(tmp_path, self_signed_cert, site, media_origin="http://127.0.0.1:9/mamc-media/")
    conf = edge.write()
    assert not re.search(r"\$\{[A-Z_]+\}", conf.read_text()), (
        "a ${VAR} was left for envsubst that render.py does not know"
    )
    result = subprocess.run([*edge.command(nginx_bin)[:-2], "-t"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_prod_conf_serves_tls_redirects_http_and_sends_security_headers(
    run_prod: Callable[[EdgeConfig], EdgeConfig],
    self_signed_cert: Path,
    tmp_path: Path,
    site: dict[str, str],
) -> None:
    """The real prod config on loopback ports, media from the local store (its origin socket)."""
    edge = run_prod(
        prod_edge(tmp_path, self_signed_cert, site, media_hosts="https://d111111abcdef8.cloudfront.net")
    )
    http = f"http://127.0.0.1:{edge.http_port}"
    plain = httpx.get(f"{http}/videos/1?x=1", follow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["location"] == f"{edge.public_url}/videos/1?x=1"
    health = httpx.get(f"{http}/nginx-health")
    assert health.status_code == 200 and health.text == "ok\n"

    with httpx.Client(base_url=edge.public_url, verify=False) as client:
        page = client.get("/library/deep/link", headers={"Host": "media.example.test"})
        assert page.status_code == 200 and "id=root" in page.text
        assert page.http_version in ("HTTP/1.1", "HTTP/2")
        assert page.headers["strict-transport-security"].startswith("max-age=63072000")
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        # CloudFront mode: hls.js fetches playlists and segments from the CDN (XHR + media)
        assert "media-src 'self' blob: https://d111111abcdef8.cloudfront.net;" in csp
        assert "connect-src 'self' https://api.stripe.com https://d111111abcdef8.cloudfront.net;" in csp
        assert page.headers["cache-control"] == "no-cache"
        seg = client.get(signed("/media/videos/v1/hls/seg-00001.ts"))
        assert seg.status_code == 200 and seg.content.startswith(b"\x47")
        assert "immutable" in seg.headers["cache-control"]
        assert seg.headers["strict-transport-security"]
        assert client.get("/media/videos/v1/hls/seg-00001.ts").status_code == 403
        assert client.get("/metrics").status_code == 404
        for path in ("/docs", "/openapi.json", "/redoc"):
            assert client.get(path).status_code == 404, path


@pytest.fixture
def moto_bucket() -> Iterator[tuple[str, Any, Any]]:
    from app.ops.edge import edge_read_policy
    from tests.support.s3 import moto_server

    with moto_server("media") as (endpoint, s3, server):
        policy = edge_read_policy("media", source_cidrs=["127.0.0.1/32"])
        s3.put_bucket_policy(Bucket="media", Policy=json.dumps(policy))
        yield f"{endpoint}/media/", s3, server


def test_prod_edge_serves_signed_media_from_s3_and_keeps_serving_it_from_its_cache(
    run_prod: Callable[[EdgeConfig], EdgeConfig],
    self_signed_cert: Path,
    tmp_path: Path,
    site: dict[str, str],
    moto_bucket: tuple[str, Any, Any],
) -> None:
    """With S3 the objects are not on nginx's disk: /media/ proxies to the bucket (the signature
    stays at the edge) and caches by key, so a hot segment costs S3 one GET."""
    origin, s3, server = moto_bucket
    body = b"\x47" + bytes(range(256)) * 40
    s3.put_object(Bucket="media", Key="videos/v9/job/hls/360p/seg_00000.ts", Body=body)
    s3.put_object(Bucket="media", Key="videos/v9/source/original", Body=b"the instructor's original")
    edge = run_prod(prod_edge(tmp_path, self_signed_cert, site, media_origin=origin))
    uri = "/media/videos/v9/job/hls/360p/seg_00000.ts"
    with httpx.Client(base_url=edge.public_url, verify=False) as client:
        first = client.get(signed(uri))
        assert first.status_code == 200, first.text[:300]
        assert first.content == body
        assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "x-amz-request-id" not in first.headers and "set-cookie" not in first.headers
        assert client.get(uri).status_code == 403
        assert client.get(signed(uri, secret="not-the-secret")).status_code == 403
        missing = client.get(signed("/media/videos/v9/job/hls/360p/seg_99999.ts"))
        assert missing.status_code in (403, 404)
        # even a validly signed link cannot reach an original: the bucket refuses the edge
        assert client.get(signed("/media/videos/v9/source/original")).status_code == 403
        server.stop()  # the origin is gone; a new signature for the same object is a cache hit
        again = client.get(signed(uri, ttl=600))
        assert again.status_code == 200 and again.content == body


class _CountingUpstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        received = 0
        while received < size:
            received += len(self.rfile.read(min(1 << 20, size - received)))
        reply = str(received).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_POST = do_PUT

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_local_store_upload_parts_of_16_mib_pass_the_edge_and_other_api_bodies_stay_small(
    run_prod: Callable[[EdgeConfig], EdgeConfig],
    self_signed_cert: Path,
    tmp_path: Path,
    site: dict[str, str],
) -> None:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _CountingUpstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        edge = run_prod(
            prod_edge(
                tmp_path, self_signed_cert, site, api_upstream=f"127.0.0.1:{upstream.server_address[1]}"
            )
        )
        part = bytes(16 * 1024 * 1024 + 1)
        with httpx.Client(base_url=edge.public_url, verify=False, timeout=60) as client:
            stored = client.put("/api/v1/storage/parts?token=t", content=part)
            assert stored.status_code == 200 and stored.text == str(len(part))
            assert client.post("/api/v1/videos", content=part).status_code == 413
    finally:
        upstream.shutdown()
        upstream.server_close()


def test_prod_conf_rate_limits_auth_endpoints_per_address(
    run_prod: Callable[[EdgeConfig], EdgeConfig],
    self_signed_cert: Path,
    tmp_path: Path,
    site: dict[str, str],
) -> None:
    """The same budget as dev.conf, proven on the production config itself."""
    edge = run_prod(prod_edge(tmp_path, self_signed_cert, site))
    with httpx.Client(base_url=edge.public_url, verify=False) as client:
        statuses = [client.post("/api/v1/auth/login", json={}).status_code for _ in range(30)]
        other = client.get("/api/v1/videos").status_code
    # burst=20 nodelay: the first 21 reach the (absent) upstream -> 502, the rest are refused.
    assert 429 not in statuses[:20], statuses
    assert statuses.count(429) >= 8, statuses
    assert set(statuses) <= {429, 502}, statuses
    assert other != 429, "the auth budget must not throttle the rest of the API"


# --- dev.conf: media, SPA, limits ------------------------------------------------------------


@pytest.fixture
def edge(start_nginx: StartNginx, site: dict[str, str]) -> NginxInstance:
    # Nothing listens upstream: these tests are about what nginx decides on its own.
    return start_nginx({**site, "NGINX_API_UPSTREAM": f"127.0.0.1:{free_port()}"})


def test_media_with_valid_signature_is_served_with_segment_and_playlist_caching(
    edge: NginxInstance,
) -> None:
    with httpx.Client(base_url=edge.base_url) as client:
        seg = client.get(signed("/media/videos/v1/hls/seg-00001.ts"))
        assert seg.status_code == 200
        assert seg.content.startswith(b"\x47")
        assert seg.headers["content-type"] == "video/mp2t"
        assert seg.headers["cache-control"] == "public, max-age=31536000, immutable"
        playlist = client.get(signed("/media/videos/v1/hls/index.m3u8"))
        assert playlist.status_code == 200
        assert playlist.headers["content-type"] == "application/vnd.apple.mpegurl"
        assert playlist.headers["cache-control"] == "private, max-age=5"


def test_media_with_tampered_expired_or_missing_signature_gets_403(edge: NginxInstance) -> None:
    uri = "/media/videos/v1/hls/seg-00001.ts"
    expires = int(time.time()) + 300
    good = sign_media_uri(uri, expires, SECRET)
    other = sign_media_uri("/media/videos/v1/hls/index.m3u8", expires, SECRET)
    flipped = ("A" if good[0] != "A" else "B") + good[1:]
    with httpx.Client(base_url=edge.base_url) as client:
        cases = {
            "no signature": uri,
            "wrong secret": signed(uri, secret="not-the-secret"),
            "signature of another file": f"{uri}?md5={other}&expires={expires}",
            "expiry pushed later": f"{uri}?md5={good}&expires={expires + 3600}",
            "expired": signed(uri, ttl=-10),
            "flipped character": f"{uri}?md5={flipped}&expires={expires}",
        }
        for label, url in cases.items():
            response = client.get(url)
            assert response.status_code == 403, label
            assert "cache-control" not in response.headers, f"a 403 must not be cacheable ({label})"


def test_spa_deep_links_fall_back_to_index_and_assets_do_not(edge: NginxInstance) -> None:
    with httpx.Client(base_url=edge.base_url) as client:
        deep = client.get("/catalog/karate/kata-1")
        assert deep.status_code == 200 and "id=root" in deep.text
        assert deep.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/app-3f2a.js")
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert client.get("/assets/missing.js").status_code == 404
        assert deep.headers["x-content-type-options"] == "nosniff"


def test_auth_endpoints_are_rate_limited_per_address(edge: NginxInstance) -> None:
    statuses = []
    with httpx.Client(base_url=edge.base_url) as client:
        for _ in range(30):
            statuses.append(client.post("/api/v1/auth/login", json={}).status_code)
        other = client.get("/api/v1/catalog/videos").status_code
    # burst=20 nodelay: the first 21 reach the (absent) upstream -> 502, the rest are refused.
    assert statuses.count(429) >= 8, statuses
    assert 429 not in statuses[:20], statuses
    assert other != 429, "the auth budget must not throttle the rest of the API"


# --- SSE through nginx -----------------------------------------------------------------------


class _StreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b'event: progress\ndata: {"pct": 10}\n\n')
        self.wfile.flush()
        time.sleep(2.0)
        self.wfile.write(b'event: progress\ndata: {"pct": 100}\n\n')
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def streaming_upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StreamHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _seconds_to_first_event(url: str) -> float:
    start = time.monotonic()
    with httpx.stream("GET", url, timeout=10) as response:
        assert response.status_code == 200
        for chunk in response.iter_text():
            if "pct" in chunk:
                return time.monotonic() - start
    raise AssertionError("no event received")


def test_event_streams_are_not_buffered_but_other_api_responses_are(
    start_nginx: StartNginx, site: dict[str, str], streaming_upstream: int
) -> None:
    edge = start_nginx({**site, "NGINX_API_UPSTREAM": f"127.0.0.1:{streaming_upstream}"})
    sse = _seconds_to_first_event(f"{edge.base_url}/api/v1/jobs/0192aa/events")
    buffered = _seconds_to_first_event(f"{edge.base_url}/api/v1/jobs/0192aa/stream")
    assert sse < 1.0, f"first SSE event took {sse:.2f}s: nginx buffered the stream"
    assert buffered >= 1.5, "control: a normal API location buffers (proves the test can tell)"


# --- the real platform behind nginx ----------------------------------------------------------


def test_health_through_nginx_reaches_the_real_api(
    start_nginx: StartNginx, site: dict[str, str], api_server: ApiServer
) -> None:
    edge = start_nginx({**site, "NGINX_API_UPSTREAM": f"127.0.0.1:{api_server.port}"})
    response = httpx.get(f"{edge.base_url}/health", timeout=10)
    assert response.status_code == 200, api_server.log.read_text()[-2000:]
    assert response.headers.get("x-content-type-options") == "nosniff"


def test_share_pages_reach_the_api_not_the_spa(
    start_nginx: StartNginx, site: dict[str, str], api_server: ApiServer
) -> None:
    """/v/{id} (app/social/share.py) must reach the API: the SPA fallback would answer it with
        index.html (200), which has no OpenGraph tags and no redirect. (This API has an unmigrated
    database, so only the redirect, which needs none, is asked for.)"""
    edge = start_nginx({**site, "NGINX_API_UPSTREAM": f"127.0.0.1:{api_server.port}"})
    video_id = "0190f0e0-0000-7000-8000-000000000001"
    browser = httpx.get(f"{edge.base_url}/v/{video_id}", headers={"User-Agent": "Mozilla/5.0"}, timeout=10)
    assert browser.status_code == 302, api_server.log.read_text()[-2000:]
    assert browser.headers["location"] == f"/videos/{video_id}"


def test_the_apps_own_signer_produces_urls_nginx_accepts(edge: NginxInstance) -> None:
    """Contract check between backend/app/media/signing.py and nginx's secure_link config."""
    signing = pytest.importorskip("app.media.signing")
    uri = "/media/videos/v1/hls/seg-00001.ts"
    expires = int(time.time()) + 120
    token = signing.nginx_secure_link(uri, expires, SECRET)
    ok = httpx.get(f"{edge.base_url}{uri}?md5={token}&expires={expires}")
    assert ok.status_code == 200
    past = int(time.time()) - 1
    stale = signing.nginx_secure_link(uri, past, SECRET)
    expired = httpx.get(f"{edge.base_url}{uri}?md5={stale}&expires={past}")
    assert expired.status_code == 403
