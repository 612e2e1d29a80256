"""Social test data: an instructor with a free and a paid published video, settled students
(old enough to comment), an admin, and a grant helper."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.auth.models import Role, User
from app.db.session import sync_session
from app.entitlements import service as entitlements
from app.entitlements.models import EntitlementKind, SourceType
from app.media.models import Video
from tests.media.conftest import make_video  # noqa: F401 - fixture (published video rows)
from tests.media.helpers import settled

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return settled(make_user(role=Role.instructor, display_name="Sensei Kato"))


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return settled(make_user(role=Role.admin, display_name="Admin"))


@pytest.fixture
def student(make_user: Callable[..., User]) -> User:
    return settled(make_user(display_name="Giulia"))


@pytest.fixture
def other_student(make_user: Callable[..., User]) -> User:
    return settled(make_user(display_name="Marco"))


@pytest.fixture
def free_video(make_video: Callable[..., Video], instructor: User) -> Video:  # noqa: F811
    return make_video(instructor, title="Free footwork")


@pytest.fixture
def paid_video(make_video: Callable[..., Video], instructor: User) -> Video:  # noqa: F811
    return make_video(
        instructor,
        title="Spinning back kick",
        description="Step by step, from the pivot to the landing.",
        price_cents=1250,
        rental_price_cents=300,
        rental_hours=48,
        currency="EUR",
    )


def buy(user: User, video: Video) -> None:
    with sync_session() as session:
        entitlements.grant(
            session,
            user_id=user.id,
            video_id=video.id,
            kind=EntitlementKind.ppv,
            source_type=SourceType.admin,
        )
