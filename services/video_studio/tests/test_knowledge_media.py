"""OCR of pictures, PDFs (text layer and scanned), and extract() / the CLI on made-up media.

Speech is made with espeak-ng (Debian, `make system-deps`); the tests that run Whisper or read
video frames are marked slow."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

matplotlib.use("Agg")
from matplotlib import pyplot as plt

from video_studio.cli import main
from video_studio.errors import InvalidInputError
from video_studio.knowledge import NothingFoundError, Options, captions, extract
from video_studio.knowledge.documents import image_text, pdf_pages
from video_studio.knowledge.ocr import read_text

FONT = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def picture(lines: list[str], size: tuple[int, int] = (960, 540)) -> Image.Image:
    img = Image.new("RGB", size, (25, 25, 25))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 44)
    for k, line in enumerate(lines):
        draw.text((50, 80 + 90 * k), line, fill=(255, 255, 255), font=font)
    return img


def text_pdf(path: Path, lines: list[str]) -> Path:
    fig = plt.figure(figsize=(8.27, 11.69))
    for k, line in enumerate(lines):
        fig.text(0.1, 0.9 - 0.05 * k, line, fontsize=14)
    fig.savefig(path, format="pdf")
    plt.close(fig)
    return path


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A page that is only a picture of text (no text layer), as a scanner makes."""
    fig = plt.figure(figsize=(8.27, 5.0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(np.asarray(picture(lines, (1400, 800))))
    ax.axis("off")
    fig.savefig(path, format="pdf", dpi=150)
    plt.close(fig)
    return path


def test_ocr_reads_the_words_of_a_picture_with_boxes() -> None:
    lines = read_text(np.asarray(picture(["Mae geri - calcio frontale", "Zenkutsu dachi"])))
    assert [line.text for line in lines] == ["Mae geri - calcio frontale", "Zenkutsu dachi"]
    assert all(line.score > 0.8 and 0 <= line.box[0] < line.box[2] <= 1 for line in lines)


def test_pdf_text_layer_is_read_without_ocr(tmp_path: Path) -> None:
    pages = pdf_pages(
        text_pdf(tmp_path / "manual.pdf", ["Gyaku zuki: pugno opposto", "Tenere il gomito basso"])
    )
    assert [(p.page, p.source) for p in pages] == [(1, "pdf")]
    assert "Gyaku zuki: pugno opposto" in pages[0].text


def test_scanned_pdf_page_is_rendered_and_read_by_ocr(tmp_path: Path) -> None:
    pages = pdf_pages(scanned_pdf(tmp_path / "scan.pdf", ["Heian Shodan", "Gedan barai"]))
    assert [(p.page, p.source) for p in pages] == [(1, "ocr")]
    assert "Heian Shodan" in pages[0].text and "Gedan barai" in pages[0].text


def test_unreadable_documents_are_bad_input(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(InvalidInputError):
        pdf_pages(fake)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(InvalidInputError):
        image_text(broken)


def test_extract_from_a_picture_labels_the_techniques_it_names(tmp_path: Path) -> None:
    path = tmp_path / "sheet.png"
    picture(["Yoko geri", "Calcio laterale"]).save(path)
    doc = extract(path)
    assert doc["kind"] == "image" and doc["version"] == 1 and doc["speech"] is None
    assert doc["texts"][0]["source"] == "image"
    best = doc["labels"][0]
    assert (best["kind"], best["value"]) == ("technique", "yoko_geri") and best["confidence"] > 0.9
    json.dumps(doc)  # plain JSON


def test_blank_picture_has_nothing_to_extract(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), (255, 255, 255)).save(path)
    with pytest.raises(NothingFoundError):
        extract(path)


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("just some text, not a video")
    assert main(["knowledge", str(junk), "-o", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("video_studio knowledge:")
    assert main(["knowledge", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "out.json")]) == 2
    assert main(["knowledge", str(junk), "-o", str(tmp_path / "o.json"), "--languages", "fr"]) == 2


def test_cli_writes_the_document_of_a_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = text_pdf(
        tmp_path / "manual.pdf", ["Kiba dachi: posizione del cavaliere", "Gedan barai: parata bassa"]
    )
    out = tmp_path / "manual.json"
    assert main(["knowledge", str(pdf), "-o", str(out), "--lang", "it"]) == 0
    doc = json.loads(out.read_text())
    assert doc["kind"] == "pdf" and doc["language"] == "it"
    assert {lab["value"] for lab in doc["labels"]} >= {"kiba_dachi", "gedan_barai", "stance", "block"}
    assert "Kiba dachi (posizione del cavaliere)" in capsys.readouterr().out


# --- video: espeak-ng speech, drawtext captions, Whisper --------------------------------------


def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def speak(path: Path, voice: str, text: str) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make system-deps)")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", str(path), text], check=True, timeout=60)
    return path


