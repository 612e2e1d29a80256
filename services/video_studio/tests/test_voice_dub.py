"""Dubbing a real lesson clip (espeak-ng English over a tone, H.264 + AAC) into Italian: slot fit,
ducked mix, quality report with the offline STT round trip, one segment re-synthesized alone, the
HLS audio rendition added to a master playlist made by our own transcoder; a KnowledgeDoc through
the translation memory."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from video_studio.cli import main
from video_studio.knowledge.memory import MemoryEntry, TranslationMemory
from video_studio.providers import make_speech_to_text
from video_studio.providers.espeak_tts import EspeakTextToSpeech
from video_studio.transcode import transcode_hls
from video_studio.transcode.playlists import parse_attributes, parse_media_playlist
from video_studio.voice import VoiceProfile, decode, dub, load_script, resynthesize_segment
from video_studio.voice.audio import WORLD_RATE
from video_studio.voice.dub import _duck_and_mix
from video_studio.voice.rendition import add_audio_rendition

SCRIPT_IT = {
    "language": "it",
    "segments": [
        {"start": 0.5, "end": 3.5, "text": "Oggi alleniamo il calcio frontale."},
        {"start": 4.5, "end": 7.5, "text": "Alza il ginocchio, poi calcia con il piede."},
        {"start": 8.5, "end": 11.0, "text": "Torna in guardia e respira."},
    ],
}


@pytest.fixture(scope="session")
def lesson(tmp_path_factory: pytest.TempPathFactory, media: Any) -> Path:
    folder = tmp_path_factory.mktemp("lesson")
    lines = [
        "Today we train the front kick.",
        "Lift the knee high, then snap the foot.",
        "Return to guard and breathe.",
    ]
    wavs = [media.espeak_wav(folder / f"e{k}.wav", text, "en-us") for k, text in enumerate(lines)]
    out = folder / "lesson.mp4"
    subprocess.run(
        [media.ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=320x240:r=25:d=12",
         "-i", str(wavs[0]), "-i", str(wavs[1]), "-i", str(wavs[2]), "-f", "lavfi", "-i", "sine=f=220:d=12",
         "-filter_complex",
         "[1]adelay=500|500[a];[2]adelay=4500|4500[b];[3]adelay=8500|8500[c];[4]volume=0.05[m];"
         "[a][b][c][m]amix=inputs=4:normalize=0,aresample=48000[out]",
         "-map", "0:v", "-map", "[out]", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
         str(out)],
        check=True,
    )  # fmt: skip
    return out


def test_ducking_lowers_the_original_by_15_db_inside_segments_only() -> None:
    t = np.arange(4 * WORLD_RATE) / WORLD_RATE
    original = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    mix = _duck_and_mix(original, np.zeros_like(original), [(1.0, 3.0)])

    def rms(a: float, b: float) -> float:
        return float(np.sqrt(np.mean(mix[int(a * WORLD_RATE) : int(b * WORLD_RATE)] ** 2)))

    assert abs(20 * np.log10(rms(1.5, 2.5) / rms(0.0, 0.8)) + 15.0) < 0.5
    assert abs(rms(3.3, 4.0) / rms(0.0, 0.8) - 1) < 0.01


def test_master_playlist_gains_an_audio_group_idempotently(tmp_path: Path) -> None:
    master = tmp_path / "master.m3u8"
    master.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"\n360p/index.m3u8\n'
    )
    (tmp_path / "audio_it").mkdir()
    playlist = tmp_path / "audio_it" / "index.m3u8"
    playlist.write_text("#EXTM3U\n")
    add_audio_rendition(master, playlist, language="it", original_language="en")
    text = add_audio_rendition(master, playlist, language="it", original_language="en")
    media = [
        parse_attributes(line.split(":", 1)[1])
        for line in text.splitlines()
        if line.startswith("#EXT-X-MEDIA")
    ]
    assert media == [
        {"TYPE": "AUDIO", "GROUP-ID": "aud", "LANGUAGE": "en", "NAME": "English", "DEFAULT": "YES",
         "AUTOSELECT": "YES"},
        {"TYPE": "AUDIO", "GROUP-ID": "aud", "LANGUAGE": "it", "NAME": "Italiano", "DEFAULT": "NO",
         "AUTOSELECT": "YES", "URI": "audio_it/index.m3u8"},
    ]  # fmt: skip
    assert 'AUDIO="aud"' in text and text.count('AUDIO="aud"') == 1 and text.endswith("360p/index.m3u8\n")


@pytest.mark.slow
def test_dub_into_italian_fits_slots_reports_quality_publishes_hls_and_redoes_one_segment(
    lesson: Path, voice_profile: VoiceProfile, tmp_path: Path
) -> None:
    hls = tmp_path / "hls"
    transcode_hls(lesson, hls, segment_seconds=4)
    out = tmp_path / "dub"
    stt = make_speech_to_text("offline")
    stages: list[str] = []
    doc = dub(
        lesson, load_script(SCRIPT_IT), out, language="it", tts=EspeakTextToSpeech(),
        profiles=[voice_profile], stt=stt, master=hls / "master.m3u8",
        on_progress=lambda f, stage: stages.append(stage),
    )  # fmt: skip
    assert stages[0] == "translate" and stages[-1] == "done" and "package" in stages
    segs = doc["segments"]
    assert [s["status"] for s in segs] == ["dubbed"] * 3 and {s["speaker"] for s in segs} == {0}
    assert all(abs(s["quality"]["timing"]) <= 0.1 for s in segs), [s["quality"]["timing"] for s in segs]
    assert all(s["quality"]["heard"] is not None and s["quality"]["wer"] >= 0 for s in segs)
    assert all(s["quality"]["similarity"] > 0.75 for s in segs), [s["quality"]["similarity"] for s in segs]
    assert doc["voices"][0]["profile"] == 0 and not doc["voices"][0]["plan"]["identity"]
    q = doc["quality"]
    assert q["segments"] == 3 and q["stt"] and q["peak_dbfs"] <= -0.99 and -20 < q["loudness_lufs"] < -14
    original, mix = decode(lesson, rate=WORLD_RATE), decode(out / "mix.wav", rate=WORLD_RATE)
    assert abs(len(mix) - len(original)) < WORLD_RATE // 50
    master = (hls / "master.m3u8").read_text()
    assert '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="it",NAME="Italiano"' in master
    assert all('AUDIO="aud"' in line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF"))
    audio = parse_media_playlist((hls / "audio_it" / "index.m3u8").read_text())
    assert audio.ended and abs(sum(d for _, d in audio.segments) - 12.0) < 0.2
    assert all((hls / "audio_it" / uri).stat().st_size > 0 for uri, _ in audio.segments)

    kept = {s["id"]: (out / s["audio"]).read_bytes() for s in segs}
    redone = resynthesize_segment(out, 1, tts=EspeakTextToSpeech(), stt=None, text="Alza bene il ginocchio.")
    again = {s["id"]: (out / s["audio"]).read_bytes() for s in redone["segments"]}
    assert again[0] == kept[0] and again[2] == kept[2] and again[1] != kept[1]
    seg1 = redone["segments"][1]
    assert seg1["text"] == "Alza bene il ginocchio." and seg1["origin"] == "edited"
    assert json.loads((out / "dub.json").read_text())["segments"][1]["text"] == "Alza bene il ginocchio."


@pytest.mark.slow
def test_knowledge_doc_in_english_uses_the_memory_and_leaves_the_rest_untranslated(
    lesson: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    knowledge = {"version": 1, "kind": "video", "language": "en", "speech": {"language": "en", "segments": [
        {"id": 0, "start": 0.5, "end": 3.5, "text": "Today we train the front kick."},
        {"id": 1, "start": 4.5, "end": 7.5, "text": "Lift the knee high, then snap the foot."},
    ]}}  # fmt: skip
    memory = TranslationMemory(
        [MemoryEntry("en", "Today we train the front kick.", "it", "Oggi il calcio frontale.")]
    )
    doc = dub(
        lesson, load_script(knowledge), tmp_path / "d", language="it", tts=EspeakTextToSpeech(),
        memory=memory, diarisation=False,
    )  # fmt: skip
    first, second = doc["segments"]
    assert (
        first["origin"] == "tm"
        and first["text"] == "Oggi il calcio frontale."
        and first["status"] == "dubbed"
    )
    assert second["status"] == "untranslated" and second["text"] is None
    assert doc["quality"]["untranslated"] == 1
    (tmp_path / "k.json").write_text(json.dumps({"segments": []}))
    assert main(["voice", "dub", str(lesson), "--transcript", str(tmp_path / "k.json"), "--lang", "it",
                 "-o", str(tmp_path / "x"), "--stt", "none"]) == 2  # fmt: skip
    assert "no segments" in capsys.readouterr().err
