"""The platform's main journeys through the web client, end to end on the embedded platform:
an instructor uploads (multipart, presigned parts) a video priced in the upload form, follows
processing, submits it for review, an admin promotes and approves, a student finds it, pays in the sandbox checkout, gets it in the
library and watches it; then the pose studio: reference marked on the player, a student attempt,
the feedback report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_support import PASSWORD, log_in, settle, shot, sign_up, unique_email
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

# The shared real clip beside the repository (../shared/fixtures), as in CI and on developers' machines.
FIXTURE_VIDEO = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "pose_squats.mp4"
PROCESSING_TIMEOUT_MS = 240_000


@dataclass
class World:
    admin_email: str
    instructor_email: str
    video_id: str
    title: str


def _promote(page: Page, email: str, role_label: str) -> None:
    page.goto("/admin/users")
    page.get_by_label("Search by email or name").fill(email)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_have_count(1)
    row.get_by_role("combobox").select_option(label=role_label)
    page.get_by_label("Reason").fill("E2E: verified instructor")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("User updated.")).to_be_visible()


@pytest.fixture(scope="module")
def world(browser, platform) -> World:  # type: ignore[no-untyped-def]
    if not FIXTURE_VIDEO.exists():
        pytest.skip("fixture video pose_squats.mp4 not found")
    admin_email = unique_email("admin")
    platform.create_admin(admin_email, PASSWORD, "Root")
    instructor_email = unique_email("sensei")
    title = f"Squat technique {instructor_email[7:15]}"

    ctx_admin = browser.new_context(
        base_url=platform.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    ctx_inst = browser.new_context(
        base_url=platform.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    for ctx in (ctx_admin, ctx_inst):
        ctx.set_default_timeout(20_000)
    admin, inst = ctx_admin.new_page(), ctx_inst.new_page()
    try:
        sign_up(inst, instructor_email, "Sensei Ito")
        inst.goto(platform.wait_link(instructor_email, "/verify-email"))  # uploads need a verified email
        expect(inst.get_by_text("Your email is verified. You can now log in.")).to_be_visible()
        log_in(admin, admin_email)
        _promote(admin, instructor_email, "Instructor")
        shot(admin, "journey-01-admin-promoted-instructor")

        log_in(inst, instructor_email)
        inst.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Studio").click()
        inst.get_by_role("link", name="Upload a video").first.click()
        inst.get_by_label("Video file").set_input_files(str(FIXTURE_VIDEO))
        inst.get_by_label("Title").fill(title)
        inst.get_by_label("Discipline").fill("fitness")
        inst.get_by_label("Description").fill("Bodyweight squats, side view: depth, knees, trunk.")
        # The price (and the trailer choice) are part of the upload form.
        inst.get_by_label("Purchase price").fill("9.99")
        inst.get_by_label("Rental price").fill("2.99")
        inst.get_by_label("Rental length (hours)").fill("48")
        expect(inst.get_by_label("Trailer", exact=True)).to_have_value("auto")
        inst.get_by_role("button", name="Start upload").click()
        # Parts PUT to presigned URLs, complete, then the processing page follows SSE progress.
        expect(inst).to_have_url(re.compile(r"/studio/videos/[0-9a-f-]+$"), timeout=60_000)
        video_id = inst.url.rsplit("/", 1)[1]
        shot(inst, "journey-02-processing")
        # Processed: nothing reaches the moderators until the instructor submits it.
        expect(inst.get_by_text("Processing is done.", exact=False)).to_be_visible(
            timeout=PROCESSING_TIMEOUT_MS
        )
        admin.goto("/admin")
        expect(admin.get_by_role("heading", name="Review queue")).to_be_visible()
        expect(admin.get_by_role("link", name=title)).to_have_count(0)
        inst.get_by_role("button", name="Submit for review").click()
        expect(inst.get_by_text("Submitted for review.")).to_be_visible()
        expect(inst.get_by_text("In review").first).to_be_visible()
        shot(inst, "journey-03-priced-in-review")

        admin.goto("/admin")
        admin.get_by_role("link", name=title).click()
        expect(admin.get_by_role("heading", name=title)).to_be_visible()
        expect(admin.locator("video")).to_have_count(1)  # admins can preview before approving
        admin.get_by_role("button", name="Approve").click()
        admin.get_by_role("dialog").get_by_role("button", name="Approve").click()
        expect(admin.get_by_text("Video approved and published.")).to_be_visible()
        shot(admin, "journey-04-approved")
        return World(admin_email, instructor_email, video_id, title)
    finally:
        ctx_admin.close()
        ctx_inst.close()


def test_student_finds_buys_and_watches_the_video(world: World, new_page, platform) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    email = unique_email("student")
    sign_up(page, email, "Student Kano")
    # Buying needs a verified email: follow the link from the verification mail first.
    page.goto(platform.wait_link(email, "/verify-email"))
    expect(page.get_by_text("Your email is verified. You can now log in.")).to_be_visible()
    log_in(page, email)

    page.goto("/browse")
    page.get_by_label("Search videos").fill(world.title.split()[-1])
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(re.escape(world.title))).click()
    expect(page.get_by_role("heading", name=world.title)).to_be_visible()
    # No access yet: poster and purchase options, and no playable URL anywhere on the page.
    expect(page.get_by_role("button", name=re.compile(r"Buy for"))).to_be_visible()
    expect(page.locator("video")).to_have_count(0)
    assert ".m3u8" not in page.content()
    shot(page, "journey-05-video-locked")

    page.get_by_role("button", name=re.compile(r"Buy for")).click()
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))  # the sandbox Stripe stand-in
    shot(page, "journey-06-sandbox-checkout")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(page).to_have_url(re.compile(r"/library\?checkout=success"))
    expect(page.get_by_text("Payment confirmed. Enjoy your training!")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name=world.title)).to_be_visible()
    shot(page, "journey-07-library")

    page.get_by_role("link", name="Watch now").click()
    expect(page.get_by_text("You have access to this video.")).to_be_visible()
    video = page.locator("video")
    expect(video).to_have_count(1)
    # HLS through hls.js: the manifest loads and the media becomes playable.
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 1; }", timeout=30_000
    )
    page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; return v.play().catch(() => null); }"
    )
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.5", timeout=30_000)
    shot(page, "journey-08-playing")
    # Resume positions count past the first 5 s and before 95 % (player/resume.ts, the server's
    # rule too): 6 s of the 13 s clip is remembered, so reopening it resumes there.
    page.evaluate("() => { const v = document.querySelector('video'); v.currentTime = 6; v.pause(); }")
    page.wait_for_function("() => document.querySelector('video').paused")
    page.wait_for_function(f"() => localStorage.getItem('mamc.resume.{world.video_id}') !== null")
    page.reload()
    expect(page.locator("video")).to_have_count(1)
    expect(page.get_by_text(re.compile(r"Resumed at 0:0[56]"))).to_be_visible(timeout=30_000)


def test_reference_attempt_and_pose_feedback(world: World, new_page, platform) -> None:  # type: ignore[no-untyped-def]
    inst = new_page()
    log_in(inst, world.instructor_email)
    inst.goto(f"/studio/references/new?video={world.video_id}")
    inst.get_by_label("Technique name").fill("Bodyweight squat")
    # Mark the range on the player: seek, "Set start here"; seek, "Set end here".
    inst.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 1; }", timeout=30_000
    )
    inst.evaluate("() => { document.querySelector('video').currentTime = 1.0; }")
    inst.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 1.0) < 0.3")
    inst.evaluate("() => document.querySelector('video').dispatchEvent(new Event('timeupdate'))")
    inst.get_by_role("button", name="Set start here").click()
    inst.evaluate("() => { document.querySelector('video').currentTime = 9.0; }")
    inst.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 9.0) < 0.3")
    inst.evaluate("() => document.querySelector('video').dispatchEvent(new Event('timeupdate'))")
    inst.get_by_role("button", name="Set end here").click()
    expect(inst.get_by_label("Start (s)")).to_have_value(re.compile(r"^(0\.9|1|1\.\d)$"))
    expect(inst.get_by_label("End (s)")).to_have_value(re.compile(r"^(8\.9|9|9\.\d)$"))
    shot(inst, "journey-09-reference-marked")
    inst.get_by_role("button", name="Create reference").click()
    expect(inst).to_have_url(re.compile(r"/studio/references$"))
    row = inst.get_by_role("row").filter(has_text="Bodyweight squat")
    for _ in range(120):  # skeleton extraction runs in the worker
        if row.get_by_text("Ready").count():
            break
        if row.get_by_text("Failed").count():
            raise AssertionError(f"reference extraction failed: {row.inner_text()}")
        inst.wait_for_timeout(2000)
        inst.reload()
    expect(row.get_by_text("Ready")).to_be_visible()

    student = new_page()
    email = unique_email("pupil")
    sign_up(student, email, "Pupil")
    student.goto(platform.wait_link(email, "/verify-email"))  # attempt uploads need a verified email
    expect(student.get_by_text("Your email is verified. You can now log in.")).to_be_visible()
    log_in(student, email)
    student.goto(f"/videos/{world.video_id}")
    student.get_by_role("link", name="Bodyweight squat").click()
    student.get_by_label("Your video").set_input_files(str(FIXTURE_VIDEO))
    student.get_by_role("button", name="Upload and analyse").click()
    expect(student).to_have_url(re.compile(r"/attempts/[0-9a-f-]+$"), timeout=60_000)
    expect(student.get_by_text(re.compile(r"^\d+ / 100$"))).to_be_visible(timeout=PROCESSING_TIMEOUT_MS)
    shot(student, "journey-10-pose-report")

    items = student.locator(".feedback-list button")
    if items.count():
        # Clicking a correction seeks the attempt to where it happens: park the video far from
        # that moment first, so the seek is what brings it there.
        minutes, seconds = items.first.locator(".mono").inner_text().split(":")
        at = int(minutes) * 60 + int(seconds)  # shown rounded to the second
        student.evaluate(
            f"() => {{ const v = document.querySelector('video'); v.pause();"
            f" v.currentTime = {at} > v.duration / 2 ? 0 : v.duration - 0.2; }}"
        )
        items.first.click()
        expect(items.first).to_have_attribute("aria-current", "true")
        student.wait_for_function(
            f"() => Math.abs(document.querySelector('video').currentTime - {at}) <= 1.5", timeout=10_000
        )
    else:
        expect(student.get_by_text("Great: nothing to correct!")).to_be_visible()

    # The instructor sees the attempt and comments on it.
    inst.goto("/studio/attempts")
    inst.get_by_role("row").filter(has_text="Pupil").get_by_role("link").click()
    inst.get_by_label("Add a comment").fill("Good depth; keep the heels down.")
    inst.get_by_role("button", name="Send", exact=True).click()
    expect(inst.get_by_text("Good depth; keep the heels down.")).to_be_visible()
    student.reload()
    expect(student.get_by_text("Good depth; keep the heels down.")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    ["/", "/browse", "/studio", "/studio/upload", "/admin", "/admin/users", "/admin/payments", "/library"],
)
def test_pages_fit_a_360px_screen(world: World, new_page, path: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(width=360, height=740)
    log_in(page, world.admin_email)
    page.goto(path)
    settle(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, path
    shot(page, f"mobile-{path.strip('/').replace('/', '-') or 'home'}")


AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def _axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
    )
    return list(result)


@pytest.mark.parametrize(
    ("path", "as_admin"),
    [
        ("/", False), ("/browse", False), ("/login", False), ("/signup", False), ("/forgot-password", False),
        ("/library", True), ("/studio", True), ("/studio/upload", True), ("/studio/references/new", True),
        ("/admin", True), ("/admin/users", True), ("/admin/payments", True), ("/admin/audit", True), ("/account", True),
    ],
)  # fmt: skip
def test_no_serious_accessibility_violations(world: World, new_page, path: str, as_admin: bool) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("axe-core is not installed (cd frontend && npm ci)")
    page = new_page()
    if as_admin:
        log_in(page, world.admin_email)
    page.goto(path)
    settle(page)
    assert _axe_violations(page) == [], path


def test_video_pages_have_no_serious_accessibility_violations(world: World, new_page) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("axe-core is not installed (cd frontend && npm ci)")
    page = new_page()
    log_in(page, world.admin_email)
    for path in (
        f"/videos/{world.video_id}",
        f"/studio/videos/{world.video_id}",
        f"/admin/videos/{world.video_id}",
    ):
        page.goto(path)
        settle(page)
        assert _axe_violations(page) == [], path