def lesson_video(tmp: Path, *, audio: Path | None, caption: str | None, seconds: float = 6.0) -> Path:
    out = tmp / "lesson.mp4"
    inputs = ["-f", "lavfi", "-i", f"color=c=0x303840:s=640x360:r=10:d={seconds}"]
    if audio is not None:
        inputs += ["-i", str(audio)]
    vf = []
    if caption:
        vf = ["-vf", f"drawtext=fontfile={FONT}:text='{caption}':fontsize=40:fontcolor=white:x=40:y=60"]
    audio_args = ["-c:a", "aac", "-shortest"] if audio is not None else ["-an"]
    cmd = [ffmpeg(), "-y", "-loglevel", "error", *inputs, *vf, "-c:v", "libx264", "-pix_fmt", "yuv420p",
           "-t", str(seconds), *audio_args, str(out)]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=120)
    return out


@pytest.mark.slow
def test_video_lesson_in_italian_gives_transcript_captions_text_labels_and_chapters(tmp_path: Path) -> None:
    audio = speak(
        tmp_path / "it.wav", "it", "Oggi alleniamo il calcio frontale, mae geri, poi la parata gedan barai."
    )
    video = lesson_video(tmp_path, audio=audio, caption="Mae geri")
    doc = extract(video)
    speech = doc["speech"]
    assert speech is not None and speech["provider"] == "offline-whisper" and speech["language"] == "it"
    assert speech["language_supported"] and speech["languages"]["it"]["supported"] and speech["prompted"]
    words = [w for seg in speech["segments"] for w in seg["words"]]
    assert words and all(0 <= w["start"] <= w["end"] <= doc["source"]["duration_s"] + 0.5 for w in words)
    assert "alleniamo" in " ".join(s["text"].lower() for s in speech["segments"])
    assert [t["text"] for t in doc["texts"]] == ["Mae geri"] and doc["texts"][0]["frames"]
    values = {lab["value"]: lab["confidence"] for lab in doc["labels"]}
    assert values["mae_geri"] > 0.9 and values["kick"] > 0.9
    assert doc["chapters"] and doc["chapters"][0]["start"] == 0.0
    vtt = captions(doc)
    assert vtt is not None and vtt.startswith("WEBVTT") and "-->" in vtt


@pytest.mark.slow
def test_english_speech_is_detected_as_english(tmp_path: Path) -> None:
    audio = speak(tmp_path / "en.wav", "en", "Now throw a front kick, then a reverse punch.")
    doc = extract(lesson_video(tmp_path, audio=audio, caption=None), options=Options(ocr=False))
    assert doc["speech"] is not None and doc["speech"]["language"] == "en"
    values = {lab["value"] for lab in doc["labels"]}
    assert {"mae_geri", "gyaku_zuki", "kick", "strike"} <= values
    assert "throw" not in values  # "throw a kick" is not a throw


@pytest.mark.slow
def test_silent_video_without_text_ends_with_a_clear_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = lesson_video(tmp_path, audio=None, caption=None, seconds=3)
    with pytest.raises(NothingFoundError, match="no speech, no on-screen text"):
        extract(video)
    assert main(["knowledge", str(video), "-o", str(tmp_path / "o.json")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.slow
def test_silent_video_with_a_skeleton_is_labelled_from_motion(tmp_path: Path, media: Any) -> None:
    video = lesson_video(tmp_path, audio=None, caption=None, seconds=3)
    skeleton = media.as_doc(media.kick_filmed(20.0, 2.0), fps=20.0)
    doc = extract(video, skeleton=skeleton)
    assert doc["motion_used"] and {"key": "knowledge.warning.no_audio", "params": {}} in doc["warnings"]
    kick = next(lab for lab in doc["labels"] if lab["value"] == "kick")
    assert kick["confidence"] >= 0.5
