"""Studio test data: short videos of a real person (scikit-image's astronaut) made on the fly,
published videos to mark references on, and helpers that drive the attempt upload through the API."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import pytest

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.studio import keys
from app.studio.models import JobStatus, StudioAttempt, StudioReference

CANVAS = 480
FPS = 10.0
REFERENCE_SECONDS = 2.0  # 20 frames
REF_RANGE = (0.5, 1.5)

Frame = npt.NDArray[np.uint8]


def person_frames(n: int, dx: float, *, squash_y: float = 1.0, size: int = 300) -> list[Frame]:
    """The astronaut (a real person, upper body) on a dark canvas, moved dx px per frame.
    squash_y < 1 flattens her, which changes every joint angle the compare looks at."""
    import cv2
    import skimage.data

    person = cv2.resize(skimage.data.astronaut(), (size, int(size * squash_y)))  # type: ignore[no-untyped-call]
    frames = []
    for k in range(n):
        canvas = np.full((CANVAS, CANVAS, 3), 40, np.uint8)
        m = np.array([[1, 0, 40 + k * dx], [0, 1, CANVAS - person.shape[0]]], dtype=np.float32)
        cv2.warpAffine(person, m, (CANVAS, CANVAS), dst=canvas, borderMode=cv2.BORDER_TRANSPARENT)  # type: ignore[call-overload]
        frames.append(canvas)
    return frames


def write_mp4(path: Path, frames: list[Frame], fps: float = FPS) -> Path:
    import cv2

    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("studio-clips")
    empty = [np.full((CANVAS, CANVAS, 3), 40, np.uint8) for _ in range(8)]
    return {
        "reference": write_mp4(
            folder / "ref.mp4", person_frames(int(REFERENCE_SECONDS * FPS), 4)
        ).read_bytes(),
        "attempt": write_mp4(folder / "attempt.mp4", person_frames(10, -3, squash_y=0.6)).read_bytes(),
        "nobody": write_mp4(folder / "nobody.mp4", empty).read_bytes(),
    }


@pytest.fixture(scope="session")
def reference_skeleton(clips: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reference clip's skeleton over REF_RANGE, extracted once (for ready-made references)."""
    from video_studio.skeleton import extract_skeleton, slice_skeleton

    path = tmp_path_factory.mktemp("studio-ref") / "ref.mp4"
    path.write_bytes(clips["reference"])
    return dict(slice_skeleton(extract_skeleton(path), *REF_RANGE))


@pytest.fixture
def make_video() -> Callable[..., uuid.UUID]:
    """A media video row (published by default) whose original upload is `data` in the store."""
    from app.media import service as media_service
    from app.media.models import Video, VideoStatus

    def factory(
        owner: User,
        data: bytes = b"",
        *,
        status: str = "published",
        duration_s: float | None = REFERENCE_SECONDS,
    ) -> uuid.UUID:
        video_id = uuid.uuid4()
        source_key = media_service.source_key(video_id)
        if data:
            get_object_store().put_bytes(source_key, data, "video/mp4")
        with sync_session() as session:
            session.add(
                Video(
                    id=video_id,
                    owner_id=owner.id,
                    title="Kihon",
                    discipline="karate",
                    status=VideoStatus(status),
                    source_key=source_key,
                    source_size_bytes=len(data),
                    duration_s=duration_s,
                    published_at=utcnow() if status == "published" else None,
                )
            )
        return video_id

    return factory


