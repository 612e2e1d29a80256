"""The AI coach through the web client, offline (no provider key): a student types a question and
sees the reply stream in with its source (the journeys' published video); then records a spoken
question with Chromium's fake microphone (an espeak-ng WAV), sees the transcript in the box,
and sends it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from e2e_support import log_in, shot, verified_account
from playwright.sync_api import expect
from test_web_journeys import World, world  # noqa: F401  (the published video the reply cites)

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT_MS = 60_000
TRANSCRIPT_TIMEOUT_MS = 90_000  # the worker loads the offline Whisper model on first use


@pytest.fixture(scope="module")
def student(browser, platform) -> str:  # type: ignore[no-untyped-def]
    return verified_account(browser, platform, "coachee", "Coachee")  # the coach is for verified accounts


def test_a_typed_question_gets_a_streamed_answer_with_sources(world: World, student: str, new_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = new_page()
    log_in(page, student)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Coach").click()
    expect(page.get_by_role("heading", name="AI coach")).to_be_visible()
    page.get_by_label("Your question").fill("How do I improve my squat technique and depth?")
    page.get_by_role("button", name="Send").click()
    reply = page.locator(".coach-assistant").last
    expect(reply).to_contain_text("offline assistant", timeout=REPLY_TIMEOUT_MS)
    expect(reply).to_have_attribute("data-status", "done", timeout=REPLY_TIMEOUT_MS)
    sources = reply.get_by_role("list", name="Sources")
    expect(sources.get_by_role("link", name=world.title)).to_have_attribute(
        "href", f"/videos/{world.video_id}"
    )
    shot(page, "coach-01-typed-answer")


def test_a_recorded_question_becomes_an_editable_transcript(  # type: ignore[no-untyped-def]
    browser, platform, student: str, tmp_path: Path
) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make system-deps)")
    wav = tmp_path / "question.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en", "-s", "130", "-w", str(wav), "How deep should my squat be?"], check=True
    )
    fake_mic = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-audio-capture={wav}"],
    )  # fmt: skip
    try:
        ctx = fake_mic.new_context(base_url=platform.url, locale="en-GB", permissions=["microphone"])
        ctx.set_default_timeout(20_000)
        page = ctx.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        log_in(page, student, next_path="/coach")
        page.goto("/coach")
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_label("Microphone level")).to_be_visible()
        expect(page.get_by_label("Recording time")).to_contain_text("0:03")
        shot(page, "coach-02-recording")
        page.get_by_role("button", name="Stop").click()
        box = page.get_by_label("Your question")
        try:
            # espeak-ng's "squat" is often heard as "squad"; the fake device loops the file
            expect(box).to_have_value(
                re.compile(r"how deep should my squa", re.I), timeout=TRANSCRIPT_TIMEOUT_MS
            )
        except AssertionError:
            shot(page, "FAILED-coach-transcript")
            raise AssertionError(
                f"no transcript; browser console: {console[-10:]}; see {platform.var_dir.parent}"
            ) from None
        expect(page.get_by_text("Check the transcript, correct it if needed, then send.")).to_be_visible()
        box.fill(box.input_value() + " Thanks!")  # the transcript is editable before sending
        page.get_by_role("button", name="Send").click()
        reply = page.locator(".coach-assistant").last
        expect(reply).to_have_attribute("data-status", "done", timeout=REPLY_TIMEOUT_MS)
        shot(page, "coach-03-voice-question-answered")
    finally:
        fake_mic.close()
