"""Social and notifications in the browser (issue 17 parts 1 and 3): a student comments with a
moment that seeks the player, likes the video and follows its instructor (the video shows in
her feed); another student replies in the thread and the first student's bell counts it live
(SSE); she marks it read and turns replies off in her preferences. Accounts are seeded verified
and old enough to comment at once."""

from __future__ import annotations

from e2e_support import log_in, seed_community, settle
from playwright.sync_api import expect


def test_comment_moment_seeks_like_follow_feed_and_a_reply_lights_the_bell(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    s = seed_community(platform)
    video, anna, bruno = s["video"], s["anna"], s["bruno"]

    page = new_page()
    log_in(page, anna["email"])
    page.goto(f"/videos/{video['id']}")
    settle(page)
    page.get_by_label("Write a comment…").fill("Watch the hips at 0:42, then the stance")
    page.get_by_role("button", name="Post").click()
    mine = page.get_by_role("listitem", name=f"Comment by {anna['name']}")
    expect(mine).to_contain_text("Watch the hips at")
    mine.get_by_role("button", name="Go to 0:42 in the video").click()
    page.wait_for_function("() => Math.round(document.querySelector('video').currentTime) === 42")

    page.get_by_role("button", name="♥ Like · 0").click()
    expect(page.get_by_role("button", name="♥ Liked · 1")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_text("1 followers")).to_be_visible()
    page.goto("/following")
    settle(page)
    expect(page.get_by_text(video["title"])).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)

    other = new_page()
    log_in(other, bruno["email"])
    other.goto(f"/videos/{video['id']}")
    settle(other)
    thread = other.get_by_role("listitem", name=f"Comment by {anna['name']}")
    thread.get_by_role("button", name="Reply").click()
    other.get_by_label(f"Reply to {anna['name']}…").fill("Yes, and the back foot at 1:05")
    other.get_by_role("button", name="Post").last.click()
    expect(other.get_by_role("listitem", name=f"Comment by {bruno['name']}")).to_contain_text("back foot")

    # Anna's page was left open on her feed: the bell counts the reply without a reload
    expect(page.get_by_test_id("bell-count")).to_have_text("1", timeout=60_000)
    page.get_by_role("link", name="Notifications — 1 unread").click()
    settle(page)
    expect(page.get_by_text("1 unread")).to_be_visible()
    page.get_by_role("button", name="Mark as read").first.click()
    expect(page.get_by_text("0 unread")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)

    in_app = page.get_by_label("A reply to your comment — In the app")
    expect(in_app).to_be_checked()
    in_app.uncheck()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Preferences saved.")).to_be_visible()
    page.reload()
    settle(page)
    expect(page.get_by_label("A reply to your comment — In the app")).not_to_be_checked()
