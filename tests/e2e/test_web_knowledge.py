"""The knowledge base through the web client: the instructor approves an item waiting for review
in the studio's review page; a student searching in Italian ("calcio frontale") finds the
English item only through the translation memory, never sees an unreviewed item, and the hit's
moment link opens the video page at that second."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSWORD, log_in, post_json, shot, verified_account
from playwright.sync_api import Page, expect
from test_web_journeys import World, world  # noqa: F401  (the published video the items point at)

pytestmark = pytest.mark.e2e

APPROVED_TITLE = "Front kick (mae geri)"
UNREVIEWED_TITLE = "Front kick from the back leg"  # matches the query too: only its state hides it
QUERY_IT = "calcio frontale"  # glossary pair mae_geri: it "calcio frontale" <-> en "front kick"
START_S, END_S = 2.0, 4.0


def _create_item(platform, token: str, video_id: str, title: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    item = post_json(
        platform.api("/knowledge/items"),
        {"kind": "technique", "lang": "en", "title": title, "body": "Chamber the knee, snap the foot.",
         "video_id": video_id, "start_s": START_S, "end_s": END_S},
        token,
    )  # fmt: skip
    versions = item["versions"]
    assert isinstance(versions, list) and [v["review_state"] for v in versions] == ["unreviewed"]
    return item


@pytest.fixture(scope="module")
def items(world: World, platform) -> dict[str, str]:  # type: ignore[no-untyped-def]  # noqa: F811
    """Two unreviewed English techniques on the world's video, made by its instructor."""
    login = {"email": world.instructor_email, "password": PASSWORD}
    token = str(post_json(platform.api("/auth/login"), login)["access_token"])
    return {
        title: str(_create_item(platform, token, world.video_id, title)["id"])
        for title in (APPROVED_TITLE, UNREVIEWED_TITLE)
    }


@pytest.fixture(scope="module")
def student(browser, platform) -> str:  # type: ignore[no-untyped-def]
    return verified_account(browser, platform, "kohai", "Kohai")


def _search_it(page: Page, query: str) -> None:
    nav = page.get_by_role("navigation", name="Navigazione principale")
    nav.get_by_role("link", name="Conoscenza").click()
    expect(page.get_by_role("heading", name="Cerca tecniche e termini")).to_be_visible()
    expect(page.get_by_label("Lingua della ricerca")).to_have_value("it")  # the UI language by default
    page.get_by_label("Cerca nella base di conoscenza").fill(query)
    page.get_by_role("button", name="Cerca", exact=True).click()


def test_instructor_approves_then_an_italian_search_finds_the_english_moment(  # type: ignore[no-untyped-def]
    student: str,
    world: World,  # noqa: F811
    items: dict[str, str],
    new_page,
) -> None:
    # Before any review the Italian search finds nothing: unreviewed items are not public.
    page = new_page(locale="it-IT")
    page.goto("/login")
    page.get_by_label("Email").fill(student)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("button", name="Menu account")).to_be_visible()
    _search_it(page, QUERY_IT)
    expect(page.get_by_text("Nessun risultato.")).to_be_visible()
    expect(page.get_by_role("link", name=APPROVED_TITLE)).to_have_count(0)
    expect(page.get_by_role("link", name=UNREVIEWED_TITLE)).to_have_count(0)
    shot(page, "knowledge-01-student-nothing-before-review")

    # The instructor's review queue holds both; approving one in the UI takes it out of the queue.
    inst = new_page()
    log_in(inst, world.instructor_email)
    inst.goto("/studio")
    inst.get_by_role("link", name="Knowledge review").click()
    expect(inst.get_by_role("heading", name="Review extracted knowledge")).to_be_visible()
    card = inst.get_by_role("region", name=APPROVED_TITLE)
    expect(card).to_be_visible()
    expect(inst.get_by_role("region", name=UNREVIEWED_TITLE)).to_be_visible()
    expect(card.get_by_role("tab", name="EN")).to_have_attribute("aria-selected", "true")
    expect(card.get_by_text("Version 1 · written by a person · not reviewed")).to_be_visible()
    expect(card.get_by_role("link", name=re.compile(r"0:02"))).to_have_attribute(
        "href", f"/videos/{world.video_id}?t=2"
    )
    shot(inst, "knowledge-02-review-queue")
    card.get_by_role("button", name="Approve").click()
    expect(inst.get_by_role("region", name=APPROVED_TITLE)).to_have_count(0)
    expect(inst.get_by_role("region", name=UNREVIEWED_TITLE)).to_be_visible()
    shot(inst, "knowledge-03-approved-left-the-queue")

    # The student's Italian query reaches the English title through the translation memory.
    _search_it(page, QUERY_IT)
    expect(page.get_by_text(re.compile(r"Cercato anche: .*en: front kick"))).to_be_visible()
    hit = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=APPROVED_TITLE))
    expect(hit).to_have_count(1)
    expect(hit.get_by_role("link", name=APPROVED_TITLE)).to_have_attribute(
        "href", f"/knowledge/items/{items[APPROVED_TITLE]}"
    )
    expect(hit.get_by_text("trovato in en")).to_be_visible()
    expect(page.get_by_role("link", name=UNREVIEWED_TITLE)).to_have_count(0)
    shot(page, "knowledge-04-italian-search-finds-english-item")

    hit.get_by_role("link", name=re.compile(r"0:02")).click()
    expect(page).to_have_url(re.compile(rf"/videos/{world.video_id}\?t=2$"))
    expect(page.get_by_role("heading", name=world.title)).to_be_visible()
    shot(page, "knowledge-05-video-at-the-moment")
