from __future__ import annotations

from typing import Any

import httpx

from app.auth.models import Role
from app.core.storage import get_object_store
from app.studio import keys
from app.studio.models import JobStatus

from .conftest import local_path, upload_attempt

API = "/api/v1/studio"


async def test_attempt_on_a_reference_that_is_not_ready_is_409(
    client: httpx.AsyncClient, auth_headers: Any, instructor: Any, student: Any, make_reference: Any
) -> None:
    for status in (JobStatus.pending, JobStatus.running):
        reference = make_reference(instructor, status=status)
        # The instructor can see it, and still cannot attempt it.
        resp = await client.post(
            f"{API}/references/{reference.id}/attempts",
            json={"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 10},
            headers=auth_headers(instructor),
        )
        assert resp.status_code == 409, resp.text
        assert resp.json()["error"]["code"] == "reference_not_ready"
    # A student does not even see a reference that is not ready.
    resp = await client.post(
        f"{API}/references/{reference.id}/attempts",
        json={"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 10},
        headers=auth_headers(student),
    )
    assert resp.status_code == 404


async def test_attempt_upload_checks_type_and_size(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    settings: Any,
) -> None:
    reference = make_reference(instructor)
    url = f"{API}/references/{reference.id}/attempts"
    h = auth_headers(student)
    resp = await client.post(
        url, json={"filename": "a.txt", "content_type": "text/plain", "size_bytes": 5}, headers=h
    )
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "not_a_video"
    too_big = settings.studio_attempt_max_bytes + 1
    resp = await client.post(
        url, json={"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": too_big}, headers=h
    )
    assert resp.status_code == 413 and resp.json()["error"]["code"] == "attempt_too_large"
    assert (
        await client.post(url, json={"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 5})
    ).status_code == 401


async def test_a_non_video_attempt_is_uploaded_in_parts_resumed_and_fails_with_a_reason(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    settings: Any,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(settings, "studio_upload_part_size", 5 * 1024 * 1024)
    reference = make_reference(instructor)
    h = auth_headers(student)
    data = b"this is a text file, not a video\n" * 200_000  # ~6.6 MB: two parts
    created = await upload_attempt(client, h, reference.id, data, complete=False)
    attempt_id = created["attempt"]["id"]
    assert created["attempt"]["status"] == "uploading"
    assert created["upload"]["part_count"] == 2 and len(created["upload"]["parts"]) == 2

    # Resume: both parts were stored; a fresh listing offers no URL to upload again.
    resume = await client.get(f"{API}/attempts/{attempt_id}/upload", headers=h)
    assert resume.status_code == 200, resume.text
    uploaded = resume.json()["uploaded_parts"]
    assert [p["part_number"] for p in uploaded] == [1, 2] and resume.json()["parts"] == []
    # Nobody else can touch the upload.
    other = auth_headers(instructor)
    assert (await client.get(f"{API}/attempts/{attempt_id}/upload", headers=other)).status_code == 404

    resigned = await client.post(
        f"{API}/attempts/{attempt_id}/upload/parts", json={"part_numbers": [2]}, headers=h
    )
    assert resigned.status_code == 200 and [p["part_number"] for p in resigned.json()["parts"]] == [2]
    out_of_range = await client.post(
        f"{API}/attempts/{attempt_id}/upload/parts", json={"part_numbers": [3]}, headers=h
    )
    assert out_of_range.status_code == 422
    parts = [{"part_number": p["part_number"], "etag": p["etag"]} for p in uploaded]
    done = await client.post(f"{API}/attempts/{attempt_id}/complete", json={"parts": parts}, headers=h)
    assert done.status_code == 202, done.text
    # Tasks run inline in tests: the worker already looked at the file and refused it.
    body = done.json()
    assert body["status"] == "failed", body
    assert body["failure_reason"] == "not_a_video"  # a reason code the apps show in it/en
    assert get_object_store().head(keys.attempt_source(attempt_id)) is not None

    again = await client.post(f"{API}/attempts/{attempt_id}/complete", json={"parts": parts}, headers=h)
    assert again.status_code == 202 and again.json()["status"] == "failed"  # idempotent
    assert (await client.get(f"{API}/attempts/{attempt_id}/upload", headers=h)).status_code == 409
    report = await client.get(f"{API}/attempts/{attempt_id}/report", headers=h)
    assert report.status_code == 409 and report.json()["error"]["code"] == "report_not_ready"
    assert "(This file is not a video we can read." in report.json()["error"]["message"]
    italian = await client.get(f"{API}/attempts/{attempt_id}/report", headers={**h, "Accept-Language": "it"})
    assert italian.json()["error"]["message"] == (
        "Il report non è pronto: l'analisi è non riuscita "
        "(Questo file non è un video che riusciamo a leggere. Carica un video MP4, MOV o WebM.)."
    )
    mine = (await client.get(f"{API}/attempts?reference_id={reference.id}", headers=h)).json()
    assert [a["id"] for a in mine["items"]] == [attempt_id]


async def test_a_report_is_visible_to_its_student_the_instructor_and_admins_only(
    client: httpx.AsyncClient,
    auth_headers: Any,
    make_user: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    make_ready_attempt: Any,
) -> None:
    reference = make_reference(instructor)
    attempt = make_ready_attempt(reference, student)
    intruder = make_user(role=Role.student)
    other_instructor = make_user(role=Role.instructor)
    admin = make_user(role=Role.admin)

    for path in ("", "/report"):
        url = f"{API}/attempts/{attempt.id}{path}"
        for outsider in (intruder, other_instructor):
            resp = await client.get(url, headers=auth_headers(outsider))
            assert resp.status_code == 404, (path, resp.text)
            assert resp.json()["error"]["code"] == "attempt_not_found"
        assert (await client.get(url)).status_code == 401
        for insider in (student, instructor, admin):
            assert (await client.get(url, headers=auth_headers(insider))).status_code == 200

    report = (await client.get(f"{API}/attempts/{attempt.id}/report", headers=auth_headers(student))).json()
    assert report["score"] == 71.5
    assert report["reference"]["name"] == "mae geri — front kick"
    assert report["feedback"][0]["joint"] == "right_knee" and report["feedback"][0]["direction"] == "increase"
    assert [p["joint"] for p in report["plots"]] == ["right_knee"]
    overlay = await client.get(local_path(report["overlay_url"]))
    assert overlay.status_code == 200 and overlay.headers["content-type"] == "video/mp4"
    plot = await client.get(local_path(report["plots"][0]["url"]))
    assert plot.status_code == 200 and plot.content == b"png"
    # The presigned URL names one object: it cannot be bent to read another.
    other_key = keys.attempt_overlay(attempt.id).replace(str(attempt.id), str(reference.id))
    token = report["overlay_url"].split("token=")[1]
    assert (await client.get(f"/api/v1/storage/objects/{other_key}?token={token}")).status_code == 404

    # Only the owner may resume or retry; outsiders learn nothing about the attempt.
    assert (
        await client.post(f"{API}/attempts/{attempt.id}/retry", headers=auth_headers(intruder))
    ).status_code == 404


async def test_the_instructor_lists_attempts_on_their_references_and_comments(
    client: httpx.AsyncClient,
    auth_headers: Any,
    make_user: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    make_ready_attempt: Any,
) -> None:
    reference = make_reference(instructor)
    attempt = make_ready_attempt(reference, student)
    other_instructor = make_user(role=Role.instructor)
    elsewhere = make_ready_attempt(make_reference(other_instructor), student)

    listing = await client.get(f"{API}/instructor/attempts", headers=auth_headers(instructor))
    assert listing.status_code == 200, listing.text
    items = listing.json()["items"]
    assert [a["id"] for a in items] == [str(attempt.id)]
    assert items[0]["student"] == {"id": str(student.id), "display_name": "Aiko"}
    assert items[0]["score"] == 71.5
    filtered = await client.get(
        f"{API}/instructor/attempts?reference_id={reference.id}&status=failed",
        headers=auth_headers(instructor),
    )
    assert filtered.json()["items"] == []
    assert (await client.get(f"{API}/instructor/attempts", headers=auth_headers(student))).status_code == 403

    url = f"{API}/attempts/{attempt.id}/comments"
    denied = await client.post(url, json={"body": "nice"}, headers=auth_headers(student))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "not_the_instructor"
    hidden = await client.post(url, json={"body": "nice"}, headers=auth_headers(other_instructor))
    assert hidden.status_code == 404
    wrong = await client.post(
        f"{API}/attempts/{elsewhere.id}/comments", json={"body": "x"}, headers=auth_headers(instructor)
    )
    assert wrong.status_code == 404
    made = await client.post(
        url, json={"body": "  Chamber the knee higher.  "}, headers=auth_headers(instructor)
    )
    assert made.status_code == 201, made.text
    assert made.json()["body"] == "Chamber the knee higher." and made.json()["author_name"] == "Sensei Kano"

    report = (await client.get(f"{API}/attempts/{attempt.id}/report", headers=auth_headers(student))).json()
    assert [(c["body"], c["author_id"]) for c in report["comments"]] == [
        ("Chamber the knee higher.", str(instructor.id))
    ]
