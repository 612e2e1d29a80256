"""At 390x844 (a phone), what people came for is above the fold, without scrolling: the prices
and the main action on a video page, the score and the first cues on an attempt report."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSWORD, log_in, shot, sign_up, unique_email
from playwright.sync_api import Locator, Page, expect
from test_web_journeys import FIXTURE_VIDEO, PROCESSING_TIMEOUT_MS, World, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _above_the_fold(page: Page, locator: Locator, what: str) -> None:
    """The element is laid out wholly inside the first screen (page scrolled to the top)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None, what
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], f"{what}: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{what}: {box}"


def test_video_page_prices_and_main_action_are_above_the_fold(world: World, new_page) -> None:  # noqa: F811
    visitor = new_page(**PHONE)
    visitor.goto(f"/videos/{world.video_id}")
    prices = visitor.get_by_role("list", name="Ways to watch")
    _above_the_fold(visitor, prices, "prices (visitor)")
    _above_the_fold(visitor, visitor.get_by_role("link", name="Log in to watch"), "log in to watch")
    shot(visitor, "fold-video-visitor-390")

    buyer = new_page(**PHONE)
    email = unique_email("foldbuyer")
    sign_up(buyer, email, "Fold Buyer")
    log_in(buyer, email)
    buyer.goto(f"/videos/{world.video_id}")
    # Signed in, the prices are on the actions themselves.
    _above_the_fold(
        buyer, buyer.get_by_role("button", name=re.compile(r"^Buy for ")), "buy button with its price"
    )
    _above_the_fold(
        buyer, buyer.get_by_role("button", name=re.compile(r"^Rent for ")), "rent button with its price"
    )
    shot(buyer, "fold-video-buyer-390")


def test_attempt_report_score_and_cues_are_above_the_fold(world: World, new_page, platform) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    inst = new_page()
    token = inst.request.post(
        platform.api("/auth/login"),
        data={"email": world.instructor_email, "password": PASSWORD, "refresh_token_in": "body"},
    ).json()["access_token"]
    made = inst.request.post(
        platform.api("/studio/references"),
        data={"video_id": world.video_id, "name": "Fold squat", "t_start": 1.0, "t_end": 9.0},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.ok, made.text()

    student = new_page(**PHONE)
    email = unique_email("foldpupil")
    sign_up(student, email, "Fold Pupil")
    student.goto(platform.wait_link(email, "/verify-email"))  # attempt uploads need a verified email
    expect(student.get_by_text("Your email is verified. You can now log in.")).to_be_visible()
    log_in(student, email)
    student.goto(f"/videos/{world.video_id}")
    link = student.get_by_role("link", name="Fold squat")
    for _ in range(120):  # the reference is listed once its skeleton is extracted by the worker
        if link.count():
            break
        student.wait_for_timeout(2000)
        student.reload()
    link.click()
    student.get_by_label("Your video").set_input_files(str(FIXTURE_VIDEO))
    student.get_by_role("button", name="Upload and analyse").click()
    expect(student).to_have_url(re.compile(r"/attempts/[0-9a-f-]+$"), timeout=60_000)
    score = student.get_by_text(re.compile(r"^\d+ / 100$"))
    expect(score).to_be_visible(timeout=PROCESSING_TIMEOUT_MS)
    student.wait_for_timeout(500)  # the report's panels settle (the page polls, never network-idle)
    _above_the_fold(student, score, "score")
    cues = student.locator(".feedback-list button")
    if cues.count():
        _above_the_fold(student, cues.first, "first cue")
    else:
        _above_the_fold(student, student.get_by_text("Great: nothing to correct!"), "no-cue message")
    shot(student, "fold-attempt-report-390")
