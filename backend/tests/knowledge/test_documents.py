"""Documents: an instructor uploads a PDF manual through the presigned multipart flow; its text
becomes an unreviewed article and technique items linked to the document's pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import matplotlib
import pytest

matplotlib.use("Agg")
from matplotlib import pyplot as plt

from app.auth.models import User
from tests.knowledge.conftest import API
from tests.media.helpers import put_part

Headers = Callable[[User], dict[str, str]]


def text_pdf(path: Path, lines: list[str]) -> bytes:
    fig = plt.figure(figsize=(8.27, 11.69))
    for k, line in enumerate(lines):
        fig.text(0.1, 0.9 - 0.05 * k, line, fontsize=14)
    fig.savefig(path, format="pdf")
    plt.close(fig)
    return path.read_bytes()


async def _upload(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes, content_type: str
) -> httpx.Response:
    start = await client.post(
        f"{API}/documents",
        json={
            "title": "Manuale",
            "filename": "manuale.pdf",
            "content_type": content_type,
            "size_bytes": len(data),
        },
        headers=headers,
    )
    assert start.status_code == 201, start.text
    ticket = start.json()
    etags = []
    for part in ticket["parts"]:
        n = part["part_number"]
        chunk = data[(n - 1) * ticket["part_size"] : n * ticket["part_size"]]
        resp = await put_part(client, part["url"], chunk)
        assert resp.status_code == 200, resp.text
        etags.append({"part_number": n, "etag": resp.headers["ETag"]})
    return await client.post(
        f"{API}/documents/{ticket['document']['id']}/complete", json={"parts": etags}, headers=headers
    )


@pytest.mark.slow
async def test_an_uploaded_pdf_becomes_an_unreviewed_article_and_techniques_on_its_pages(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, tmp_path: Path
) -> None:
    teacher = auth_headers(instructor)
    data = text_pdf(
        tmp_path / "m.pdf", ["Gyaku zuki: pugno opposto", "Ruotare l'anca, tenere il gomito basso."]
    )
    done = await _upload(client, teacher, data, "application/pdf")
    assert done.status_code == 202, done.text
    job = done.json()
    assert job["status"] == "ready", job  # inline (eager) here
    again = await client.post(
        f"{API}/documents/{job['document_id']}/complete", json={"parts": [{"part_number": 1, "etag": "x"}]},
        headers=teacher,
    )  # fmt: skip
    assert again.json()["id"] == job["id"]  # completing twice: the same job
    queue = (await client.get(f"{API}/items", params={"review": "unreviewed"}, headers=teacher)).json()[
        "items"
    ]
    mine = [i for i in queue if any(ln["document_id"] == job["document_id"] for ln in i["links"])]
    kinds = {(i["kind"], i["key"]) for i in mine}
    assert ("article", "document") in kinds and ("technique", "gyaku_zuki") in kinds
    article = next(i for i in mine if i["kind"] == "article")
    assert article["versions"][0]["lang"] == "it" and "pugno opposto" in article["versions"][0]["body"]
    technique = next(i for i in mine if i["key"] == "gyaku_zuki")
    assert technique["links"][0]["page"] == 1


async def test_a_document_must_be_a_pdf_or_picture_and_only_instructors_upload(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_user: Any, settings: Any
) -> None:
    body = {"title": "x", "filename": "x.exe", "content_type": "application/x-msdownload", "size_bytes": 10}
    wrong = await client.post(f"{API}/documents", json=body, headers=auth_headers(instructor))
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "unsupported_document"
    huge = {
        **body,
        "content_type": "application/pdf",
        "size_bytes": settings.knowledge_document_max_bytes + 1,
    }
    too_big = await client.post(f"{API}/documents", json=huge, headers=auth_headers(instructor))
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "document_too_large"
    student = await client.post(
        f"{API}/documents",
        json={**body, "content_type": "application/pdf"},
        headers=auth_headers(make_user()),
    )
    assert student.status_code == 403
