from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.studio.models import JobStatus


class ReferenceCreate(BaseModel):
    video_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200, examples=["mae geri — front kick"])
    t_start: float = Field(ge=0, description="Start of the technique in the video, seconds")
    t_end: float = Field(gt=0, description="End of the technique in the video, seconds")
    joints: list[str] | None = Field(
        default=None,
        max_length=20,
        description="Joints that matter (default: all): left_elbow, right_elbow, left_shoulder, "
        "right_shoulder, left_hip, right_hip, left_knee, right_knee, left_ankle, right_ankle, trunk",
    )


class JobFields(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: JobStatus
    progress: int = Field(description="Percent done, 0..100")
    stage: str = Field(description="What the worker is doing: queued, downloading, extracting, ...")
    failure_reason: str | None = Field(description="Why the job failed, for the user")


class ReferenceOut(JobFields):
    id: uuid.UUID
    instructor_id: uuid.UUID
    video_id: uuid.UUID
    name: str
    t_start: float
    t_end: float
    joints: list[str]
    created_at: datetime
    finished_at: datetime | None


class ReferencePage(BaseModel):
    items: list[ReferenceOut]
    next_cursor: str | None


class AttemptCreate(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=100, examples=["video/mp4"])
    size_bytes: int = Field(gt=0)


class AttemptOut(JobFields):
    id: uuid.UUID
    reference_id: uuid.UUID
    student_id: uuid.UUID
    filename: str
    size_bytes: int
    score: float | None
    created_at: datetime
    uploaded_at: datetime | None
    finished_at: datetime | None


class StudentOut(BaseModel):
    id: uuid.UUID
    display_name: str


class InstructorAttemptOut(AttemptOut):
    student: StudentOut | None


class AttemptPage(BaseModel):
    items: list[AttemptOut]
    next_cursor: str | None


class InstructorAttemptPage(BaseModel):
    items: list[InstructorAttemptOut]
    next_cursor: str | None


class PartUrlOut(BaseModel):
    part_number: int
    url: str


class UploadedPartOut(BaseModel):
    part_number: int
    etag: str
    size: int


class UploadOut(BaseModel):
    """PUT each part's bytes to its URL, keep the ETag response header, then complete."""

    part_size: int
    part_count: int
    parts: list[PartUrlOut] = Field(description="URLs for the parts still to upload")
    uploaded_parts: list[UploadedPartOut] = Field(description="Parts already stored (resume)")
    expires_at: datetime | None


class AttemptUploadOut(BaseModel):
    attempt: AttemptOut
    upload: UploadOut


class SignParts(BaseModel):
    part_numbers: list[int] = Field(min_length=1, max_length=10_000)


class CompletedPart(BaseModel):
    part_number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200)


class CompleteUpload(BaseModel):
    parts: list[CompletedPart] = Field(min_length=1, max_length=10_000)


class FeedbackItemOut(BaseModel):
    joint: str
    phase: str
    t_start: float = Field(description="Attempt time (s) where the phase starts")
    t_end: float
    measured_deg: float
    reference_deg: float
    direction: str = Field(description="increase | decrease: which way the joint angle must change")
    message: str


class PhaseOut(BaseModel):
    name: str
    t_start: float
    t_end: float
    attempt_t_start: float
    attempt_t_end: float


class AttemptWindowOut(BaseModel):
    """The part of the attempt matched to the reference (lead-in and lead-out are ignored)."""

    t_start: float
    t_end: float


class PlotOut(BaseModel):
    joint: str
    url: str


class CommentOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID | None
    author_name: str | None
    body: str
    created_at: datetime


class CommentCreate(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class ReportReferenceOut(BaseModel):
    id: uuid.UUID
    name: str
    instructor_id: uuid.UUID
    joints: list[str]


class ReportOut(BaseModel):
    attempt_id: uuid.UUID
    student_id: uuid.UUID
    reference: ReportReferenceOut
    score: float = Field(description="0..100, higher is closer to the reference")
    mean_abs_error_deg: float | None
    mirrored: bool = Field(description="The attempt was done on the other side; sides were swapped")
    attempt_window: AttemptWindowOut | None = Field(
        default=None, description="Seconds of the attempt compared with the reference"
    )
    notes: list[str]
    joints: list[str]
    phases: list[PhaseOut]
    feedback: list[FeedbackItemOut]
    overlay_url: str | None = Field(description="Short-lived URL of the overlay video (mp4)")
    plots: list[PlotOut] = Field(description="Short-lived URLs of the angle plots (PNG), one per key joint")
    urls_expire_at: datetime
    comments: list[CommentOut]
    finished_at: datetime | None

    @classmethod
    def from_report(cls, report: dict[str, Any], **fields: Any) -> ReportOut:
        return cls(
            score=report["score"],
            mean_abs_error_deg=report.get("mean_abs_error_deg"),
            mirrored=bool(report.get("mirrored", False)),
            attempt_window=(
                AttemptWindowOut.model_validate(report["attempt_window"])
                if report.get("attempt_window")
                else None
            ),
            notes=list(report.get("notes", [])),
            joints=list(report.get("joints", [])),
            phases=[PhaseOut.model_validate(p) for p in report.get("phases", [])],
            feedback=[FeedbackItemOut.model_validate(f) for f in report.get("feedback", [])],
            **fields,
        )
