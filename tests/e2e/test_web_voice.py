"""Voice dubbing through the web client, in the Italian UI: an instructor uploads ~75 s of
espeak-ng speech (WebM/Opus) in "Le mie voci" with consent and waits for the check; dubs a 12 s
published English lesson into Italian (with its English script uploaded in the form), sees the quality report,
speaks one segment again with edited text and publishes the dub; the student picks "italiano"
in the player's audio menu and hls.js fetches the dub; revoking the consent takes the dub out of
the student's master playlist, and the audio link handed out before answers 404."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from e2e_support import PASSWORD, backend_python, post_json, settle, shot
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VOICE_TIMEOUT_MS = 300_000  # one worker on a shared machine runs the check and the dub

# The media (a 75 s recording, a 12 s lesson with real HLS) comes from the backend's own voice
# test helpers, so both suites speak the same espeak-ng lines.
_SEED = """
import json, subprocess, sys
from pathlib import Path
from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.ids import uuid7
from app.core.security import hash_password
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.knowledge.models import MemoryRow
from app.media.models import Video, VideoStatus
from app.media.service import source_key
from tests.media.helpers import ffmpeg
from tests.voice.test_jobs import SCRIPT, _lesson, _recording
# The lesson's own English lines as the uploaded script; the translation memory holds their
# Italian (approved by a person), so the dub translates them without an LLM key.
lines = ["Today we train the front kick.", "Lift the knee high, then snap the foot.", "Return to guard."]
script = {"language": "en", "segments": [{**s, "text": t} for s, t in zip(SCRIPT["segments"], lines)]}
tag, password, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
recording = _recording(folder)
(folder / "script.json").write_text(json.dumps(script))
lesson = folder / "lesson.mp4"
lesson.write_bytes(_lesson(folder))
hls = folder / "hls"
(hls / "360p").mkdir(parents=True)
subprocess.run([ffmpeg(), "-v", "error", "-y", "-i", str(lesson), "-c", "copy", "-f", "hls", "-hls_time", "4",
                "-hls_playlist_type", "vod", "-hls_segment_filename", str(hls / "360p" / "seg_%05d.ts"),
                str(hls / "360p" / "index.m3u8")], check=True, timeout=120)
(hls / "master.m3u8").write_text(
    "#EXTM3U\\n#EXT-X-VERSION:3\\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,"
    'CODECS="avc1.64000d,mp4a.40.2"\\n360p/index.m3u8\\n')
digest, now = hash_password(password), utcnow()
with sync_session() as s:
    people = {}
    for key, role in (("sensei", Role.instructor), ("allievo", Role.student)):
        people[key] = User(email=f"{key}-{tag}@example.com", display_name=f"{key} {tag}",
                           password_hash=digest, role=role, email_verified_at=now)
        s.add(people[key])
    s.add_all(MemoryRow(source_lang="en", source_text=en["text"], target_lang="it", target_text=it["text"],
                        origin="human") for en, it in zip(script["segments"], SCRIPT["segments"]))
    s.flush()
    vid = uuid7()
    prefix = f"videos/{vid}/{tag}/"
    store = get_object_store()
    for path in sorted(hls.rglob("*")):
        if path.is_file():
            store.put_bytes(prefix + "hls/" + path.relative_to(hls).as_posix(), path.read_bytes())
    store.put_bytes(source_key(vid), lesson.read_bytes(), "video/mp4")
    v = Video(id=vid, owner_id=people["sensei"].id, status=VideoStatus.published, title=f"Mae geri {tag}",
              description="", discipline="karate", tags=[], language="en", media_prefix=prefix,
              source_key=source_key(vid), source_size_bytes=lesson.stat().st_size, duration_s=12.0,
              published_at=now)
    s.add(v)
    s.flush()
    print(json.dumps({"sensei": people["sensei"].email, "allievo": people["allievo"].email,
                      "video": str(v.id), "title": v.title, "recording": str(recording),
                      "script": str(folder / "script.json")}))
