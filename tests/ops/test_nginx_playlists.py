"""The playlist location of nginx/dev.conf and prod.conf (issue 20): viewers behind one NAT share
an address, so playlists are limited per playback token, not by the /api/ per-address zone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from ops_support import NGINX_DIR, NginxInstance  # type: ignore[import-not-found]

PLAYLIST = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-ENDLIST\n"


class _PlaylistHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.apple.mpegurl")
        self.send_header("Content-Length", str(len(PLAYLIST)))
        self.end_headers()
        self.wfile.write(PLAYLIST)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlaylistHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture
def edge(start_nginx: Callable[..., NginxInstance], upstream: int, tmp_path: Path) -> NginxInstance:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "index.html").write_text("<!doctype html>")
    return start_nginx(
        {
            "NGINX_API_UPSTREAM": f"127.0.0.1:{upstream}",
            "NGINX_WEB_ROOT": str(tmp_path / "web"),
            "NGINX_MEDIA_ROOT": f"{tmp_path}/",
            "MEDIA_SIGNING_SECRET": "test-media-secret",
        }
    )


def _playlist(token: str) -> str:
    return f"/api/v1/media/t/{token}/videos/v1/job/hls/720p/index.m3u8"


def _burst(edge: NginxInstance, paths: list[str]) -> list[int]:
    """GET every path from one address, 32 at a time (faster than any limit refills)."""
    limits = httpx.Limits(max_connections=32)
    with httpx.Client(base_url=edge.base_url, limits=limits) as client, ThreadPoolExecutor(32) as pool:
        return list(pool.map(lambda path: client.get(path).status_code, paths))


def test_many_viewers_behind_one_address_are_not_throttled(edge: NginxInstance) -> None:
    statuses = _burst(edge, [_playlist(f"viewer-{n}") for n in range(400)])
    assert statuses == [200] * 400, "400 playlists at once from one address, one per viewer"
    api = _burst(edge, ["/api/v1/other"] * 400)
    assert 429 in api, "the rest of /api/ keeps its per-address limit"


def test_one_token_hammering_playlists_is_throttled(edge: NginxInstance) -> None:
    statuses = _burst(edge, [_playlist("one-viewer")] * 400)
    assert statuses.count(200) >= 100 and 429 in statuses, statuses


def test_both_configs_carry_the_same_playlist_block() -> None:
    blocks = []
    for name in ("dev.conf", "prod.conf"):
        text = (NGINX_DIR / name).read_text()
        start = text.index("location ^~ /api/v1/media/t/")
        blocks.append(text[start : text.index("}", start)])
        assert "limit_req_zone $playlist_token zone=playlists" in text
        assert "upstream api_playlists" in text
    assert blocks[0] == blocks[1]
