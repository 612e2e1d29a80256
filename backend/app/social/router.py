"""Social HTTP API: comments, reactions, reports, comment moderation, likes, follows, the
following feed, and the share pages (`/v/{id}`, mounted at the root). Thin: parse, authorise,
call the service, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from app.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
    error_responses,
)
from app.core.pagination import DEFAULT_LIMIT
from app.deps import (
    AdminUser,
    CurrentUser,
    CursorParam,
    InstructorUser,
    LimitParam,
    OptionalUser,
    SessionDep,
    SettingsDep,
    VerifiedUser,
)
from app.media import schemas as media_schemas
from app.social import courses, schemas, service, share
from app.social.models import Reaction

router = APIRouter(tags=["social"])
admin_router = APIRouter(prefix="/admin", tags=["admin: moderation"])
# Mounted at the root (not under /api/v1): link previews.
share_router = APIRouter(tags=["share"], include_in_schema=False)


# --- comments ----------------------------------------------------------------------------------


@router.get("/videos/{video_id}/comments", response_model=schemas.VideoCommentPage)
async def list_comments(
    video_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    user: OptionalUser,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> schemas.VideoCommentPage:
    """Top-level comments newest first (the pinned one first), each with its replies; says
    whether the caller may post (`can_post`, else `cannot_post_reason`) and moderate."""
    return await service.list_comments(
        session, settings, video_id=video_id, viewer=user, limit=limit, cursor=cursor
    )


@router.post(
    "/videos/{video_id}/comments",
    response_model=schemas.VideoCommentOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(PermissionDenied, Conflict, RateLimited),
)
async def post_comment(
    video_id: uuid.UUID,
    body: schemas.VideoCommentCreate,
    session: SessionDep,
    settings: SettingsDep,
    user: VerifiedUser,
) -> schemas.VideoCommentOut:
    """Post a comment (or, with `parent_id`, a reply). Verified accounts old enough, able to
    watch the video; rate-limited."""
    return await service.post_comment(
        session, settings, user=user, video_id=video_id, body=body.body, parent_id=body.parent_id
    )


@router.delete(
    "/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(PermissionDenied),
)
async def delete_comment(comment_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    await service.delete_comment(session, user=user, comment_id=comment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/comments/{comment_id}/reactions/{kind}", response_model=dict[str, int])
async def add_reaction(
    comment_id: uuid.UUID, kind: Reaction, session: SessionDep, user: CurrentUser
) -> dict[str, int]:
    """Add one of the user's reactions (idempotent); returns the comment's counts."""
    return await service.react(session, user=user, comment_id=comment_id, kind=kind, on=True)


@router.delete("/comments/{comment_id}/reactions/{kind}", response_model=dict[str, int])
async def remove_reaction(
    comment_id: uuid.UUID, kind: Reaction, session: SessionDep, user: CurrentUser
) -> dict[str, int]:
    return await service.react(session, user=user, comment_id=comment_id, kind=kind, on=False)


@router.post(
    "/comments/{comment_id}/reports",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Conflict, RateLimited),
)
async def report_comment(
    comment_id: uuid.UUID,
    body: schemas.CommentReportIn,
    session: SessionDep,
    settings: SettingsDep,
    user: VerifiedUser,
) -> Response:
    await service.report_comment(
        session, settings, user=user, comment_id=comment_id, reason=body.reason, details=body.details
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the instructor's powers on their own videos ------------------------------------------------


# Pin and hide, each set (PUT) and cleared (DELETE): the same rules of access and the same answers.
_OWN_VIDEO_POWER: dict[str, Any] = {
    "status_code": status.HTTP_204_NO_CONTENT,
    "responses": error_responses(PermissionDenied, Conflict),
}
PIN, HIDDEN = "/comments/{comment_id}/pin", "/comments/{comment_id}/hidden"


async def _use_power(
    session: SessionDep,
    user: CurrentUser,
    comment_id: uuid.UUID,
    power: Literal["pin", "hide"],
    *,
    on: bool,
    reason: str | None = None,
) -> Response:
    if power == "pin":
        await service.set_pinned(session, user=user, comment_id=comment_id, pinned=on)
    else:
        await service.set_hidden_by_instructor(
            session, user=user, comment_id=comment_id, hidden=on, reason=reason
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(PIN, **_OWN_VIDEO_POWER)
async def pin_comment(comment_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return await _use_power(session, user, comment_id, "pin", on=True)


@router.delete(PIN, **_OWN_VIDEO_POWER)
async def unpin_comment(comment_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return await _use_power(session, user, comment_id, "pin", on=False)


@router.put(HIDDEN, **_OWN_VIDEO_POWER)
async def hide_comment(
    comment_id: uuid.UUID, body: schemas.OptionalReasonIn, session: SessionDep, user: CurrentUser
) -> Response:
    return await _use_power(session, user, comment_id, "hide", on=True, reason=body.reason)


@router.delete(HIDDEN, **_OWN_VIDEO_POWER)
async def unhide_comment(comment_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return await _use_power(session, user, comment_id, "hide", on=False)


# --- moderators -------------------------------------------------------------------------------


@admin_router.get("/comments", response_model=schemas.ReportedCommentPage)
async def comment_queue(
    session: SessionDep,
    _admin: AdminUser,
    state: Literal["reported", "hidden"] = "reported",
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> schemas.ReportedCommentPage:
    """Oldest first: comments with open reports (`reported`) or hidden ones (`hidden`)."""
    return await service.review_queue(session, state=state, limit=limit, cursor=cursor)


@admin_router.post(
    "/comments/{comment_id}/{action}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Conflict),
)
async def moderate_comment(
    comment_id: uuid.UUID,
    action: Literal["hide", "restore", "dismiss"],
    body: schemas.ReasonIn,
    session: SessionDep,
    admin: AdminUser,
) -> Response:
    """Hide (reports upheld), restore (a hidden comment back) or dismiss the reports; audited."""
    await service.moderate(session, admin=admin, comment_id=comment_id, action=action, reason=body.reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- likes -------------------------------------------------------------------------------------


@router.get("/videos/{video_id}/likes", response_model=schemas.LikesOut)
async def get_likes(video_id: uuid.UUID, session: SessionDep, user: OptionalUser) -> schemas.LikesOut:
    return await service.likes(session, video_id=video_id, viewer=user)


@router.put("/videos/{video_id}/like", response_model=schemas.LikesOut)
async def like(video_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.LikesOut:
    return await service.set_like(session, user=user, video_id=video_id, liked=True)


@router.delete("/videos/{video_id}/like", response_model=schemas.LikesOut)
async def unlike(video_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.LikesOut:
    return await service.set_like(session, user=user, video_id=video_id, liked=False)


# --- follows and the feed ----------------------------------------------------------------------


@router.get("/instructors/{instructor_id}/follow", response_model=schemas.FollowOut)
async def get_follow(instructor_id: uuid.UUID, session: SessionDep, user: OptionalUser) -> schemas.FollowOut:
    return await service.follow_state(session, instructor_id=instructor_id, viewer=user)


@router.put(
    "/instructors/{instructor_id}/follow",
    response_model=schemas.FollowOut,
    responses=error_responses(Conflict),
)
async def follow(instructor_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.FollowOut:
    return await service.set_follow(session, user=user, instructor_id=instructor_id, follow=True)


@router.delete("/instructors/{instructor_id}/follow", response_model=schemas.FollowOut)
async def unfollow(instructor_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.FollowOut:
    return await service.set_follow(session, user=user, instructor_id=instructor_id, follow=False)


@router.get("/me/feed", response_model=media_schemas.VideoPage)
async def following_feed(
    session: SessionDep, user: CurrentUser, limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None
) -> media_schemas.VideoPage:
    """New published videos of the instructors the user follows, newest first."""
    return await service.feed(session, user=user, limit=limit, cursor=cursor)


# --- share pages -------------------------------------------------------------------------------


@share_router.get("/v/{video_id}")
async def share_page(
    video_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    user_agent: Annotated[str | None, Header()] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """Link-preview robots get the OpenGraph page; people are sent to the web client's page."""
    vary = {"Vary": "User-Agent, Accept-Language"}
    if not share.is_preview_robot(user_agent):
        return RedirectResponse(share.spa_path(video_id), status_code=status.HTTP_302_FOUND, headers=vary)
    try:
        page = await share.render(session, settings, video_id, accept_language)
    except NotFound:
        return HTMLResponse("<!doctype html><title>Not found</title>", status_code=404, headers=vary)
    return HTMLResponse(page, headers={**vary, "Cache-Control": "public, max-age=300"})


