"""Catalog: only published videos, full-text search, filters, cursor pagination, instructor
pages, and the cache invalidated on edit/unpublish/publish."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import Role, User
from app.media.models import Level, Video, VideoStatus

Headers = Callable[[User], dict[str, str]]


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    resp = await client.get("/api/v1/videos", params=params)
    assert resp.status_code == 200, resp.text
    return [item["id"] for item in resp.json()["items"]]


async def test_search_and_filters_see_only_published_videos(
    client: httpx.AsyncClient, make_user: Callable[..., User], make_video: Callable[..., Video]
) -> None:
    teacher = make_user(role=Role.instructor, display_name="Coach Rivera")
    other = make_user(role=Role.instructor)
    tag = f"zq{teacher.id.hex[:8]}"  # unique to this test: other tests publish videos too
    armbar = make_video(
        teacher,
        title="Armbar from guard",
        description="Brazilian jiu-jitsu fundamentals",
        discipline="bjj",
        level=Level.beginner,
        tags=[tag, "submissions"],
        language="pt",
    )
    kicks = make_video(
        teacher,
        title="Spinning kicks",
        description="Taekwondo turning kicks",
        discipline="taekwondo",
        level=Level.advanced,
        tags=[tag],
        price_cents=1200,
        subscription_included=True,
    )
    rental = make_video(
        other,
        title="Kata rental",
        description="Heian kata",
        discipline="karate",
        tags=[tag],
        rental_price_cents=299,
        rental_hours=48,
    )
    hidden = make_video(teacher, title="Armbar draft", tags=[tag], status=VideoStatus.in_review)

    assert set(await _ids(client, q=tag)) == {str(armbar.id), str(kicks.id), str(rental.id)}
    assert str(hidden.id) not in await _ids(client, q=f"{tag} armbar")
    assert await _ids(client, q=f"{tag} armbar") == [str(armbar.id)]
    assert await _ids(client, q=f"{tag} KICK") == [str(kicks.id)]  # case-insensitive, prefix match
    assert await _ids(client, q=f"{tag} jiu") == [str(armbar.id)]  # description
    assert await _ids(client, q=f"{tag} submissions") == [str(armbar.id)]  # tags
    assert await _ids(client, q=tag, discipline="BJJ") == [str(armbar.id)]
    assert await _ids(client, q=tag, level="advanced") == [str(kicks.id)]
    assert await _ids(client, q=tag, language="pt") == [str(armbar.id)]
    assert set(await _ids(client, q=tag, instructor_id=str(teacher.id))) == {str(armbar.id), str(kicks.id)}
    assert await _ids(client, q=tag, price_type="free") == [str(armbar.id)]
    assert await _ids(client, q=tag, price_type="ppv") == [str(kicks.id)]
    assert await _ids(client, q=tag, price_type="rental") == [str(rental.id)]
    assert await _ids(client, q=tag, price_type="subscription") == [str(kicks.id)]

    item = (await client.get("/api/v1/videos", params={"q": f"{tag} armbar"})).json()["items"][0]
    assert item["instructor_name"] == "Coach Rivera" and item["is_free"] is True
    assert item["poster_url"].startswith(f"/api/v1/videos/{armbar.id}/poster")
    assert "failure_reason" not in item and "progress" not in item

    page = await client.get(f"/api/v1/instructors/{teacher.id}")
    assert page.status_code == 200
    assert page.json()["display_name"] == "Coach Rivera" and page.json()["published_videos"] == 2


async def test_cursor_pagination_walks_every_result_once(
    client: httpx.AsyncClient, make_user: Callable[..., User], make_video: Callable[..., Video]
) -> None:
    teacher = make_user(role=Role.instructor)
    tag = f"pg{teacher.id.hex[:8]}"
    made = [str(make_video(teacher, title=f"Drill {i}", tags=[tag]).id) for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": tag, "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/api/v1/videos", params=params)).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))  # newest first, no duplicates, nothing missed
    bad = await client.get("/api/v1/videos", params={"cursor": "!!"})
    assert bad.status_code == 422


async def test_cached_catalog_is_invalidated_on_edit_and_unpublish(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    teacher = make_user(role=Role.instructor)
    tag = f"cc{teacher.id.hex[:8]}"
    video = make_video(teacher, title="Old title", tags=[tag])
    first = (await client.get("/api/v1/videos", params={"q": tag})).json()
    assert first["items"][0]["title"] == "Old title"
    card = await client.get(f"/api/v1/videos/{video.id}")
    assert card.status_code == 200 and card.json()["title"] == "Old title"

    edit = await client.patch(
        f"/api/v1/videos/{video.id}",
        json={"title": "New title", "price_cents": 500, "level": "advanced"},
        headers=auth_headers(teacher),
    )
    assert edit.status_code == 200
    # The level is not public-facing: live at once; title and price wait for review.
    during = (await client.get("/api/v1/videos", params={"q": tag})).json()["items"][0]
    assert (during["title"], during["price_cents"], during["level"]) == ("Old title", None, "advanced")
    admin = make_user(role=Role.admin)
    approved = await client.post(f"/api/v1/admin/videos/{video.id}/edit/approve", headers=auth_headers(admin))
    assert approved.status_code == 200, approved.text
    after = (await client.get("/api/v1/videos", params={"q": tag})).json()["items"][0]
    assert after["title"] == "New title" and after["price_cents"] == 500 and after["is_free"] is False
    assert (await client.get(f"/api/v1/videos/{video.id}")).json()["title"] == "New title"

    down = await client.post(f"/api/v1/videos/{video.id}/unpublish", headers=auth_headers(teacher))
    assert down.status_code == 200 and down.json()["status"] == "unpublished"
    assert await _ids(client, q=tag) == []
    assert (await client.get(f"/api/v1/videos/{video.id}")).status_code == 404
    # the owner still sees it, with its state
    owner_view = await client.get(f"/api/v1/videos/{video.id}", headers=auth_headers(teacher))
    assert owner_view.json()["status"] == "unpublished" and "progress" in owner_view.json()


async def test_other_users_cannot_edit_or_delete(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    teacher, rival = make_user(role=Role.instructor), make_user(role=Role.instructor)
    video = make_video(teacher)
    assert (
        await client.patch(f"/api/v1/videos/{video.id}", json={"title": "Mine"}, headers=auth_headers(rival))
    ).status_code == 403
    assert (await client.delete(f"/api/v1/videos/{video.id}", headers=auth_headers(rival))).status_code == 403
    assert (
        await client.post(f"/api/v1/videos/{video.id}/unpublish", headers=auth_headers(rival))
    ).status_code == 403


async def test_newest_means_most_recently_published_not_most_recently_created(
    client: httpx.AsyncClient, make_user: Callable[..., User], make_video: Callable[..., Video]
) -> None:
    from datetime import timedelta

    from app.core.clock import utcnow
    from app.db.session import sync_session

    teacher = make_user(role=Role.instructor)
    tag = f"nw{teacher.id.hex[:8]}"
    old_draft = make_video(teacher, title="Made first, published today", tags=[tag])
    fresh = make_video(teacher, title="Made later, published last month", tags=[tag])
    with sync_session() as session:
        session.get(Video, old_draft.id).published_at = utcnow()  # type: ignore[union-attr]
        session.get(Video, fresh.id).published_at = utcnow() - timedelta(days=30)  # type: ignore[union-attr]
    assert await _ids(client, q=tag) == [str(old_draft.id), str(fresh.id)]
    first = (await client.get("/api/v1/videos", params={"q": tag, "limit": 1})).json()
    rest = await _ids(client, q=tag, limit=1, cursor=first["next_cursor"])
    assert [first["items"][0]["id"], *rest] == [str(old_draft.id), str(fresh.id)]


async def test_catalog_pages_carry_an_etag_and_answer_304_until_something_changes(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    admin: User,
) -> None:
    teacher = make_user(role=Role.instructor)
    tag = f"et{teacher.id.hex[:8]}"
    video = make_video(teacher, title="Before", tags=[tag])
    for path, params in (
        ("/api/v1/videos", {"q": tag}),  # answered before routing (app.media.hot_paths)
        (f"/api/v1/instructors/{teacher.id}/videos", {}),  # the same cache through a route
        (f"/api/v1/videos/{video.id}", {}),
    ):
        first = await client.get(path, params=params)
        assert first.status_code == 200 and first.headers["etag"].startswith('"')
        assert first.headers["cache-control"] == "public, no-cache"
        same = await client.get(path, params=params, headers={"If-None-Match": first.headers["etag"]})
        assert same.status_code == 304 and same.content == b""
        assert same.headers["etag"] == first.headers["etag"]
    before = (await client.get("/api/v1/videos", params={"q": tag})).headers["etag"]
    edit = await client.patch(
        f"/api/v1/videos/{video.id}", json={"title": "After"}, headers=auth_headers(teacher)
    )
    assert edit.status_code == 200
    # a published title waits for review: the catalog changes when the edit is approved
    waiting = await client.get("/api/v1/videos", params={"q": tag}, headers={"If-None-Match": before})
    assert waiting.status_code == 304
    approved = await client.post(f"/api/v1/admin/videos/{video.id}/edit/approve", headers=auth_headers(admin))
    assert approved.status_code == 200, approved.text
    changed = await client.get("/api/v1/videos", params={"q": tag}, headers={"If-None-Match": before})
    assert changed.status_code == 200 and changed.json()["items"][0]["title"] == "After"
    assert changed.headers["etag"] != before


async def test_search_pages_expire_on_their_own_shorter_ttl(
    client: httpx.AsyncClient,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    from app.db.session import sync_session

    monkeypatch.setattr(settings, "media_catalog_cache_ttl_seconds", 600)
    monkeypatch.setattr(settings, "media_search_cache_ttl_seconds", 1)
    teacher = make_user(role=Role.instructor)
    tag = f"tt{teacher.id.hex[:8]}"
    video = make_video(teacher, title="Old name", tags=[tag])
    browse = {"instructor_id": str(teacher.id)}
    assert (await client.get("/api/v1/videos", params={"q": tag})).json()["items"][0]["title"] == "Old name"
    assert (await client.get("/api/v1/videos", params=browse)).json()["items"][0]["title"] == "Old name"
    with sync_session() as session:  # a change that skips the service (so no invalidation)
        session.get(Video, video.id).title = "New name"  # type: ignore[union-attr]
    await asyncio.sleep(1.2)
    assert (await client.get("/api/v1/videos", params={"q": tag})).json()["items"][0]["title"] == "New name"
    assert (await client.get("/api/v1/videos", params=browse)).json()["items"][0]["title"] == "Old name"


async def test_bad_catalog_parameters_get_the_routes_validation_errors(client: httpx.AsyncClient) -> None:
    for params in ({"level": "grandmaster"}, {"limit": "0"}, {"limit": "abc"}, {"price_type": "gift"}):
        resp = await client.get("/api/v1/videos", params=params)
        assert resp.status_code == 422, params
        assert "error" in resp.json()
    assert (await client.get("/api/v1/videos", params={"unknown": "1"})).status_code == 200


async def test_the_catalog_is_served_from_the_database_when_redis_is_down(
    client: httpx.AsyncClient,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import socket

    from app.core.redis import reset_redis

    if not os.environ.get("REDIS_URL"):
        pytest.skip("the services profile (REDIS_URL) only")
    teacher = make_user(role=Role.instructor)
    tag = f"rd{teacher.id.hex[:8]}"
    video = make_video(teacher, tags=[tag])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(settings, "redis_url", f"redis://127.0.0.1:{port}/0")
    reset_redis()
    try:
        for _ in range(settings.redis_failures_before_bypass + 1):
            assert await _ids(client, q=tag) == [str(video.id)]
    finally:
        monkeypatch.undo()
        reset_redis()


async def test_search_forgives_accents_and_one_typo_but_not_a_different_word(
    client: httpx.AsyncClient, make_user: Callable[..., User], make_video: Callable[..., Video]
) -> None:
    teacher = make_user(role=Role.instructor)
    tag = f"t0{uuid.uuid4().hex[:12]}"  # has a digit, so it matches only as typed; unique
    karate = make_video(teacher, title="Karaté Shōtōkan: Heian Shodan", discipline="karate", tags=[tag])
    squat = make_video(teacher, title="Deep squat for kicks", discipline="fitness", tags=[tag])
    mawashi = make_video(teacher, title="Mawashi geri", discipline="kickboxing", tags=[tag])

    assert await _ids(client, q=f"{tag} karate") == [str(karate.id)]  # stored accent, plain query
    assert await _ids(client, q=f"{tag} KARATÉ shotokan") == [str(karate.id)]
    assert await _ids(client, q=f"{tag} shōtōkan") == [str(karate.id)]  # accent in the query
    assert await _ids(client, q=f"{tag} squt") == [str(squat.id)]  # a letter missing
    assert await _ids(client, q=f"{tag} mawasi") == [str(mawashi.id)]
    assert await _ids(client, q=f"{tag} mawashi gery") == [str(mawashi.id)]
    assert await _ids(client, q=f"{tag} judo") == []  # a different word is not a typo
    assert await _ids(client, q=f"{tag} kck") == []  # under 4 letters: exact prefixes only
