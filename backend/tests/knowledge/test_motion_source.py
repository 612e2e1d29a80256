"""Motion evidence on the platform: a video's extraction gets the skeletons of its ready studio
references, put back on the video's timeline (a reference's frames are re-based to its range
start), and hands them to the categorisation. No fixtures: made-up skeleton documents."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.auth.models import User
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.jobs.models import JobStatus
from app.knowledge import pipeline
from app.knowledge.models import KnowledgeJob
from app.media.models import Video
from app.studio.models import StudioReference
from video_studio.skeleton.doc import make_doc

POSE = [[0.5, 0.5, 0.0, 0.9]] * 33


def _doc(times: list[float], first_index: int) -> dict[str, Any]:
    frames = [{"index": first_index + k, "t": t, "landmarks": POSE} for k, t in enumerate(times)]
    return dict(make_doc(10.0, 640, 360, frames))  # type: ignore[arg-type]


def _reference(owner: User, video_id: uuid.UUID, t_start: float, doc: Any, status: JobStatus) -> None:
    with sync_session() as session:
        ref = StudioReference(
            instructor_id=owner.id, video_id=video_id, source_key="x", name="mae geri", t_start=t_start,
            t_end=t_start + 1.0, status=status,
        )  # fmt: skip
        session.add(ref)
        session.flush()
        if doc is not None:
            ref.skeleton_key = f"studio/references/{ref.id}/skeleton.json"
            get_object_store().put_bytes(ref.skeleton_key, json.dumps(doc).encode(), "application/json")
        elif status == JobStatus.ready:
            ref.skeleton_key = f"studio/references/{ref.id}/gone.json"  # listed, but not in the store
        session.commit()


def test_the_references_skeletons_are_merged_on_the_videos_timeline(
    make_video: Callable[..., Video], instructor: User
) -> None:
    video = make_video(instructor)
    assert pipeline.video_skeleton(video.id) is None  # no reference: no motion (and no cost)
    _reference(instructor, video.id, 30.0, _doc([0.0, 0.1, 0.2], 300), JobStatus.ready)
    _reference(instructor, video.id, 10.0, _doc([0.0, 0.1], 100), JobStatus.ready)
    _reference(instructor, video.id, 50.0, _doc([0.0], 500), JobStatus.running)  # not ready: unused
    _reference(instructor, video.id, 70.0, None, JobStatus.ready)  # its skeleton is gone: skipped

    doc = pipeline.video_skeleton(video.id)

    assert doc is not None
    assert [(f["index"], f["t"]) for f in doc["frames"]] == [
        (100, 10.0), (101, 10.1), (300, 30.0), (301, 30.1), (302, 30.2)
    ]  # fmt: skip
    assert (doc["fps"], doc["width"], doc["height"]) == (10.0, 640, 360)


def test_the_extraction_is_given_the_videos_skeleton(
    make_video: Callable[..., Video], instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    import video_studio.knowledge as knowledge_compute

    video = make_video(instructor)
    _reference(instructor, video.id, 12.5, _doc([0.0, 0.5], 125), JobStatus.ready)
    key = f"knowledge-test/{uuid.uuid4()}/source"
    get_object_store().put_bytes(key, b"not used", "video/mp4")
    with sync_session() as session:
        job = KnowledgeJob(owner_id=instructor.id, video_id=video.id, source_key=key, queued_at=None)
        session.add(job)
        session.commit()
        job_id = job.id
    seen: list[Any] = []

    def fake_extract(source: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("skeleton"))
        raise RuntimeError("stop here")  # the rest of the pipeline has its own tests

    monkeypatch.setattr(knowledge_compute, "extract", fake_extract)
    assert pipeline.run_job(job_id, task_id="t1") == "failed"
    (skeleton,) = seen
    assert [f["t"] for f in skeleton["frames"]] == [12.5, 13.0]