# --- courses -----------------------------------------------------------------------------------


@router.post("/courses", response_model=schemas.CourseOut, status_code=status.HTTP_201_CREATED)
async def create_course(
    body: schemas.CourseCreate, session: SessionDep, user: InstructorUser
) -> schemas.CourseOut:
    return await courses.create(session, user=user, title=body.title, description=body.description)


@router.get("/courses", response_model=schemas.CoursePage)
async def list_courses(limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None) -> Response:
    """The catalog's courses: published ones with a published video, newest first (public)."""
    body = await courses.cached_catalog_page(limit=limit, cursor=cursor)
    return Response(body, media_type="application/json")


@router.get("/courses/{course_id}", response_model=schemas.CourseOut)
async def get_course(course_id: uuid.UUID, session: SessionDep, user: OptionalUser) -> schemas.CourseOut:
    """The public course page: its published videos in order, each with its own offer."""
    return await courses.get(session, course_id=course_id, viewer=user)


@router.patch(
    "/courses/{course_id}",
    response_model=schemas.CourseOut,
    responses=error_responses(PermissionDenied, Conflict, ValidationFailed),
)
async def update_course(
    course_id: uuid.UUID, body: schemas.CourseUpdate, session: SessionDep, user: CurrentUser
) -> schemas.CourseOut:
    """Title, description, publication and the bundle price (null: not sold as a bundle)."""
    return await courses.update(
        session,
        user=user,
        course_id=course_id,
        title=body.title,
        description=body.description,
        published=body.published,
        price=(body.price_cents, body.currency) if "price_cents" in body.model_fields_set else None,
    )


@router.put(
    "/courses/{course_id}/videos",
    response_model=schemas.CourseOut,
    responses=error_responses(PermissionDenied),
)
async def set_course_videos(
    course_id: uuid.UUID, body: schemas.CourseVideosIn, session: SessionDep, user: CurrentUser
) -> schemas.CourseOut:
    """Replace the course's videos with these, in this order."""
    return await courses.set_videos(session, user=user, course_id=course_id, video_ids=body.video_ids)


@router.delete(
    "/courses/{course_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(PermissionDenied),
)
async def delete_course(course_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    await courses.delete_course(session, user=user, course_id=course_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/instructors/{instructor_id}/courses", response_model=list[schemas.CourseOut])
async def instructor_courses(
    instructor_id: uuid.UUID, session: SessionDep, user: OptionalUser
) -> list[schemas.CourseOut]:
    return await courses.list_for_instructor(session, instructor_id=instructor_id, viewer=user)
