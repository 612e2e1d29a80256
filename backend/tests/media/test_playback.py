"""Playback authorisation (through app.entitlements) and the three signers: the embedded
path-scoped token (the app serves /media itself), nginx secure_link, CloudFront URLs/cookies.
Any unsigned, tampered, expired or out-of-scope request is a 403."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from app.auth.models import Role, User
from app.core.cache import get_cache
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from app.media.signing import media_tokens

Headers = Callable[[User], dict[str, str]]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def _play(client: httpx.AsyncClient, video: Video, headers: dict[str, str]) -> httpx.Response:
    return await client.get(f"/api/v1/videos/{video.id}/playback", headers=headers)


async def test_embedded_token_plays_master_variants_segments_and_thumbnails(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    video = make_video(instructor)  # free
    resp = await _play(client, video, auth_headers(make_user()))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["signer"] == "embedded" and body["access"] == "free"
    assert resp.headers["cache-control"] == "no-store"
    master_url = body["url"]
    assert f"/media/t/{body['token']}/{video.media_prefix}hls/master.m3u8" in master_url

    master = await client.get(_path(master_url))
    assert master.status_code == 200
    assert master.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    assert master.headers["cache-control"] == "private, max-age=5"
    variant_url = urljoin(master_url, "360p/index.m3u8")  # relative URIs inherit the token
    variant = await client.get(_path(variant_url))
    assert variant.status_code == 200 and "seg_00000.ts" in variant.text
    segment = await client.get(_path(urljoin(variant_url, "seg_00001.ts")))
    assert segment.status_code == 200 and segment.content == b"\x47" * 188 * 2
    assert segment.headers["cache-control"] == "private, max-age=3600"
    vtt = await client.get(_path(body["thumbnails_url"]))
    assert vtt.status_code == 200
    sprite = await client.get(_path(urljoin(body["thumbnails_url"], "sprite.jpg")))
    assert sprite.status_code == 200

    poster = await client.get(f"/api/v1/videos/{video.id}/poster")  # public, for <img src>
    assert poster.status_code == 302
    assert (await client.get(_path(poster.headers["location"]))).status_code == 200


async def test_the_media_handler_service_answers_with_plain_results_not_responses(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Callable[..., Video],
    settings: Any,
) -> None:
    from app.core.storage import LocalObjectStore, get_object_store
    from app.media import playback

    video = make_video(instructor)
    token = (await _play(client, video, auth_headers(instructor))).json()["token"]
    playlist = await playback.media(settings, token, f"{video.media_prefix}hls/master.m3u8")
    assert isinstance(playlist, playback.MediaBytes)
    assert playlist.body.startswith(b"#EXTM3U") and playlist.max_age_s == playback.PLAYLIST_MAX_AGE_S
    segment = await playback.media(settings, token, f"{video.media_prefix}hls/360p/seg_00001.ts")
    assert segment.media_type == "video/mp2t" and segment.max_age_s == playback.SEGMENT_MAX_AGE_S
    if isinstance(get_object_store(), LocalObjectStore):
        assert isinstance(segment, playback.MediaFile) and segment.path.read_bytes() == b"\x47" * 188 * 2


async def test_unsigned_tampered_expired_and_out_of_scope_media_requests_get_403(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Callable[..., Video],
    settings: Any,
) -> None:
    video = make_video(instructor)
    other = make_video(instructor)
    body = (await _play(client, video, auth_headers(instructor))).json()
    token = body["token"]
    key = f"{video.media_prefix}hls/360p/seg_00000.ts"
    assert (await client.get(f"/media/t/{token}/{key}")).status_code == 200

    claims, mac = token.split(".")
    forged_claims = (
        base64.urlsafe_b64encode(json.dumps({"k": "videos/", "e": int(time.time()) + 3600}).encode())
        .rstrip(b"=")
        .decode()
    )
    expired = media_tokens(settings).issue(video.media_prefix or "", int(time.time()) - 1)
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    bad_requests = {
        "unsigned": f"/media/{key}",
        "no token": f"/media/t//{key}",
        "garbage token": f"/media/t/not-a-token/{key}",
        "tampered mac": f"/media/t/{claims}.{flipped}/{key}",
        "forged claims (wider prefix)": f"/media/t/{forged_claims}.{mac}/{key}",
        "expired": f"/media/t/{expired}/{key}",
        "other video": f"/media/t/{token}/{other.media_prefix}hls/master.m3u8",
        "source upload": f"/media/t/{token}/videos/{video.id}/source/original",
        "traversal": f"/media/t/{token}/{video.media_prefix}hls/../../../{other.media_prefix}poster.jpg",
        "api path tampered": f"/api/v1/media/t/{claims}.{flipped}/{key}",
    }
    for name, url in bad_requests.items():
        resp = await client.get(url)
        assert resp.status_code == 403, (name, resp.status_code, resp.text)
    resp = await client.get(f"/media/t/{expired}/{key}")
    assert resp.json()["error"]["code"] == "signature_expired"


async def test_access_follows_entitlements_and_status(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    from app.entitlements.service import EntitlementKind, SourceType, grant

    paid = make_video(instructor, price_cents=1900, currency="EUR")
    student, buyer, admin = make_user(), make_user(), make_user(role=Role.admin)
    with sync_session() as session:
        grant(
            session,
            user_id=buyer.id,
            video_id=paid.id,
            kind=EntitlementKind.ppv,
            source_type=SourceType.purchase,
            source_id=uuid.uuid4(),
        )

    assert (await client.get(f"/api/v1/videos/{paid.id}/playback")).status_code == 401
    refused = await _play(client, paid, auth_headers(student))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_entitled"
    assert refused.json()["error"]["details"]["reason"] == "no_entitlement"
    assert (await _play(client, paid, auth_headers(buyer))).json()["access"] == "ppv"
    assert (await _play(client, paid, auth_headers(instructor))).json()["access"] == "owner"
    assert (await _play(client, paid, auth_headers(admin))).json()["access"] == "admin"

    # The public trailer needs no login and no purchase, and covers only the trailer.
    trailer = await client.get(f"/api/v1/videos/{paid.id}/trailer")
    assert trailer.status_code == 200 and trailer.json()["access"] == "trailer"
    token = trailer.json()["token"]
    assert (await client.get(_path(trailer.json()["url"]))).status_code == 200
    full = f"/media/t/{token}/{paid.media_prefix}hls/master.m3u8"
    assert (await client.get(full)).status_code == 403

    # Not published: only the owner and admins (the review player) may play it.
    pending = make_video(instructor, status=VideoStatus.in_review)
    assert (await _play(client, pending, auth_headers(student))).status_code == 404
    assert (await _play(client, pending, auth_headers(admin))).status_code == 200
    assert (await client.get(f"/api/v1/videos/{pending.id}/trailer")).status_code == 404
    raw = make_video(instructor, status=VideoStatus.processing, processed=False)
    not_ready = await _play(client, raw, auth_headers(instructor))
    assert not_ready.status_code == 409 and not_ready.json()["error"]["code"] == "video_not_ready"


def _nginx_md5(uri: str, expires: int, secret: str) -> str:
    """The reference from nginx/README.md."""
    digest = hashlib.md5(f"{expires}{uri} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def test_nginx_signer_rewrites_playlists_with_secure_link_urls(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "nginx-shared-secret"
    monkeypatch.setattr(settings, "media_signing_secret", SecretStr(secret))
    monkeypatch.setattr(settings, "media_nginx_playlists", "app")  # the app serves the playlists
    monkeypatch.setattr(settings, "media_public_base_url", "https://media.example.com")
    video = make_video(instructor)
    body = (await _play(client, video, auth_headers(instructor))).json()
    assert body["signer"] == "nginx"
    assert "/api/v1/media/t/" in body["url"]  # playlists come through the API (behind nginx)

    master = await client.get(_path(body["url"]))
    assert master.status_code == 200 and "360p/index.m3u8" in master.text  # stays relative
    variant = await client.get(_path(urljoin(body["url"], "360p/index.m3u8")))
    assert variant.status_code == 200
    segment_urls = [line for line in variant.text.splitlines() if line and not line.startswith("#")]
    assert len(segment_urls) == 2
    for url in segment_urls:
        parts = urlsplit(url)
        assert parts.netloc == "media.example.com"
        assert parts.path.startswith(f"/media/{video.media_prefix}hls/360p/seg_")
        query = parse_qs(parts.query)
        expires = int(query["expires"][0])
        assert query["md5"][0] == _nginx_md5(parts.path, expires, secret)
        # short-lived and on a bucket boundary (shared, cached playlists), never past the token
        assert expires <= _token_expiry(body["token"])
        assert expires <= time.time() + settings.media_segment_link_ttl_seconds + 60
        assert expires % settings.media_segment_link_bucket_seconds == 0
    vtt = await client.get(_path(body["thumbnails_url"]))
    cue = next(line for line in vtt.text.splitlines() if "#xywh=" in line)
    assert cue.startswith(f"https://media.example.com/media/{video.media_prefix}sprite.jpg?md5=")
    poster = await client.get(f"/api/v1/videos/{video.id}/poster")
    location = urlsplit(poster.headers["location"])
    query = parse_qs(location.query)
    assert query["md5"][0] == _nginx_md5(location.path, int(query["expires"][0]), secret)
    # The same tampering rules hold on the API path.
    assert (await client.get(_path(body["url"]).replace("master.m3u8", "../x.m3u8"))).status_code in (
        403,
        404,
    )


def _token_expiry(token: str) -> int:
    claims = token.split(".")[0]
    return int(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["e"])


def _body_expiry(body: dict[str, Any]) -> int:
    return int(datetime.fromisoformat(body["expires_at"]).timestamp())


def _cf_unb64(text: str) -> bytes:
    return base64.b64decode(text.replace("-", "+").replace("_", "=").replace("~", "/"))


async def test_cloudfront_signer_issues_verifiable_url_and_cookies(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    monkeypatch.setattr(settings, "cloudfront_domain", "d111111abcdef8.cloudfront.net")
    monkeypatch.setattr(settings, "cloudfront_key_pair_id", "K2JCJMDEHXQW5F")
    monkeypatch.setattr(settings, "cloudfront_private_key", SecretStr(pem))
    monkeypatch.setattr(settings, "cloudfront_cookie_domain", ".example.com")
    video = make_video(instructor)
    resp = await _play(client, video, auth_headers(instructor))
    body = resp.json()
    assert body["signer"] == "cloudfront"

    public = key.public_key()
    url = urlsplit(body["url"])
    assert url.netloc == "d111111abcdef8.cloudfront.net"
    assert url.path == f"/{video.media_prefix}hls/master.m3u8"
    query = parse_qs(url.query)
    assert query["Key-Pair-Id"] == ["K2JCJMDEHXQW5F"]
    expires = int(query["Expires"][0])
    assert time.time() < expires <= time.time() + settings.media_playlist_ttl_seconds + 5
    canned = json.dumps(
        {
            "Statement": [
                {
                    "Resource": f"https://{url.netloc}{url.path}",
                    "Condition": {"DateLessThan": {"AWS:EpochTime": expires}},
                }
            ]
        },
        separators=(",", ":"),
    ).encode()
    public.verify(_cf_unb64(query["Signature"][0]), canned, padding.PKCS1v15(), hashes.SHA1())

    cookies = {c["name"]: c for c in body["cookies"]}
    policy = _cf_unb64(cookies["CloudFront-Policy"]["value"])
    public.verify(
        _cf_unb64(cookies["CloudFront-Signature"]["value"]), policy, padding.PKCS1v15(), hashes.SHA1()
    )
    statement = json.loads(policy)["Statement"][0]
    assert statement["Resource"] == f"https://d111111abcdef8.cloudfront.net/{video.media_prefix}*"
    assert statement["Condition"]["DateLessThan"]["AWS:EpochTime"] == _body_expiry(body)
    signed_values = query["Signature"][0] + cookies["CloudFront-Policy"]["value"]
    assert not set("+/=") & set(signed_values + cookies["CloudFront-Signature"]["value"])  # URL-safe
    assert cookies["CloudFront-Key-Pair-Id"]["value"] == "K2JCJMDEHXQW5F"
    set_cookies = resp.headers.get_list("set-cookie")
    assert any(c.startswith("CloudFront-Policy=") and "Domain=.example.com" in c for c in set_cookies)
    # a tampered policy no longer verifies
    from cryptography.exceptions import InvalidSignature

    with pytest.raises(InvalidSignature):
        public.verify(
            _cf_unb64(cookies["CloudFront-Signature"]["value"]),
            policy.replace(b"videos/", b"videoz/"),
            padding.PKCS1v15(),
            hashes.SHA1(),
        )


# --- access ends with its reason (issue 11 item 14) and cached playlists (issue 20) ----------


def _buy(user: User, video: Video) -> uuid.UUID:
    """A PPV right as the payment webhook grants it (sync session, like the worker; called in a
    thread, as a worker has no event loop: its cache invalidation is then synchronous)."""
    from app.entitlements.service import EntitlementKind, SourceType, grant

    with sync_session() as session:
        right = grant(
            session,
            user_id=user.id,
            video_id=video.id,
            kind=EntitlementKind.ppv,
            source_type=SourceType.purchase,
            source_id=uuid.uuid4(),
        )
        session.flush()
        return right.id


def _refund(entitlement_id: uuid.UUID) -> None:
    """What a refund does to the right (commerce → entitlements.revoke, in a worker)."""
    from app.entitlements.service import revoke

    with sync_session() as session:
        revoke(session, entitlement_id, reason="refunded")


@pytest.fixture
def count_queries() -> Callable[[], list[str]]:
    """Statements run on the API's async engine from now on."""
    from sqlalchemy import event

    from app.db.session import get_async_engine

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = get_async_engine().sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield lambda: seen  # type: ignore[misc]
    event.remove(engine, "before_cursor_execute", record)


