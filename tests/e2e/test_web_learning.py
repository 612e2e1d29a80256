"""Progress and gamification in the browser, in Italian (issue 17 part 2): a student with a week
of practice sees her streak and its badge, sets a weekly goal; on the week's leaderboard she opts
out and her name is gone, for her and for another student. The Italian pages show no English
string of the learning catalogue."""

from __future__ import annotations

import json
import re
from typing import Any

from e2e_support import PASSWORD, backend_python, log_in, seed_community, settle
from playwright.sync_api import Page, expect
from tests.e2e.conftest import REPO

WATCHED = """
import sys, uuid
from datetime import timedelta
from app.core.clock import utcnow
from app.db.session import sync_session
from app.learning import service
video, anna, bruno = (uuid.UUID(a) for a in sys.argv[1:4])
now = utcnow()
with sync_session() as s:
    for days_ago in range(6, -1, -1):  # seven days in a row, today last
        service.record_watch(s, anna, video, 600, at=now - timedelta(days=days_ago))
        s.commit()
    service.record_watch(s, bruno, video, 1200, at=now)
"""


def _catalogue(lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPO / "packages/shared/src/i18n" / f"{lang}.json").read_text())
    return data


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_leaves(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = str(value)
    return out


def english_leaks(page: Page, namespace: str) -> list[str]:
    """English strings of `namespace` (whole, without placeholders, different in Italian) that
    the page's visible text contains."""
    en, it = _leaves(_catalogue("en")[namespace]), _leaves(_catalogue("it")[namespace])
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    return [
        v
        for k, v in en.items()
        if "{" not in v and len(v) > 3 and v != it.get(k) and re.search(rf"\b{re.escape(v)}\b", text)
    ]


def test_streak_badge_goal_and_leaderboard_opt_out_in_italian(new_page, platform) -> None:  # type: ignore[no-untyped-def]
    s = seed_community(platform)
    anna, bruno = s["anna"], s["bruno"]
    backend_python(platform, WATCHED, s["video"]["id"], anna["id"], bruno["id"])

    page = new_page(locale="it-IT")
    log_in_it(page, anna["email"])
    page.goto("/learning")
    settle(page)
    expect(page.get_by_role("heading", name="I miei progressi")).to_be_visible()
    expect(page.get_by_text("Serie di 7 giorni").first).to_be_visible()  # the streak, and its badge
    expect(page.get_by_role("region", name="Distintivi")).to_contain_text("Serie di 7 giorni")
    page.locator("#goal-select").select_option(label="3 giorni a settimana")
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text(re.compile(r"\d giorni di pratica su 3 questa settimana"))).to_be_visible()
    assert english_leaks(page, "learning") == []

    page.goto("/leaderboards")
    settle(page)
    board = page.get_by_role("table")
    expect(board).to_contain_text(anna["name"])
    expect(board).to_contain_text(bruno["name"])
    page.get_by_label("Non mostrarmi nelle classifiche").check()
    expect(page.get_by_text("Sei nascosto dalle classifiche", exact=False)).to_be_visible()
    expect(board).not_to_contain_text(anna["name"])
    assert english_leaks(page, "learning") == []

    other = new_page()
    log_in(other, bruno["email"])
    other.goto("/leaderboards")
    settle(other)
    expect(other.get_by_role("table")).to_contain_text(bruno["name"])
    expect(other.get_by_role("table")).not_to_contain_text(anna["name"])


def log_in_it(page: Page, email: str) -> None:
    """e2e_support.log_in, with the Italian labels."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("button", name="Menu account")).to_be_visible()