@pytest.fixture
def make_reference(make_video: Callable[..., uuid.UUID]) -> Callable[..., StudioReference]:
    """A reference row straight in the database: ready (with its skeleton stored) or in any state."""

    def factory(
        instructor: User,
        *,
        status: JobStatus = JobStatus.ready,
        skeleton: dict[str, Any] | None = None,
        joints: list[str] | None = None,
        technique: str = "general",
    ) -> StudioReference:
        video_id = make_video(instructor)
        reference = StudioReference(
            instructor_id=instructor.id,
            video_id=video_id,
            source_key=f"videos/{video_id}/source/original",
            name="mae geri — front kick",
            t_start=REF_RANGE[0],
            t_end=REF_RANGE[1],
            joints=joints or [],
            technique=technique,
            status=status,
            queued_at=utcnow(),
        )
        with sync_session() as session:
            session.add(reference)
            session.flush()
            if status == JobStatus.ready:
                key = keys.reference_skeleton(reference.id)
                get_object_store().put_bytes(key, json.dumps(skeleton or {}).encode(), "application/json")
                reference.skeleton_key = key
                reference.progress = 100
        return reference

    return factory


# A stored (language-neutral) report as the worker writes it since report version 2.
NEUTRAL_REPORT: dict[str, Any] = {
    "version": 2,
    "technique": "kick",
    "score": 71.5,
    "mean_abs_error_deg": 9.1,
    "mirrored": False,
    "rotation_deg": 0,
    "angle_basis": {"right_knee": "3d"},
    "match": {
        "same_movement": True,
        "confidence": 0.93,
        "reason": "ok",
        "cost": 0.41,
        "coverage": 0.97,
        "duration_ratio": 1.52,
        "motion_ratio": 0.95,
        "visibility": 0.91,
        "person_share": 1.0,
    },
    "tempo": {"ratio": 1.52, "code": "slower"},
    "warnings": [{"code": "several_people", "params": {}}],
    "notes": [{"code": "reps", "params": {"count": 2, "found": 2}}],
    "joints": ["right_knee"],
    "phases": [
        {"name": "extension", "t_start": 0.3, "t_end": 0.5, "attempt_t_start": 0.4, "attempt_t_end": 0.7}
    ],
    "reps": {
        "reference": 2,
        "attempt": 2,
        "missing": 0,
        "extra": 0,
        "items": [
            {"index": 1, "t_start": 0.1, "t_end": 1.0, "score": 60.0, "tempo": 1.5, "faults": 1},
            {"index": 2, "t_start": 1.2, "t_end": 2.1, "score": 83.0, "tempo": 1.54, "faults": 0},
        ],
    },
    "attempt_window": {"t_start": 0.1, "t_end": 2.1, "frame_start": 1, "frame_end": 21},
    "feedback": [
        {
            "joint": "right_knee",
            "phase": "extension",
            "t_start": 0.4,
            "t_end": 0.7,
            "measured_deg": 150.0,
            "reference_deg": 172.0,
            "deviation_deg": 22.4,
            "signed_deg": -22.0,
            "direction": "increase",
            "reps": [1],
            "rank": 1,
        }
    ],
}
NEUTRAL_REPORT["top_cues"] = NEUTRAL_REPORT["feedback"][:3]


