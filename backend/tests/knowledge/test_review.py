"""Items: nothing unreviewed is public; edits are new versions; the owner (and admins) review;
approved translations join the memory; offline translation uses only the memory and says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from app.auth.models import Role, User
from app.knowledge.models import ReviewState
from tests.knowledge.conftest import API

Headers = Callable[[User], dict[str, str]]


async def test_an_unreviewed_item_is_seen_only_by_its_instructor_and_admins(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, admin: User, make_user: Any,
    make_video: Any, make_item: Any,
) -> None:  # fmt: skip
    video = make_video(instructor)
    item = make_item(
        instructor, {"en": ("Mae geri (front kick)", "")}, video_id=video.id, state=ReviewState.unreviewed
    )
    stranger = make_user(role=Role.instructor)
    assert (await client.get(f"{API}/items/{item}")).status_code == 404
    assert (await client.get(f"{API}/items/{item}", headers=auth_headers(stranger))).status_code == 404
    owner_view = await client.get(f"{API}/items/{item}", headers=auth_headers(instructor))
    assert owner_view.status_code == 200 and owner_view.json()["versions"][0]["review_state"] == "unreviewed"
    search = await client.get(f"{API}/search", params={"q": "front kick", "lang": "en"})
    assert item not in {h["item_id"] for h in search.json()["items"]}
    # The review queue: the instructor's own; admins see everyone's.
    mine = await client.get(f"{API}/items", params={"review": "unreviewed"}, headers=auth_headers(instructor))
    assert [i["id"] for i in mine.json()["items"]] == [str(item)]
    theirs = await client.get(f"{API}/items", params={"review": "unreviewed"}, headers=auth_headers(stranger))
    assert theirs.json()["items"] == []
    queue = await client.get(
        f"{API}/items", params={"review": "unreviewed", "limit": 100}, headers=auth_headers(admin)
    )
    assert str(item) in {i["id"] for i in queue.json()["items"]}


async def test_an_edit_is_a_new_version_and_only_the_approved_one_is_public(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_user: Any, make_video: Any,
    make_item: Any,
) -> None:  # fmt: skip
    video = make_video(instructor)
    item = make_item(
        instructor,
        {"it": ("Mae geri (calcio frontale)", "")},
        video_id=video.id,
        state=ReviewState.unreviewed,
    )
    teacher = auth_headers(instructor)
    stranger = make_user(role=Role.instructor)
    denied = await client.post(
        f"{API}/items/{item}/versions", json={"lang": "it", "title": "x"}, headers=auth_headers(stranger)
    )
    assert denied.status_code == 404
    edited = await client.post(
        f"{API}/items/{item}/versions",
        json={
            "lang": "it",
            "title": "Mae geri — calcio frontale",
            "body": "Il ginocchio sale, poi il piede scatta.",
        },
        headers=teacher,
    )
    assert edited.status_code == 201 and edited.json()["number"] == 2 and edited.json()["source"] == "human"
    versions = (await client.get(f"{API}/items/{item}", headers=teacher)).json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert (await client.get(f"{API}/items/{item}")).status_code == 404
    approved = await client.post(
        f"{API}/items/{item}/versions/{edited.json()['id']}/review", json={"approve": True}, headers=teacher
    )
    assert approved.json()["review_state"] == "approved"
    public = (await client.get(f"{API}/items/{item}")).json()
    assert [(v["number"], v["title"]) for v in public["versions"]] == [(2, "Mae geri — calcio frontale")]
    assert public["links"] == [
        {"video_id": str(video.id), "document_id": None, "start_s": 1.0, "end_s": 3.0, "page": None}
    ]


async def test_an_item_on_an_unpublished_video_is_not_public(
    client: httpx.AsyncClient, instructor: User, make_video: Any, make_item: Any
) -> None:
    from app.media.models import VideoStatus

    video = make_video(instructor, status=VideoStatus.unpublished)
    item = make_item(instructor, {"en": ("Gedan barai (downward block)", "")}, video_id=video.id)
    assert (await client.get(f"{API}/items/{item}")).status_code == 404


async def test_offline_translation_uses_the_memory_and_says_so(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_video: Any, make_item: Any
) -> None:
    video = make_video(instructor)
    teacher = auth_headers(instructor)
    item = make_item(instructor, {"it": ("calcio frontale", "")}, video_id=video.id)
    hit = await client.post(
        f"{API}/items/{item}/translate",
        json={"source": "it", "target": "en"},
        headers={**teacher, "Accept-Language": "it"},
    )
    body = hit.json()
    assert body["offline"] is True and "memoria di traduzione" in body["message"]
    assert body["version"]["title"] == "front kick" and body["version"]["source"] == "tm"
    assert body["version"]["review_state"] == "unreviewed"
    other = make_item(
        instructor, {"it": ("Tenere il gomito basso durante la rotazione", "")}, video_id=video.id
    )
    miss = (
        await client.post(
            f"{API}/items/{other}/translate", json={"source": "it", "target": "en"}, headers=teacher
        )
    ).json()
    assert miss["offline"] is True and miss["version"] is None


async def test_a_human_approved_translation_joins_the_memory(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_video: Any, make_item: Any
) -> None:
    video = make_video(instructor)
    teacher = auth_headers(instructor)
    phrase_it = "Ruotare l'anca mentre il pugno parte dal fianco"
    phrase_en = "Turn the hip as the punch leaves the side"
    first = make_item(instructor, {"it": (phrase_it, "")}, video_id=video.id)
    before = await client.post(
        f"{API}/items/{first}/translate", json={"source": "it", "target": "en"}, headers=teacher
    )
    assert before.json()["version"] is None
    await client.post(
        f"{API}/items/{first}/versions",
        json={"lang": "en", "title": phrase_en, "approve": True},
        headers=teacher,
    )
    second = make_item(instructor, {"it": (phrase_it, "")}, video_id=video.id)
    after = (
        await client.post(
            f"{API}/items/{second}/translate", json={"source": "it", "target": "en"}, headers=teacher
        )
    ).json()
    assert after["version"]["title"] == phrase_en and after["version"]["source"] == "tm"
    assert after["suggestions"][0]["origin"] == "human"


async def test_bad_input_gets_the_error_envelope(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_video: Any
) -> None:
    video = make_video(instructor)
    teacher = auth_headers(instructor)
    no_link = await client.post(
        f"{API}/items", json={"kind": "article", "lang": "it", "title": "Kihon"}, headers=teacher
    )
    assert no_link.status_code == 422 and no_link.json()["error"]["code"] == "link_required"
    outside = await client.post(
        f"{API}/items",
        json={
            "kind": "term",
            "lang": "en",
            "title": "Kiai",
            "video_id": str(video.id),
            "start_s": 5,
            "end_s": 99,
        },
        headers=teacher,
    )
    assert outside.status_code == 422 and outside.json()["error"]["code"] == "invalid_range"
    bad_vtt = await client.post(
        f"{API}/videos/{video.id}/captions", json={"lang": "en", "vtt": "not a caption file"}, headers=teacher
    )
    assert bad_vtt.status_code == 422 and bad_vtt.json()["error"]["code"] == "invalid_webvtt"
    empty_q = await client.get(f"{API}/search", params={"q": ""})
    assert empty_q.status_code == 422 and "error" in empty_q.json()
