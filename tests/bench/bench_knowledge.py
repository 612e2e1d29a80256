"""Knowledge extraction bench: WER, OCR character accuracy, categorisation precision / recall.

The labelled set is built in this run from the shared real clips (../shared/fixtures: squats,
dance, several people walking) with synthetic speech (espeak-ng it / en sentences naming
techniques, muxed in as the sound track) and synthetic on-screen text (ffmpeg drawtext over the
clip). Each sample lists the labels it teaches: the techniques said or shown in words, plus the
exercise when the clip shows repetitions (the squats). Skeletons of the real clips come from our
extractor, cached like the pose benches' (var/bench-cache/pose).

Printed, each with a bare baseline measured in the same run and the ratio where it means something:
- WER per language of the offline Whisper with the glossary prompt (ours) vs without (bare);
- OCR character accuracy of the merged on-screen text (ours: keyframes + fuzzy de-duplication)
  vs one OCR pass on the middle frame of the caption (bare), and raw readings per merged text;
- categorisation precision / recall of the document labels against the confidence threshold,
  glossary + motion (ours) vs glossary only (bare), and exact-term matching only (no fuzzy).
Timings depend on what else the machine runs (several engineers share two cores): noisy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import numpy as np
import pose_bench_support as support
from rapidfuzz.distance import Levenshtein

from video_studio.knowledge import extract
from video_studio.knowledge.categorise import document_labels, segment_docs, units_for_video
from video_studio.knowledge.doc import KnowledgeDoc
from video_studio.knowledge.glossary import Glossary, default_glossary, tokens
from video_studio.knowledge.motion import motion_track
from video_studio.knowledge.ocr import read_text
from video_studio.providers.audio import speech_wav
from video_studio.providers.whisper_local import LocalWhisper
from video_studio.skeleton import SkeletonDoc

FONT = Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
THRESHOLDS = (0.3, 0.5, 0.7, 0.9)


@dataclass(frozen=True)
class Sample:
    name: str
    clip: str
    voice: str | None  # espeak-ng voice (it / en), None: no speech
    sentence: str
    caption: str | None
    expected: frozenset[str]  # label values: technique types and glossary ids


def s(name: str, clip: str, voice: str | None, sentence: str, caption: str | None, *expected: str) -> Sample:
    return Sample(name, clip, voice, sentence, caption, frozenset(expected))


SAMPLES = (
    s("squats-it", "pose_squats", "it", "Ora facciamo gli squat: scendete piano e risalite.", "Squat",
      "general"),
    s("squats-en", "pose_squats", "en", "Ten squats now, keep your back straight.", None, "general"),
    s("squats-silent", "pose_squats", None, "", None, "general"),
    s("squats-punch-en", "pose_squats", "en", "Oi zuki, the lunge punch, then age uke.", "Age uke",
      "strike", "oi_zuki", "block", "age_uke", "general"),
    s("squats-warmup-it", "pose_squats", "it", "Riscaldamento: dieci piegamenti lenti.", None,
      "general", "junbi_undo"),
    s("dance-kick-it", "pose_dance", "it", "Oggi alleniamo mae geri, il calcio frontale.", "Mae geri",
      "kick", "mae_geri"),
    s("dance-block-en", "pose_dance", "en", "Block with gedan barai, then step into zenkutsu dachi.",
      "Gedan barai", "block", "gedan_barai", "stance", "zenkutsu_dachi"),
    s("dance-kicks-it", "pose_dance", "it", "Yoko geri laterale e poi mawashi geri.", "Yoko geri",
      "kick", "yoko_geri", "mawashi_geri"),
    s("dance-none-en", "pose_dance", "en", "Keep your guard up and breathe slowly.", None),
    s("walk-punch-it", "multi_person_demo", "it", "Adesso gyaku zuki dalla posizione kiba dachi.",
      "Kiba dachi", "strike", "gyaku_zuki", "stance", "kiba_dachi"),
    s("walk-kata-en", "multi_person_demo", "en", "Practise the kata Heian Shodan slowly.", "Heian Shodan",
      "kata", "heian_shodan"),
    s("walk-text-only", "multi_person_demo", None, "", "Tai sabaki", "stance", "tai_sabaki"),
)  # fmt: skip


def ffmpeg() -> str:
    return support.ffmpeg()


def duration_of(path: Path) -> float:
    cap = cv2.VideoCapture(str(path))
    frames, fps = cap.get(cv2.CAP_PROP_FRAME_COUNT), cap.get(cv2.CAP_PROP_FPS) or 30.0
    cap.release()
    return float(frames / fps)


def build_video(sample: Sample, folder: Path) -> tuple[Path, Path | None]:
    clip = support.FIXTURES / f"{sample.clip}.mp4"
    length = duration_of(clip)
    audio = None
    inputs = ["-i", str(clip)]
    if sample.voice:
        audio = folder / f"{sample.name}.wav"
        subprocess.run(
            ["espeak-ng", "-v", sample.voice, "-s", "140", "-w", str(audio), sample.sentence], check=True
        )
        with __import__("wave").open(str(audio)) as w:
            length = max(length, w.getnframes() / w.getframerate() + 0.5)
        inputs += ["-i", str(audio)]
    pad = f"tpad=stop_mode=clone:stop_duration={length:.2f},scale=-2:min(ih\\,720)"
    vf = pad
    if sample.caption:
        vf += (f",drawtext=fontfile={FONT}:text='{sample.caption}':fontsize=h/14:fontcolor=white:"
               "box=1:boxcolor=black@0.5:boxborderw=8:x=w/12:y=h/10:enable='gte(t,0.5)'")  # fmt: skip
    out = folder / f"{sample.name}.mp4"
    audio_args = ["-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac"] if audio else ["-an"]
    subprocess.run(
        [ffmpeg(), "-y", "-loglevel", "error", *inputs, "-vf", vf, "-t", f"{length:.2f}", *audio_args,
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", str(out)],
        check=True, timeout=300,
    )  # fmt: skip
    return out, audio


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    ref, hyp = tokens(reference), tokens(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


def char_accuracy(reference: str, read: str) -> float:
    ref, got = " ".join(tokens(reference)), " ".join(tokens(read))
    return max(0.0, 1.0 - Levenshtein.distance(ref, got) / max(1, len(ref)))


def relabel(doc: KnowledgeDoc, skeleton: SkeletonDoc | None, glossary: Glossary) -> dict[str, float]:
    """Document labels recomputed from the same transcript and texts (motion on or off)."""
    track = motion_track(skeleton)
    units = units_for_video(doc["speech"]["segments"] if doc["speech"] else [], doc["texts"], track,
                            doc["source"]["duration_s"] or 0.0)  # fmt: skip
    return {lab["value"]: lab["confidence"] for lab in document_labels(segment_docs(units, glossary, track))}


class ExactOnly(Glossary):
    """The glossary without fuzzy matching (what plain dictionary lookup finds)."""

    def find(self, words, *, fuzzy: bool = True):  # type: ignore[no-untyped-def]
        return super().find(words, fuzzy=False)


def pr(results: list[tuple[dict[str, float], frozenset[str]]], threshold: float) -> tuple[float, float]:
    tp = fp = fn = 0
    for labels, expected in results:
        shown = {value for value, conf in labels.items() if conf >= threshold}
        tp += len(shown & expected)
        fp += len(shown - expected)
        fn += len(expected - shown)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def ratio(ours: float, bare: float) -> str:
    return f"{ours / bare:.2f}x" if bare > 0 else "n/a"


def main() -> int:
    if shutil.which("espeak-ng") is None:
        print("bench_knowledge: espeak-ng is missing (make system-deps)", file=sys.stderr)
        return 1
    missing = [name for name in ("pose_squats", "pose_dance", "multi_person_demo")
               if not (support.FIXTURES / f"{name}.mp4").is_file()]  # fmt: skip
    if missing:
        print(f"bench_knowledge: shared fixtures missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    clips = support.Clips()
    skeletons = {name: clips.skeleton(name, f"{name}.mp4") for name in {smp.clip for smp in SAMPLES}}
    glossary = default_glossary()
    exact = ExactOnly(glossary.terms, glossary.category_words)
    stt = LocalWhisper()
    errors: dict[str, dict[str, list[int]]] = {"ours": {}, "bare": {}}
    ocr_ours: list[float] = []
    ocr_bare: list[float] = []
    raw_per_text: list[float] = []
    with_motion: list[tuple[dict[str, float], frozenset[str]]] = []
    words_only: list[tuple[dict[str, float], frozenset[str]]] = []
    exact_only: list[tuple[dict[str, float], frozenset[str]]] = []
    seconds = media_seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-knowledge-") as tmp:
        folder = Path(tmp)
        for sample in SAMPLES:
            video, audio = build_video(sample, folder)
            started = time.perf_counter()
            doc = extract(video, skeleton=skeletons[sample.clip], stt=stt)
            seconds += time.perf_counter() - started
            media_seconds += doc["source"]["duration_s"] or 0.0
            if sample.voice and audio is not None:
                said = " ".join(seg["text"] for seg in doc["speech"]["segments"]) if doc["speech"] else ""
                bare_text = stt.transcribe(speech_wav(video, folder / "bare.wav"), prompt=None).text
                for key, text in (("ours", said), ("bare", bare_text)):
                    e, n = wer(sample.sentence, text)
                    bucket = errors[key].setdefault(sample.voice, [0, 0])
                    bucket[0] += e
                    bucket[1] += n
            if sample.caption:
                best = max((char_accuracy(sample.caption, t["text"]) for t in doc["texts"]), default=0.0)
                ocr_ours.append(best)
                cap = cv2.VideoCapture(str(video))
                cap.set(cv2.CAP_PROP_POS_FRAMES, cap.get(cv2.CAP_PROP_FRAME_COUNT) // 2)
                ok, frame = cap.read()
                cap.release()
                lines = read_text(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)) if ok else []
                ocr_bare.append(max((char_accuracy(sample.caption, ln.text) for ln in lines), default=0.0))
                frames = sum(len(t.get("frames", [])) for t in doc["texts"])
                raw_per_text.append(frames / max(1, len(doc["texts"])))
            with_motion.append((relabel(doc, skeletons[sample.clip], glossary), sample.expected))
            words_only.append((relabel(doc, None, glossary), sample.expected))
            exact_only.append((relabel(doc, None, exact), sample.expected))
            shown = sorted(v for v, c in with_motion[-1][0].items() if c >= 0.5)
            print(
                f"  {sample.name:18s} expected {sorted(sample.expected)} -> shown at 0.5: {shown}", flush=True
            )
    rate = seconds / max(media_seconds, 1e-9)
    spoken = sum(1 for x in SAMPLES if x.voice)
    captioned = sum(1 for x in SAMPLES if x.caption)
    print(
        f"samples: {len(SAMPLES)} ({spoken} spoken, {captioned} with on-screen text), extraction "
        f"{seconds:.1f} s for {media_seconds:.1f} s of video ({rate:.2f} s per s; noisy)"
    )
    print("WER (offline Whisper base, int8)     ours: glossary prompt + VAD   bare: no prompt   ratio")
    for lang in ("it", "en"):
        o, b = errors["ours"].get(lang, [0, 1]), errors["bare"].get(lang, [0, 1])
        wo, wb = o[0] / max(1, o[1]), b[0] / max(1, b[1])
        print(f"  {lang}  ({o[1]} words){'':22s}{wo:6.3f}{'':22s}{wb:6.3f}      {ratio(wo, wb)}")
    mo, mb = float(np.mean(ocr_ours)), float(np.mean(ocr_bare))
    print(f"OCR character accuracy ({len(ocr_ours)} captions)  ours: merged keyframes {mo:.3f}   "
          f"bare: middle frame {mb:.3f}   ratio {ratio(mo, mb)};  raw readings per merged text "
          f"{float(np.mean(raw_per_text)):.1f}")  # fmt: skip
    print("categorisation (document labels vs the labelled set)")
    print("  threshold   ours: glossary+motion P / R   bare: glossary only P / R   exact terms only P / R   "
          "recall ratio ours/bare")  # fmt: skip
    for threshold in THRESHOLDS:
        po, ro = pr(with_motion, threshold)
        pb, rb = pr(words_only, threshold)
        pe, re_ = pr(exact_only, threshold)
        print(f"  {threshold:9.1f}   {po:10.3f} / {ro:5.3f}            {pb:8.3f} / {rb:5.3f}          "
              f"{pe:8.3f} / {re_:5.3f}         {ratio(ro, rb)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