"""


def _log_in_it(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("button", name="Menu account")).to_be_visible()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def _student_master(platform, email: str, video_id: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    token = post_json(platform.api("/auth/login"), {"email": email, "password": PASSWORD})["access_token"]
    req = urllib.request.Request(
        platform.api(f"/videos/{video_id}/playback"), headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        url = str(json.loads(resp.read())["url"])
    with urllib.request.urlopen(urllib.parse.urljoin(platform.url, url), timeout=30) as resp:
        return urllib.parse.urljoin(platform.url, url), resp.read().decode()


def _wait_dub_version(platform, email: str, version: int) -> None:  # type: ignore[no-untyped-def]
    token = post_json(platform.api("/auth/login"), {"email": email, "password": PASSWORD})["access_token"]
    req = urllib.request.Request(platform.api("/voice/dubs"), headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + VOICE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        with urllib.request.urlopen(req, timeout=30) as resp:
            dubs = json.loads(resp.read())
        if dubs and dubs[0]["version"] == version and dubs[0]["status"] == "ready":
            return
        time.sleep(1)
    raise AssertionError(f"the dub did not reach version {version}: {dubs}")


ENGLISH_VOICE_WORDS = re.compile(r"My voices|New voice|Withdraw consent|Start dubbing|Speak again|Similarity")


def test_dub_a_lesson_into_italian_fix_publish_and_revoke(  # type: ignore[no-untyped-def]
    platform, new_page, tmp_path: Path
) -> None:
    seed = json.loads(
        backend_python(platform, _SEED, uuid.uuid4().hex[:6], PASSWORD, str(tmp_path)).splitlines()[-1]
    )
    inst = new_page(locale="it-IT")
    _log_in_it(inst, seed["sensei"])

    # A voice: name, consent, upload the recording, check it.
    inst.goto("/studio/voice")
    settle(inst)
    expect(inst.get_by_role("heading", name="Le mie voci", exact=True)).to_be_visible()
    form = inst.get_by_role("form", name="Nuova voce")
    form.get_by_label("Nome della voce").fill("Voce da studio")
    form.get_by_role("checkbox").check()
    form.get_by_role("button", name="Crea la voce").click()
    card = inst.get_by_role("region", name="Voce da studio")
    card.get_by_label("Oppure carica una registrazione").set_input_files(seed["recording"])
    expect(card.get_by_text("recording.webm")).to_be_visible(timeout=60_000)
    card.get_by_role("button", name="Verifica le registrazioni").click()
    expect(card.get_by_text(re.compile(r"^Pronta: "))).to_be_visible(timeout=VOICE_TIMEOUT_MS)
    assert not ENGLISH_VOICE_WORDS.search(inst.locator("main").inner_text())
    shot(inst, "voice-01-profile-ready")

    # A dub into Italian with the uploaded script; the quality report; one segment spoken again.
    inst.goto("/studio/dubs")
    settle(inst)
    form = inst.get_by_role("form", name="Doppia un video")
    form.get_by_label("Video pubblicato").select_option(label=seed["title"])
    form.get_by_label("Voce", exact=True).select_option(label="Voce da studio")
    expect(form.get_by_label("Lingua del doppiaggio")).to_have_value("it")
    form.get_by_label("Copione (facoltativo, JSON)").set_input_files(seed["script"])
    form.get_by_role("button", name="Avvia il doppiaggio").click()
    dub = inst.get_by_role("region", name=f"{seed['title']} · Italiano")
    expect(dub.get_by_role("button", name="Pubblica")).to_be_visible(timeout=VOICE_TIMEOUT_MS)
    expect(dub.get_by_text(re.compile(r"Somiglianza .* segmenti su 3 da controllare"))).to_be_visible()
    expect(dub.get_by_role("img", name=re.compile("^Somiglianza"))).to_be_visible()
    rows = dub.get_by_role("row")
    expect(rows).to_have_count(4)  # the header and three segments
    second = rows.nth(2)
    second.get_by_role("button", name="Correggi").click()
    second.get_by_label("Testo corretto").fill("Alza bene il ginocchio.")
    second.get_by_role("button", name="Pronuncia di nuovo").click()
    expect(second.get_by_text("Alza bene il ginocchio.")).to_be_visible(timeout=VOICE_TIMEOUT_MS)
    # The page may offer "Pubblica" before the second run has ended (see the report of this
    # test's commit): wait for version 2 through the API, then reload and publish.
    _wait_dub_version(platform, seed["sensei"], 2)
    inst.reload()
    settle(inst)
    expect(second.get_by_text("Alza bene il ginocchio.")).to_be_visible()
    dub.get_by_role("button", name="Pubblica").click()
    expect(dub.get_by_role("button", name="Ritira")).to_be_visible()
    assert not ENGLISH_VOICE_WORDS.search(inst.locator("main").inner_text())
    shot(inst, "voice-03-fixed-and-published")

    # The student's master playlist offers the Italian dub as an audio rendition.
    master_url, master = _student_master(platform, seed["allievo"], seed["video"])
    line = next(ln for ln in master.splitlines() if 'LANGUAGE="it"' in ln and "URI=" in ln)
    rendition_url = urllib.parse.urljoin(master_url, line.split('URI="')[1].rstrip('"'))
    assert _status(rendition_url) == 200

    # In the player, the student switches the audio to Italian: hls.js then fetches the dub.
    stu = new_page(locale="it-IT")
    _log_in_it(stu, seed["allievo"])
    stu.goto(f"/videos/{seed['video']}")
    settle(stu)
    audio_menu = stu.get_by_role("combobox", name="Audio", exact=True)
    expect(audio_menu).to_be_visible(timeout=30_000)
    expect(audio_menu.locator("option")).to_have_text(["inglese", "italiano"])
    with stu.expect_request(lambda r: "/dubs/" in r.url, timeout=30_000):
        audio_menu.select_option(label="italiano")
    expect(audio_menu.locator("option:checked")).to_have_text("italiano")
    shot(stu, "voice-04-student-audio-italian")

    # Revoking the consent deletes the voice and takes the dub out of the master.
    inst.goto("/studio/voice")
    settle(inst)
    inst.once("dialog", lambda d: d.accept())
    inst.get_by_role("region", name="Voce da studio").get_by_role(
        "button", name="Revoca il consenso ed elimina"
    ).click()
    expect(inst.get_by_role("region", name="Voce da studio")).to_have_count(0)
    # The link handed out before the revoke no longer plays (its cached playlist answered 200 before).
    assert _status(rendition_url) == 404
    assert "TYPE=AUDIO" not in _student_master(platform, seed["allievo"], seed["video"])[1]
