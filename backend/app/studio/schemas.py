from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.studio.models import JobStatus
from app.uploads.schemas import UploadedPartOut as UploadedPartOut
from video_studio.i18n import Language
from video_studio.techniques import Technique


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
    technique: Technique = Field(
        default="general",
        description="Technique type: kick, strike (punch/strike), block, stance (stance or transition), "
        "kata (kata sequence), throw, general (general exercise). Phase names and cue wording follow it.",
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
    technique: str
    created_at: datetime
    finished_at: datetime | None
    clip_url: str | None = None  # the reference clip to watch (one reference's GET, once ready)


class ReferenceRename(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ReferencePage(BaseModel):
    items: list[ReferenceOut]
    next_cursor: str | None


class AttemptCreate(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=100, examples=["video/mp4"])
    size_bytes: int = Field(gt=0)
    lang: Language | None = Field(
        default=None,
        description="Language of the words burned into the overlay video (default: Accept-Language, else en)",
    )


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
    joint: str = Field(description="The student's own joint (sides swapped back when mirrored)")
    phase: str = Field(description="Phase code; the phase names follow the reference's technique")
    phase_label: str = Field(description="The phase's name in the report's language")
    t_start: float = Field(description="Attempt time (s): the phase in the first repetition showing it")
    t_end: float
    measured_deg: float
    reference_deg: float
    deviation_deg: float = Field(
        description="Mean absolute deviation (degrees): what the fault test judged; the number in the cue"
    )
    signed_deg: float | None = Field(
        default=None, description="Mean signed deviation, attempt minus reference (its sign gives direction)"
    )
    direction: Literal["increase", "decrease", "mixed"] = Field(
        description="Which way the joint angle must change; mixed: it deviates both ways (moves differently)"
    )
    reps: list[int] = Field(default_factory=lambda: [1], description="Repetitions (1-based) showing it")
    rank: int = Field(default=0, description="1 = most important")
    message: str = Field(description="The cue, in the report's language")


class PhaseOut(BaseModel):
    name: str
    label: str = Field(description="The phase's name in the report's language")
    t_start: float = Field(description="Reference time (s)")
    t_end: float
    attempt_t_start: float = Field(description="Attempt time (s), first repetition")
    attempt_t_end: float


class AttemptWindowOut(BaseModel):
    """The part of the attempt matched to the reference (lead-in and lead-out are ignored)."""

    t_start: float
    t_end: float
    frame_start: int | None = Field(default=None, description="Frame index of the attempt video")
    frame_end: int | None = None


class MatchOut(BaseModel):
    """Is this the reference movement? When not, score is null and there are no corrections."""

    same_movement: bool
    confidence: float = Field(ge=0, le=1, description="The weakest evidence, 0.5 at its threshold")
    reason: Literal["ok", "no_person", "low_visibility", "low_coverage", "no_motion", "different_movement"]
    message: str = Field(description="What it means / what to do, in the report's language")
    cost: float | None = Field(default=None, description="Mean alignment cost of the best window")
    coverage: float | None = Field(default=None, description="Share of the reference covered (worst third)")
    duration_ratio: float | None = Field(default=None, description="Judged window / reference duration")
    motion_ratio: float | None = Field(default=None, description="Attempt's range of motion / reference's")
    visibility: float | None = None
    person_share: float | None = Field(default=None, description="Window frames with the person (share)")


class TempoOut(BaseModel):
    """Tempo on its own: never a posture fault."""

    ratio: float = Field(description="Attempt duration / reference duration (2 = twice as slow)")
    code: Literal["same", "slower", "faster"]
    message: str


class WarningOut(BaseModel):
    code: Literal[
        "view_mismatch",
        "partial_body",
        "low_visibility",
        "several_people",
        "subject_switch",
        "low_frame_rate",
    ]
    params: dict[str, Any] = Field(default_factory=dict)
    message: str


class NoteOut(BaseModel):
    code: str
    message: str


class RepOut(BaseModel):
    index: int = Field(description="1-based, in time order")
    t_start: float = Field(description="Attempt time (s)")
    t_end: float
    score: float
    tempo: float
    faults: int
    reference_rep: int = Field(
        default=1, description="The reference repetition it was judged against (1-based)"
    )


class RepsOut(BaseModel):
    reference: int = Field(description="Repetitions in the reference")
    attempt: int = Field(description="Repetitions found in the attempt (0 when not the movement)")
    missing: int
    extra: int
    items: list[RepOut]


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
    lang: Language = Field(description="Language of every message in this report (?lang=)")
    technique: str
    technique_label: str
    score: float | None = Field(
        description="0..100, higher is closer to the reference; null when it is not the reference movement"
    )
    match: MatchOut | None = Field(description="Null on reports made before the movement check")
    tempo: TempoOut | None = Field(description="Null when not the movement (and on older reports)")
    warnings: list[WarningOut]
    top_cues: list[FeedbackItemOut] = Field(description="At most three: the cues to show first")
    feedback: list[FeedbackItemOut] = Field(description="Every cue, most important first")
    reps: RepsOut | None
    mean_abs_error_deg: float | None
    mirrored: bool = Field(description="The attempt was done on the other side; sides were swapped")
    rotation_deg: int = Field(default=0, description="The attempt picture was turned (0/90/180/270)")
    angle_basis: dict[str, str] = Field(
        default_factory=dict, description="Per judged joint: 3d (world landmarks) or 2d (in the picture)"
    )
    attempt_window: AttemptWindowOut | None = Field(
        default=None, description="Seconds of the attempt compared with the reference"
    )
    notes: list[NoteOut]
    joints: list[str]
    phases: list[PhaseOut]
    overlay_url: str | None = Field(
        description="Short-lived URL of the side-by-side video (reference | attempt, mp4)"
    )
    overlay_lang: str | None = Field(default=None, description="Language of the words burned into the video")
    plots: list[PlotOut] = Field(
        description="Short-lived URLs of the angle plots (PNG), in the report language"
    )
    urls_expire_at: datetime
    comments: list[CommentOut]
    finished_at: datetime | None

    @classmethod
    def from_report(cls, report: dict[str, Any], **fields: Any) -> ReportOut:
        """From a report rendered by video_studio.pose_report.render_report."""
        return cls(
            lang=report["lang"],
            technique=report["technique"],
            technique_label=report["technique_label"],
            score=report["score"],
            match=MatchOut.model_validate(report["match"]) if report.get("match") else None,
            tempo=TempoOut.model_validate(report["tempo"]) if report.get("tempo") else None,
            warnings=[WarningOut.model_validate(w) for w in report.get("warnings", [])],
            top_cues=[FeedbackItemOut.model_validate(f) for f in report.get("top_cues", [])],
            feedback=[FeedbackItemOut.model_validate(f) for f in report.get("feedback", [])],
            reps=RepsOut.model_validate(report["reps"]) if report.get("reps") else None,
            mean_abs_error_deg=report.get("mean_abs_error_deg"),
            mirrored=bool(report.get("mirrored", False)),
            rotation_deg=int(report.get("rotation_deg", 0)),
            angle_basis=dict(report.get("angle_basis") or {}),
            attempt_window=(
                AttemptWindowOut.model_validate(report["attempt_window"])
                if report.get("attempt_window")
                else None
            ),
            notes=[NoteOut.model_validate(n) for n in report.get("notes", [])],
            joints=list(report.get("joints", [])),
            phases=[PhaseOut.model_validate(p) for p in report.get("phases", [])],
            **fields,
        )
