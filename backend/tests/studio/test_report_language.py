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