@pytest.fixture
def make_ready_attempt() -> Callable[..., StudioAttempt]:
    """A finished attempt row with a report (version 1 as stored before language-neutral reports,
    or the given one) and its overlay/plot objects in the store."""

    def factory(
        reference: StudioReference, student: User, report: dict[str, Any] | None = None
    ) -> StudioAttempt:
        attempt_id = uuid.uuid4()
        store = get_object_store()
        store.put_bytes(keys.attempt_overlay(attempt_id), b"mp4", "video/mp4")
        store.put_bytes(keys.attempt_plot(attempt_id, "right_knee", "en"), b"png", "image/png")
        if report is not None:
            store.put_bytes(keys.attempt_plot(attempt_id, "right_knee", "it"), b"png-it", "image/png")
        feedback = {
            "joint": "right_knee",
            "phase": "extension",
            "t_start": 0.3,
            "t_end": 0.6,
            "measured_deg": 150.0,
            "reference_deg": 172.0,
            "direction": "increase",
            "message": "straighten your right knee more in the extension: 22° short",
        }
        legacy = {"version": 1, "score": 71.5, "mean_abs_error_deg": 9.1, "mirrored": False, "notes": []}
        legacy |= {"joints": ["right_knee"], "phases": [], "feedback": [feedback]}
        plot_keys: dict[str, Any] = (
            {"right_knee": keys.attempt_plot(attempt_id, "right_knee", "en")}
            if report is None
            else {
                lang: {"right_knee": keys.attempt_plot(attempt_id, "right_knee", lang)}
                for lang in ("en", "it")
            }
        )
        attempt = StudioAttempt(
            id=attempt_id,
            reference_id=reference.id,
            student_id=student.id,
            filename="try.mp4",
            content_type="video/mp4",
            size_bytes=3,
            part_size=5 * 1024 * 1024,
            part_count=1,
            source_key=keys.attempt_source(attempt_id),
            status=JobStatus.ready,
            progress=100,
            stage="done",
            score=71.5 if report is None else report["score"],
            report=legacy if report is None else report,
            overlay_key=keys.attempt_overlay(attempt_id),
            plot_keys=plot_keys,
            uploaded_at=utcnow(),
            finished_at=utcnow(),
        )
        with sync_session() as session:
            session.add(attempt)
        return attempt

    return factory


@pytest.fixture
def make_attempt() -> Callable[..., StudioAttempt]:
    """An uploaded attempt row in any job state, its source object holding `data`."""

    def factory(
        reference: StudioReference,
        student: User,
        *,
        data: bytes = b"not a video",
        status: JobStatus = JobStatus.pending,
        **fields: Any,
    ) -> StudioAttempt:
        attempt_id = uuid.uuid4()
        get_object_store().put_bytes(keys.attempt_source(attempt_id), data, "video/mp4")
        attempt = StudioAttempt(
            id=attempt_id,
            reference_id=reference.id,
            student_id=student.id,
            filename="try.mp4",
            content_type="video/mp4",
            size_bytes=len(data),
            part_size=5 * 1024 * 1024,
            part_count=1,
            source_key=keys.attempt_source(attempt_id),
            status=status,
            uploaded_at=utcnow(),
            **({"queued_at": utcnow()} | fields),
        )
        with sync_session() as session:
            session.add(attempt)
        return attempt

    return factory


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.instructor, display_name="Sensei Kano")


@pytest.fixture
def student(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.student, display_name="Aiko")


def local_path(url: str) -> str:
    """Presigned URLs of the embedded store point at the app itself (APP_BASE_URL=http://testserver)."""
    return url.removeprefix("http://testserver")


async def upload_attempt(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    reference_id: uuid.UUID | str,
    data: bytes,
    *,
    content_type: str = "video/mp4",
    complete: bool = True,
) -> dict[str, Any]:
    """Create an attempt, PUT its parts to the presigned URLs and complete it, like a client."""
    created = await client.post(
        f"/api/v1/studio/references/{reference_id}/attempts",
        json={"filename": "my-try.mp4", "content_type": content_type, "size_bytes": len(data)},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    part_size = body["upload"]["part_size"]
    etags = []
    for part in body["upload"]["parts"]:
        n = part["part_number"]
        put = await client.put(local_path(part["url"]), content=data[(n - 1) * part_size : n * part_size])
        assert put.status_code == 200, put.text
        etags.append({"part_number": n, "etag": put.headers["ETag"]})
    if not complete:
        return body
    done = await client.post(
        f"/api/v1/studio/attempts/{body['attempt']['id']}/complete", json={"parts": etags}, headers=headers
    )
    assert done.status_code == 202, done.text
    return dict(done.json())


async def wait_for(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    *,
    until: Callable[[dict[str, Any]], bool],
    within_s: float = 180.0,
    seen: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while True:
        resp = await client.get(url, headers=headers)
        assert resp.status_code == 200, resp.text
        body = dict(resp.json())
        if seen is not None:
            seen.append(body)
        if until(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting on {url}: {body}")
        await _sleep(0.3)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)
