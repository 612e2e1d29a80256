"""Voice bench (issue 15): does the offline voice conversion make espeak-ng's plain voice sound
like a target speaker, what does it cost in intelligibility, and how fast is it.

Speakers: espeak-ng voices and variants stand in for people (no public-domain speech recording
ships in a registry package we could find). For each target speaker a profile is made from ~75 s
of its speech through the real `analyse_samples` path; the plain Italian voice (`it`) is then
converted toward it with the calibrated plan (`calibrate` on one calibration sentence) and
measured on held-out sentences the calibration never saw.

Printed, with the bare baseline from the same run and the ratio:
- speaker similarity (resemblyzer cosine to the profile): converted (ours) vs plain TTS (bare);
- WER of the offline Whisper on converted (ours) vs plain TTS (bare), in points (target: within 5);
- real-time factor per minute of audio: conversion (analysis + edits + synthesis) vs espeak-ng's
  synthesis alone (bare), and the dub's whole per-segment cost (synthesis + conversion).
Timings depend on what else the machine runs (several engineers share two cores): noisy.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from video_studio.providers import Voice
from video_studio.providers.espeak_tts import EspeakTextToSpeech
from video_studio.providers.whisper_local import LocalWhisper
from video_studio.voice import analyse_samples, calibrate, convert, write_wav
from video_studio.voice.audio import ANALYSIS_RATE, WORLD_RATE, resample
from video_studio.voice.embedding import cosine, embed
from video_studio.voice.quality import transcribe_text, word_error_rate
from video_studio.voice.stats import analyse, voice_stats

TRAINING = (
    "Oggi alleniamo il calcio frontale. Ginocchio alto, piede a martello, poi ritorno in guardia. "
    "Respira e ripeti dieci volte con calma. Il pugno parte dal fianco e ruota alla fine del movimento. "
    "Tieni le spalle basse e guarda il compagno negli occhi. Ogni tecnica nasce da una posizione stabile "
    "e da un respiro tranquillo."
)
CALIBRATION = (
    "Il maestro saluta gli allievi e comincia la lezione. Ogni tecnica nasce da una posizione stabile."
)
HELD_OUT = (
    "Adesso proviamo la parata alta con il braccio sinistro.",
    "Scendi in posizione del cavaliere e mantieni la schiena dritta.",
    "Il peso resta sulla gamba dietro mentre la mano avanza.",
    "Alla fine della serie salutiamo e beviamo un po' d'acqua.",
)
TARGETS = (Voice("it+f3", 70), Voice("it+m7", 20), Voice("it+klatt", 45), Voice("it+f5", 85))
PLAIN = Voice("it")
TTS = EspeakTextToSpeech()
warnings.filterwarnings("ignore")  # pyworld and webrtcvad import the deprecated pkg_resources


def speak(text: str, voice: Voice) -> np.ndarray:  # type: ignore[type-arg]
    audio = TTS.synthesize(text, language="it", voice=voice)
    return resample(audio.samples, audio.sample_rate, WORLD_RATE)


def similarity(samples: np.ndarray, profile: np.ndarray) -> float:  # type: ignore[type-arg]
    vector = embed(resample(samples, WORLD_RATE, ANALYSIS_RATE))
    return cosine(vector, profile) if vector is not None else 0.0


def main() -> int:
    stt = LocalWhisper()
    plain = [speak(text, PLAIN) for text in HELD_OUT]
    started = time.perf_counter()
    for text in HELD_OUT:
        speak(text, PLAIN)
    tts_seconds = time.perf_counter() - started
    audio_seconds = sum(len(p) for p in plain) / WORLD_RATE
    calibration_speech = speak(CALIBRATION, PLAIN)
    source = voice_stats([analyse(calibration_speech, WORLD_RATE, aperiodicity=False)])
    plain_heard = [transcribe_text(stt, p, WORLD_RATE, "it") for p in plain]
    wer_plain = word_error_rate(" ".join(HELD_OUT), " ".join(plain_heard))
    rows, convert_seconds, calibrate_seconds, converted_words = [], 0.0, 0.0, []
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        for target in TARGETS:
            sample = Path(tmp) / f"{target.id.replace('+', '_')}.wav"
            speech = np.concatenate([speak(TRAINING, target) for _ in range(4)])
            write_wav(sample, speech, WORLD_RATE)
            analysis = analyse_samples([sample])
            assert analysis.profile is not None, analysis.to_dict()["reasons"]
            profile = analysis.profile
            t0 = time.perf_counter()
            plan, _ = calibrate(
                [calibration_speech], WORLD_RATE, profile.stats, profile.vector(), source=source
            )
            calibrate_seconds += time.perf_counter() - t0
            t0 = time.perf_counter()
            converted = [convert(p, WORLD_RATE, profile.stats, source=source, plan=plan)[0] for p in plain]
            convert_seconds += time.perf_counter() - t0
            sim_plain = float(np.mean([similarity(p, profile.vector()) for p in plain]))
            sim_conv = float(np.mean([similarity(c, profile.vector()) for c in converted]))
            heard = [transcribe_text(stt, c, WORLD_RATE, "it") for c in converted]
            converted_words.append(" ".join(heard))
            wer_conv = word_error_rate(" ".join(HELD_OUT), " ".join(heard))
            rows.append((target, plan, sim_plain, sim_conv, wer_conv))
    print("speaker similarity to the target profile (cosine, resemblyzer), held-out sentences:")
    print(
        f"  {'target voice':<18} {'plan':<26} {'plain (bare)':>12} {'converted':>10} {'gain':>7}"
        f" {'WER conv':>9}"
    )
    for target, plan, sim_plain, sim_conv, wer_conv in rows:
        described = "identity" if plan.identity else f"warp {plan.warp:.2f}, gain {plan.gain_db:g} dB"
        name = f"{target.id} p{target.pitch}"
        gain = sim_conv - sim_plain
        print(
            f"  {name:<18} {described:<26} {sim_plain:>12.3f} {sim_conv:>10.3f} {gain:>+7.3f}"
            f" {wer_conv:>9.3f}"
        )
    mean_plain = float(np.mean([r[2] for r in rows]))
    mean_conv = float(np.mean([r[3] for r in rows]))
    print(
        f"similarity: ours {mean_conv:.3f}, bare (plain TTS) {mean_plain:.3f},"
        f" ratio {mean_conv / mean_plain:.3f}"
    )
    wer_conv_all = word_error_rate(" ".join(HELD_OUT * len(TARGETS)), " ".join(converted_words))
    print(f"WER (offline Whisper base): ours (converted) {100 * wer_conv_all:.1f}%, bare (plain TTS) "
          f"{100 * wer_plain:.1f}%, difference {100 * (wer_conv_all - wer_plain):+.1f} points")  # fmt: skip
    minutes = audio_seconds * len(TARGETS) / 60
    rtf_convert = convert_seconds / (audio_seconds * len(TARGETS))
    rtf_tts = tts_seconds / audio_seconds
    print(f"real-time factor per minute of audio: conversion {rtf_convert:.3f} ({convert_seconds:.1f} s for "
          f"{minutes:.2f} min), bare espeak-ng synthesis {rtf_tts:.3f}, ratio {rtf_convert / rtf_tts:.1f}; "
          f"dub per segment (synthesis + conversion) {rtf_convert + rtf_tts:.3f}; calibration "
          f"{calibrate_seconds / len(TARGETS):.1f} s per voice (once per dub)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