async def test_a_refund_stops_the_next_playlist_of_an_earlier_playback(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    count_queries: Callable[[], list[str]],
) -> None:
    video = make_video(instructor, price_cents=990)
    buyer = make_user()
    right = await asyncio.to_thread(_buy, buyer, video)
    body = (await _play(client, video, auth_headers(buyer))).json()
    assert body["access"] == "ppv"
    master_url = body["url"]
    assert (await client.get(_path(master_url))).status_code == 200
    before = len(count_queries())
    variant = await client.get(_path(urljoin(master_url, "360p/index.m3u8")))
    assert variant.status_code == 200
    if get_cache().shared:  # embedded mode (no Redis) asks the database each time, on purpose
        assert len(count_queries()) == before, "the re-check is a cache hit: no query per playlist"

    await asyncio.to_thread(_refund, right)

    again = await client.get(_path(urljoin(master_url, "360p/index.m3u8")))
    assert again.status_code == 403, again.text
    assert again.json()["error"]["code"] == "access_revoked"
    variant_path = _path(urljoin(master_url, "360p/index.m3u8"))
    italian = await client.get(variant_path, headers={"Accept-Language": "it"})
    assert italian.json()["error"] == {
        "code": "access_revoked",
        "message": "Il tuo accesso a questo video è terminato.",
    }
    segment = await client.get(_path(urljoin(master_url, "360p/seg_00000.ts")))
    assert segment.status_code == 403, "embedded mode serves segments through the same check"
    trailer = (await client.get(f"/api/v1/videos/{video.id}/trailer")).json()
    assert (await client.get(_path(trailer["url"]))).status_code == 200, "public media is not bound"


