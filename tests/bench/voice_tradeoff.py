"""The similarity / WER trade-off of milder voice conversions (issue 15): the bench's speakers and
held-out sentences (bench_voice.py), each converted several ways from the plain `it` voice.

    uv run python tests/bench/voice_tradeoff.py      # ~12 min on two shared cores

Variants per target: plain TTS (bare); the calibrated plan; the calibrated warp/gain with F0 moved
half, a quarter or none of the way (`ConversionPlan.f0_strength`); F0 only (no warp, no gain);
and fixed milder warps (1.12, 1.06) with full F0. Printed per target and over all targets (WER
over all words: 39 words per target, so one word is 2.6 points; Whisper's noise is of that size).
Figures: docs/VOICE.md, "Milder conversion".
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from bench_voice import CALIBRATION, HELD_OUT, PLAIN, TARGETS, TRAINING, similarity, speak

from video_studio.providers.whisper_local import LocalWhisper
from video_studio.voice import analyse_samples, calibrate, convert, write_wav
from video_studio.voice.audio import WORLD_RATE
from video_studio.voice.convert import ConversionPlan
from video_studio.voice.quality import transcribe_text, word_error_rate
from video_studio.voice.stats import analyse, voice_stats


def variants(plan: ConversionPlan) -> dict[str, ConversionPlan | None]:
    warp = 1.0 if plan.identity else plan.warp
    gain = 0.0 if plan.identity else plan.gain_db
    return {
        "bare (plain TTS)": None,
        "calibrated": plan,
        "calibrated, F0 x0.5": ConversionPlan(warp=warp, gain_db=gain, f0_strength=0.5),
        "calibrated, F0 x0.25": ConversionPlan(warp=warp, gain_db=gain, f0_strength=0.25),
        "calibrated, F0 x0": ConversionPlan(warp=warp, gain_db=gain, f0_strength=0.0),
        "F0 only": ConversionPlan(warp=1.0, gain_db=0.0),
        "warp 1.12, F0 x1": ConversionPlan(warp=1.12, gain_db=0.0),
        "warp 1.06, F0 x1": ConversionPlan(warp=1.06, gain_db=0.0),
    }


def main() -> int:
    stt = LocalWhisper()
    plain = [speak(text, PLAIN) for text in HELD_OUT]
    calibration = speak(CALIBRATION, PLAIN)
    source = voice_stats([analyse(calibration, WORLD_RATE, aperiodicity=False)])
    sims: dict[str, list[float]] = {}
    heard_all: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="voice-tradeoff-") as tmp:
        for target in TARGETS:
            sample = Path(tmp) / "target.wav"
            write_wav(sample, np.concatenate([speak(TRAINING, target) for _ in range(4)]), WORLD_RATE)
            profile = analyse_samples([sample]).profile
            assert profile is not None
            plan, _ = calibrate([calibration], WORLD_RATE, profile.stats, profile.vector(), source=source)
            for name, chosen in variants(plan).items():
                outs = plain if chosen is None else [
                    convert(p, WORLD_RATE, profile.stats, source=source, plan=chosen)[0] for p in plain
                ]  # fmt: skip
                sim = float(np.mean([similarity(o, profile.vector()) for o in outs]))
                heard = " ".join(transcribe_text(stt, o, WORLD_RATE, "it") for o in outs)
                sims.setdefault(name, []).append(sim)
                heard_all.setdefault(name, []).append(heard)
                wer = word_error_rate(" ".join(HELD_OUT), heard)
                print(
                    f"{target.id} p{target.pitch:<3} {name:<22} similarity {sim:.3f}  WER {100 * wer:5.1f}%",
                    flush=True,
                )
    reference = " ".join(HELD_OUT * len(TARGETS))
    bare = word_error_rate(reference, " ".join(heard_all["bare (plain TTS)"]))
    print(f"\n{'variant':<22} {'similarity':>10} {'WER':>7} {'vs bare':>8}")
    for name in sims:
        wer = word_error_rate(reference, " ".join(heard_all[name]))
        print(f"{name:<22} {np.mean(sims[name]):>10.3f} {100 * wer:>6.1f}% {100 * (wer - bare):>+7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
