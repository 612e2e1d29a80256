"""The whole studio flow on real videos of a person: reference -> attempt -> report."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from app.core.storage import get_object_store
from app.db.session import sync_session
from app.studio import keys, tasks
from app.studio.models import JobStatus, StudioAttempt

from .conftest import REF_RANGE, local_path, upload_attempt, wait_for

API = "/api/v1/studio"
FEEDBACK_FIELDS = {
    "joint",
    "phase",
    "phase_label",
    "t_start",
    "t_end",
    "measured_deg",
    "reference_deg",
    "deviation_deg",
    "signed_deg",
    "direction",
    "reps",
    "rank",
    "message",
}


def _keys_under(prefix: str) -> list[str]:
    return sorted(info.key for info in get_object_store().list_objects(prefix))


@pytest.mark.slow
async def test_reference_attempt_and_report_through_a_real_worker(
    celery_worker: Any,
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_video: Any,
    clips: dict[str, bytes],
) -> None:
    teacher, learner = auth_headers(instructor), auth_headers(student)
    video_id = make_video(instructor, clips["reference"])
    created = await client.post(
        f"{API}/references",
        json={"video_id": str(video_id), "name": "mae geri", "t_start": REF_RANGE[0], "t_end": REF_RANGE[1]},
        headers=teacher,
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] in ("pending", "running")  # a worker process does the work
    ref_id = created.json()["id"]
    reference = await wait_for(
        client, f"{API}/references/{ref_id}", teacher, until=lambda r: r["status"] in ("ready", "failed")
    )
    assert reference["status"] == "ready", reference

    submitted = await upload_attempt(client, learner, ref_id, clips["attempt"])
    assert submitted["status"] in ("pending", "running")
    seen: list[dict[str, Any]] = []
    final = await wait_for(
        client,
        f"{API}/attempts/{submitted['id']}",
        learner,
        until=lambda a: a["status"] in ("ready", "failed"),
        seen=seen,
    )
    assert final["status"] == "ready", (final, celery_worker.logs()[-3000:])
    assert final["progress"] == 100 and final["stage"] == "done"
    progress = [s["progress"] for s in seen if s["status"] == "running"]
    assert progress == sorted(progress)  # progress only moves forward
    assert {s["status"] for s in seen} <= {"pending", "running", "ready"}

    report = (await client.get(f"{API}/attempts/{submitted['id']}/report", headers=learner)).json()
    assert report["score"] == final["score"] and report["match"] is not None
    if report["match"]["same_movement"]:
        assert 0 <= report["score"] <= 100
    else:  # the flattened astronaut may not be taken for the reference's movement at all
        assert report["score"] is None and report["feedback"] == []
    for item in report["feedback"]:
        assert set(item) == FEEDBACK_FIELDS and item["direction"] in ("increase", "decrease", "mixed")
    assert report["phases"] and report["plots"] and report["overlay_lang"] == "en"
    window = report["attempt_window"]
    assert 0 <= window["t_start"] < window["t_end"]
    overlay = await client.get(local_path(report["overlay_url"]))
    assert overlay.status_code == 200 and overlay.content[4:8] == b"ftyp"
    plot = await client.get(local_path(report["plots"][0]["url"]))
    assert plot.status_code == 200 and plot.content.startswith(b"\x89PNG")

    stored = _keys_under(keys.attempt_prefix(submitted["id"]))
    assert keys.attempt_overlay(submitted["id"]) in stored
    assert keys.attempt_skeleton(submitted["id"]) in stored and keys.attempt_report(submitted["id"]) in stored
    assert {keys.attempt_plot(submitted["id"], p["joint"], "en") for p in report["plots"]} <= set(stored)
    assert keys.reference_clip(ref_id) in _keys_under(keys.reference_prefix(ref_id))
    # The instructor sees it among their students' attempts and on the report.
    listed = (await client.get(f"{API}/instructor/attempts", headers=teacher)).json()["items"]
    assert [a["id"] for a in listed] == [submitted["id"]]
    assert (await client.get(f"{API}/attempts/{submitted['id']}/report", headers=teacher)).status_code == 200


@pytest.mark.slow
async def test_the_analysis_respects_the_reference_joints_and_a_rerun_overwrites_its_outputs(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    reference_skeleton: dict[str, Any],
    clips: dict[str, bytes],
) -> None:
    joints = ["left_hip", "right_hip", "trunk"]
    reference = make_reference(instructor, skeleton=reference_skeleton, joints=joints)
    done = await upload_attempt(client, auth_headers(student), reference.id, clips["attempt"])
    assert done["status"] == "ready", done  # inline (eager) in this test
    report = (await client.get(f"{API}/attempts/{done['id']}/report", headers=auth_headers(student))).json()
    assert report["joints"] == joints and report["reference"]["joints"] == joints
    assert {f["joint"] for f in report["feedback"]} <= set(joints)
    assert {p["joint"] for p in report["plots"]} <= set(joints)
    outputs = _keys_under(keys.attempt_prefix(done["id"]))

    # Delivered again: a ready job is left alone.
    assert tasks.analyse_attempt.apply(args=[done["id"]]).get() == "already_ready"
    # Requeued (as the reaper does): the rerun writes the same keys, nothing piles up.
    with sync_session() as session:
        row = session.get(StudioAttempt, uuid.UUID(done["id"]))
        assert row is not None
        row.status, row.stage = JobStatus.pending, "requeued"
    assert tasks.analyse_attempt.apply(args=[done["id"]]).get() == "ready"
    assert _keys_under(keys.attempt_prefix(done["id"])) == outputs
    with sync_session() as session:
        row = session.get(StudioAttempt, uuid.UUID(done["id"]))
        assert row is not None and row.run_count == 2 and row.status == JobStatus.ready


@pytest.mark.slow
async def test_an_attempt_without_a_person_is_a_report_that_says_so(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    reference_skeleton: dict[str, Any],
    clips: dict[str, bytes],
) -> None:
    """Nobody in the video: not scored, no corrections, one message saying what to do, in the
    student's language (Accept-Language) and any language asked for."""
    reference = make_reference(instructor, skeleton=reference_skeleton)
    done = await upload_attempt(client, auth_headers(student), reference.id, clips["nobody"])
    assert done["status"] == "ready", done
    assert done["score"] is None
    h = auth_headers(student) | {"accept-language": "it-IT,it;q=0.9"}
    report = (await client.get(f"{API}/attempts/{done['id']}/report", headers=h)).json()
    assert report["lang"] == "it" and report["score"] is None
    assert report["match"]["same_movement"] is False and report["match"]["reason"] == "no_person"
    assert report["match"]["message"].startswith("Non vediamo nessuna persona")
    assert report["feedback"] == [] and report["top_cues"] == []
    english = (await client.get(f"{API}/attempts/{done['id']}/report?lang=en", headers=h)).json()
    assert english["match"]["message"].startswith("We could not see a person")
