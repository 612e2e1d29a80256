"""The report is stored language-neutral and rendered in the language the client asks for
(`?lang=`, else Accept-Language, else English); reports stored before that stay readable."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import NEUTRAL_REPORT, local_path

API = "/api/v1/studio"


async def test_the_report_speaks_the_asked_language(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    make_ready_attempt: Any,
) -> None:
    attempt = make_ready_attempt(make_reference(instructor, technique="kick"), student, report=NEUTRAL_REPORT)
    h = auth_headers(student)
    url = f"{API}/attempts/{attempt.id}/report"
    english = (await client.get(url, headers=h)).json()
    italian = (await client.get(f"{url}?lang=it", headers=h)).json()
    browser = (await client.get(url, headers=h | {"accept-language": "it-IT,it;q=0.9,en;q=0.5"})).json()
    assert (
        english["lang"] == "en"
        and italian["lang"] == "it"
        and browser
        == italian
        | {
            "urls_expire_at": browser["urls_expire_at"],
            "overlay_url": browser["overlay_url"],
            "plots": browser["plots"],
        }
    )
    assert (
        english["feedback"][0]["message"]
        == "Extension: snap your right knee straight (22° short of the reference)"
    )
    assert (
        italian["feedback"][0]["message"]
        == "Estensione: distendi con decisione il ginocchio destro (22° in meno del riferimento)"
    )
    assert italian["top_cues"] == italian["feedback"][:1]
    assert italian["technique"] == "kick" and italian["technique_label"] == "Calcio"
    assert italian["phases"][0]["label"] == "Estensione"
    assert italian["tempo"] == {
        "ratio": 1.52,
        "code": "slower",
        "message": "Sei stato 1,5× più lento del riferimento (il ritmo non è un errore).",  # noqa: RUF001
    }
    assert (
        italian["match"]["same_movement"] is True
        and italian["match"]["message"] == "È il movimento del riferimento."
    )
    assert [w["code"] for w in italian["warnings"]] == ["several_people"]
    assert italian["warnings"][0]["message"].startswith("Erano inquadrate più persone")
    assert (
        italian["notes"][0]["message"]
        == "Il riferimento mostra 2 ripetizioni; nel tuo video ne abbiamo trovate 2."
    )
    assert [r["score"] for r in italian["reps"]["items"]] == [60.0, 83.0]
    assert italian["angle_basis"] == {"right_knee": "3d"}
    # Plots come in the asked language.
    plot = await client.get(local_path(italian["plots"][0]["url"]))
    assert plot.status_code == 200 and plot.content == b"png-it"
    assert (await client.get(f"{url}?lang=fr", headers=h)).status_code == 422


async def test_a_report_that_is_not_the_movement_has_no_score_and_no_corrections(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    make_ready_attempt: Any,
) -> None:
    report = NEUTRAL_REPORT | {
        "score": None,
        "match": NEUTRAL_REPORT["match"]
        | {"same_movement": False, "confidence": 0.12, "reason": "different_movement"},
        "tempo": None,
        "feedback": [],
        "top_cues": [],
        "reps": NEUTRAL_REPORT["reps"] | {"attempt": 0, "missing": 2, "items": []},
    }
    attempt = make_ready_attempt(make_reference(instructor), student, report=report)
    got = (await client.get(f"{API}/attempts/{attempt.id}/report", headers=auth_headers(student))).json()
    assert got["score"] is None and got["feedback"] == [] and got["tempo"] is None
    assert got["match"]["message"].startswith("This does not look like the reference movement")
    listed = (await client.get(f"{API}/attempts/{attempt.id}", headers=auth_headers(student))).json()
    assert listed["score"] is None


async def test_a_report_stored_before_language_neutral_reports_is_still_readable(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    make_ready_attempt: Any,
) -> None:
    attempt = make_ready_attempt(make_reference(instructor), student)  # a version 1 report
    got = (
        await client.get(f"{API}/attempts/{attempt.id}/report?lang=it", headers=auth_headers(student))
    ).json()
    assert got["score"] == 71.5 and got["match"] is None and got["tempo"] is None and got["warnings"] == []
    # Its sentences were stored in English and stay so; the newer fields have their defaults.
    assert got["feedback"][0]["message"] == "straighten your right knee more in the extension: 22° short"
    assert got["feedback"][0]["deviation_deg"] == 22.0 and got["top_cues"] == got["feedback"]
    assert [p["joint"] for p in got["plots"]] == ["right_knee"]


def _squat_like(reps: int, fps: float = 20.0, knee_short: float = 0.0) -> dict[str, Any]:
    """A small synthetic skeleton (a person bending the knees `reps` times) as a document."""
    import numpy as np

    from video_studio.skeleton import doc_from_arrays
    from video_studio.skeleton.names import INDEX

    frames = int(reps * 2 * fps)
    points = np.zeros((frames, 33, 4))
    points[..., 3] = 1.0
    for k in range(frames):
        depth = 0.5 - 0.5 * np.cos(2 * np.pi * k / (2 * fps))  # 0 standing .. 1 bottom
        bend = np.radians(80 * depth)
        short = np.radians(knee_short * depth)
        for side, dx in (("left", -40.0), ("right", 40.0)):
            hip = np.array([360 + dx, 400 + 80 * depth])
            knee = hip + 110 * np.array([np.sin(bend), np.cos(bend)])
            ankle = knee + 105 * np.array([-np.sin(bend - short), np.cos(bend - short)])
            points[k, INDEX[f"{side}_hip"], :2] = hip
            points[k, INDEX[f"{side}_knee"], :2] = knee
            points[k, INDEX[f"{side}_ankle"], :2] = ankle
            points[k, INDEX[f"{side}_heel"], :2] = ankle + np.array([-10, 5])
            points[k, INDEX[f"{side}_foot_index"], :2] = ankle + np.array([25, 5])
            points[k, INDEX[f"{side}_shoulder"], :2] = hip + np.array([0, -160])
            points[k, INDEX[f"{side}_elbow"], :2] = hip + np.array([15, -80])
            points[k, INDEX[f"{side}_wrist"], :2] = hip + np.array([40, -60])
        points[k, 0, :2] = (360, 190 + 80 * depth)
    return dict(doc_from_arrays(points, np.arange(frames) / fps, fps, 720, 720))


async def test_the_cli_and_the_api_give_the_same_report(
    client: httpx.AsyncClient,
    auth_headers: Any,
    instructor: Any,
    student: Any,
    make_reference: Any,
    make_ready_attempt: Any,
    tmp_path: Any,
) -> None:
    """The worker stores the compare's language-neutral report (REPORT_FIELDS); the API renders
    it per request; the CLI renders it with --lang. Same fields, same values."""
    import json

    from app.studio.jobs import REPORT_FIELDS
    from video_studio.cli import main
    from video_studio.pose import compare_docs
    from video_studio.skeleton import save_doc

    ref, attempt = _squat_like(2), _squat_like(2, knee_short=25.0)
    out = tmp_path / "report.json"
    save_doc(ref, tmp_path / "ref.json")  # type: ignore[arg-type]
    save_doc(attempt, tmp_path / "att.json")  # type: ignore[arg-type]
    args = ["compare", str(tmp_path / "ref.json"), str(tmp_path / "att.json"), "-o", str(out)]
    assert main([*args, "--lang", "it", "--technique", "stance"]) == 0
    cli = json.loads(out.read_text())

    neutral = compare_docs(ref, attempt, technique="stance").report  # type: ignore[arg-type]
    stored = {k: neutral[k] for k in REPORT_FIELDS if k in neutral}
    row = make_ready_attempt(make_reference(instructor, technique="stance"), student, report=stored)
    api = (await client.get(f"{API}/attempts/{row.id}/report?lang=it", headers=auth_headers(student))).json()

    assert cli["feedback"], "the knees are 25 degrees short: there is something to say"
    shared = set(api) & set(cli)
    assert shared >= {
        "score",
        "match",
        "tempo",
        "warnings",
        "top_cues",
        "feedback",
        "reps",
        "phases",
        "notes",
    }
    for key in sorted(shared):
        assert api[key] == cli[key], key