async def test_a_new_purchase_is_not_refused_by_an_earlier_cached_answer(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    video = make_video(instructor, price_cents=990)
    buyer = make_user()
    right = await asyncio.to_thread(_buy, buyer, video)
    body = (await _play(client, video, auth_headers(buyer))).json()
    await asyncio.to_thread(_refund, right)
    assert (await client.get(_path(body["url"]))).status_code == 403  # "no" is now cached
    await asyncio.to_thread(_buy, buyer, video)  # buys again: the grant drops the cached "no"
    assert (await client.get(_path(body["url"]))).status_code == 200


async def test_nginx_playlists_are_shared_by_viewers_and_links_stay_short(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "media_signing_secret", SecretStr("nginx-secret-for-tests"))
    monkeypatch.setattr(settings, "media_nginx_playlists", "app")
    monkeypatch.setattr(settings, "media_segment_link_bucket_seconds", 3600)  # one bucket for the test
    video = make_video(instructor, price_cents=990)
    one, two = make_user(), make_user()
    await asyncio.to_thread(_buy, one, video)
    await asyncio.to_thread(_buy, two, video)
    bodies = []
    for viewer in (one, two):
        play = (await _play(client, video, auth_headers(viewer))).json()
        assert play["signer"] == "nginx"
        variant = await client.get(_path(urljoin(play["url"], "360p/index.m3u8")))
        assert variant.status_code == 200
        bodies.append(variant.content)
    assert bodies[0] == bodies[1], "same bucket: one rewritten playlist for every viewer"
    expires = {
        int(parse_qs(urlsplit(line).query)["expires"][0])
        for line in bodies[0].decode().splitlines()
        if "md5=" in line
    }
    assert len(expires) == 1
    assert next(iter(expires)) <= time.time() + settings.media_playback_ttl_seconds


def test_a_token_verified_once_still_expires_and_stays_in_its_scope(settings: Any) -> None:
    from app.core.errors import PermissionDenied

    tokens = media_tokens(settings)
    expires = int(time.time()) + 60
    token = tokens.issue("videos/a/", expires, user_id=uuid.uuid4(), video_id=uuid.uuid4())
    assert tokens.verify(token, "videos/a/hls/master.m3u8").expires == expires  # now remembered
    with pytest.raises(PermissionDenied) as late:
        tokens.verify(token, "videos/a/hls/master.m3u8", now=expires + 1)
    assert late.value.code == "signature_expired"
    with pytest.raises(PermissionDenied):
        tokens.verify(token, "videos/b/hls/master.m3u8")


# --- nginx edge mode: nginx serves /media/t/ itself and asks the app (issue 20) ----------------


async def _edge_auth(client: httpx.AsyncClient, token: str, key: str) -> httpx.Response:
    return await client.get("/api/v1/media/edge-auth", headers={"X-Media-Token": token, "X-Media-Key": key})


async def test_nginx_edge_mode_hands_out_token_paths_nginx_serves_and_answers_its_auth_requests(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "media_signing_secret", SecretStr("nginx-secret-for-tests"))
    monkeypatch.setattr(settings, "media_public_base_url", "https://media.example.com")
    monkeypatch.setattr(settings, "media_edge_auth_ttl_seconds", 7)
    video = make_video(instructor, price_cents=990)
    buyer = make_user()
    right = await asyncio.to_thread(_buy, buyer, video)
    body = (await _play(client, video, auth_headers(buyer))).json()
    assert body["signer"] == "nginx"
    token = body["token"]
    master_key = f"{video.media_prefix}hls/master.m3u8"
    assert body["url"] == f"https://media.example.com/media/t/{token}/{master_key}"

    allowed = await _edge_auth(client, token, f"{video.media_prefix}hls/360p/seg_00000.ts")
    assert allowed.status_code == 200 and allowed.content == b""
    # 7 s in all: 6 fresh, then stale while re-asked; while the app fails, the grace (60 s)
    reuse = "max-age=6, stale-while-revalidate=1, stale-if-error=60"
    assert allowed.headers["cache-control"] == reuse, "reused for the window, per token and directory"

    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad_token, key, code in (
        (forged, master_key, "bad_signature"),
        ("", master_key, "bad_signature"),
        (token, "videos/another/job/hls/master.m3u8", "bad_signature"),  # outside its prefix
    ):
        refused = await _edge_auth(client, bad_token, key)
        assert refused.status_code == 403 and refused.headers["x-media-denied"] == code

    await asyncio.to_thread(_refund, right)
    revoked = await _edge_auth(client, token, master_key)
    assert revoked.status_code == 403 and revoked.headers["x-media-denied"] == "access_revoked"


async def test_edge_answers_never_outlive_the_token_nor_cover_more_than_it_does(settings: Any) -> None:
    from app.media.playback import edge_authorize

    tokens = media_tokens(settings)
    now = int(time.time())
    window = settings.media_edge_auth_ttl_seconds
    assert window > 2
    prefix_token = tokens.issue("videos/a/job/", now + 2)  # public (trailer-like): no viewer
    answer = await edge_authorize(settings, prefix_token, "videos/a/job/hls/360p/seg_1.ts", now=now)
    assert answer.allowed and answer.reuse_s == 2, "cut to the token's own expiry"
    assert answer.fresh_s + answer.stale_s == 2 and answer.grace_s == 0, "nothing past the token"
    later = tokens.issue("videos/a/job/", now + window + 10)
    answer = await edge_authorize(settings, later, "videos/a/job/hls/master.m3u8", now=now)
    assert answer.reuse_s == window and answer.grace_s == 10, "the grace ends with the token too"
    expired = await edge_authorize(settings, prefix_token, "videos/a/job/hls/master.m3u8", now=now + 3)
    assert not expired.allowed and expired.code == "signature_expired"
    one_object = tokens.issue("videos/a/job/poster.jpg", now + 600)
    single = await edge_authorize(settings, one_object, "videos/a/job/poster.jpg", now=now)
    assert single.allowed and single.reuse_s == 0, "a one-object token: its directory is not covered"
    sibling = await edge_authorize(settings, one_object, "videos/a/job/other.jpg", now=now)
    assert not sibling.allowed
