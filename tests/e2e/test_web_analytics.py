"""Analytics in the browser (issue 17 part 4): beacons sent to the running platform, rolled up by
the beat task's function, shown on the admin analytics page as uPlot charts with the forecast's
method and backtest error; the same platform's continue-watching row on the home page."""

from __future__ import annotations

import json
import uuid

from e2e_support import PASSWORD, backend_python, log_in, post_json
from playwright.sync_api import expect
from tests.e2e.conftest import REPO

SEED = """
import json, sys
from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.ids import uuid7
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
email = sys.argv[1]
with sync_session() as s:
    teacher = User(email="sensei-" + email, display_name="Sensei", password_hash="x", role=Role.instructor)
    s.add(teacher)
    s.flush()
    v = Video(owner_id=teacher.id, status=VideoStatus.published, title="Heian nidan", description="",
              discipline="karate", tags=[], language="en", media_prefix=f"videos/{uuid7()}/", duration_s=300.0,
              published_at=utcnow())
    s.add(v)
    s.flush()
    print(json.dumps({"video_id": str(v.id)}))
"""
ROLLUP = """
from app.analytics import rollups
from app.db.session import sync_session
with sync_session() as s:
    rollups.refresh_recent(s)
    rollups.refresh_retention(s)
"""


def test_admin_sees_charts_from_real_beacons_and_continue_watching_resumes_across_devices(
    new_page, platform
) -> None:  # type: ignore[no-untyped-def]
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    platform.create_admin(email, PASSWORD)
    video_id = json.loads(backend_python(platform, SEED, email))["video_id"]
    for viewer in range(3):
        sid = str(uuid.uuid4())
        beacons = [
            {
                "video_id": video_id,
                "session_id": sid,
                "kind": "heartbeat",
                "position_s": p,
                "duration_s": 300.0,
            }
            for p in (0, 60 * (viewer + 1))
        ]
        assert post_json(platform.api("/analytics/beacons"), {"beacons": beacons})["accepted"] == 2
    backend_python(platform, ROLLUP)

    page = new_page()
    log_in(page, email)
    page.goto("/admin/analytics")
    expect(page.get_by_role("heading", name="Platform analytics")).to_be_visible()
    expect(page.get_by_text("Watching now")).to_be_visible()
    views = page.get_by_role("img", name="Views")
    expect(views).to_be_visible()
    expect(views.locator("canvas")).to_have_count(1)  # uPlot drew it
    expect(page.get_by_text("seasonal-naive (weekly)").first).to_be_visible()
    page.screenshot(path=str(REPO / "tests" / "e2e" / "artifacts" / "admin-analytics.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")

    # resume from another device: a position saved through the API shows on the home page row
    token = str(
        post_json(platform.api("/auth/login"), {"email": email, "password": PASSWORD})["access_token"]
    )
    saved = post_json(platform.api(f"/me/progress/{video_id}"), {"position_s": 120}, token, method="PUT")
    assert saved["resume"] is True
    page.goto("/")
    row = page.get_by_role("region", name="Continue watching")
    expect(row.get_by_text("Heian nidan")).to_be_visible()
    expect(row.get_by_role("progressbar", name="40% watched")).to_be_visible()
