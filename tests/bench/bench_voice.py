"""Voice bench (issue 15): does the offline voice conversion make espeak-ng's plain voice sound
like a target speaker, what does it cost in intelligibility, and how fast is it.

    uv run python tests/bench/bench_voice.py      # ~15 min on two shared cores

Speakers: espeak-ng voices and variants stand in for people (no public-domain speech recording
ships in a registry package we could find). For each target speaker a profile is made from ~75 s
of its speech through the real `analyse_samples` path; the plain Italian voice (`it`) is then
converted toward it and measured on twelve held-out sentences (~110 words) the calibration never
saw. Variants, all from the same run:

- plain TTS (bare): espeak-ng's `it`, unconverted: the baseline;
- previous default: `it` converted with the calibrated mild warp (0.94-1.12) and full F0 mapping;
- nearest base voice, bare: the espeak-ng variant and pitch `choose_base_voice` picks for the
  profile (never the target's own variant: f3, m7, klatt, f5 are not candidates), unconverted;
- nearest base + calibrated mild warp (the candidate; `dub(nearest_base_voice=True)`, off by
  default after this bench): that base voice, then the calibrated mild warp with F0 mapping;
- the same with the F0 mean only mapped (the base voice's contour spread kept).
`--all` adds the older variants (F0 only, warp 1.12 + F0, warps up to 25 % with per-band gain).

Printed per variant: speaker similarity (resemblyzer cosine to the profile) and its gain over
plain TTS, the offline Whisper's WER and its difference from plain TTS, each gain with a 95 %
bootstrap interval over the (target, sentence) pairs, and the conversion's real-time factor; then
our figure against the bare baseline (ratio, difference) and whether the issue's target holds
(similarity gain with its interval above zero, WER within 5 points of plain TTS). Timings depend
on what else the machine runs (several engineers share two cores): noisy.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from video_studio.providers import Voice
from video_studio.providers.espeak_tts import EspeakTextToSpeech
from video_studio.providers.whisper_local import LocalWhisper
from video_studio.voice import analyse_samples, calibrate, convert, write_wav
from video_studio.voice.audio import ANALYSIS_RATE, WORLD_RATE, resample
from video_studio.voice.base_voice import choose_base_voice, label
from video_studio.voice.convert import ConversionPlan
from video_studio.voice.embedding import cosine, embed
from video_studio.voice.quality import transcribe_text, word_error_rate, words
from video_studio.voice.stats import VoiceStats, analyse, voice_stats

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
    "Quando il compagno attacca, sposta il piede destro di lato.",
    "La cintura si lega stretta in vita con un nodo piatto.",
    "Guarda sempre avanti e non abbassare mai la testa durante il calcio.",
    "Oggi ripetiamo il kata dall'inizio, lentamente e senza fretta.",
    "Chiudi bene il pugno con il pollice sopra le dita piegate.",
    "Dopo tre colpi torniamo in guardia e respiriamo profondamente.",
    "Il gomito resta vicino al corpo per proteggere le costole.",
    "Domani la lezione comincia alle sette con il riscaldamento.",
)
TARGETS = (Voice("it+f3", 70), Voice("it+m7", 20), Voice("it+klatt", 45), Voice("it+f5", 85))
PLAIN = Voice("it")
# The dub's default before the formant-preserving change: warps up to 25 %, per-band gain.
PREVIOUS_CANDIDATES = [ConversionPlan(identity=True)] + [
    ConversionPlan(warp=w, gain_db=g) for w in (0.9, 1.0, 1.12, 1.25) for g in (0.0, 6.0)
]
OURS = "nearest base + calibrated mild warp"
BARE = "plain TTS (bare)"
TTS = EspeakTextToSpeech()
RNG = np.random.default_rng(15)
warnings.filterwarnings("ignore")  # pyworld and webrtcvad import the deprecated pkg_resources

Planner = Callable[[list[np.ndarray], VoiceStats, np.ndarray, VoiceStats], ConversionPlan]  # type: ignore[type-arg]


def _calibrated(candidates: list[ConversionPlan] | None) -> Planner:
    def plan(
        calib: list[np.ndarray], stats: VoiceStats, vector: np.ndarray, source: VoiceStats
    ) -> ConversionPlan:  # type: ignore[type-arg]
        return calibrate(calib, WORLD_RATE, stats, vector, source=source, candidates=candidates)[0]

    return plan


# Each variant: (start from the nearest base voice?, planner). `--all` adds the older variants.
VARIANTS: dict[str, tuple[bool, Planner]] = {
    "previous default (plain it, calibrated mild warp)": (False, _calibrated(None)),
    "nearest base voice, bare": (True, lambda *_: ConversionPlan(identity=True)),
    OURS: (True, _calibrated(None)),
    "nearest base + calibrated, F0 mean only": (
        True,
        lambda *a: replace(_calibrated(None)(*a), keep_f0_range=True),
    ),
}
OLDER: dict[str, tuple[bool, Planner]] = {
    "F0 only": (False, lambda *_: ConversionPlan(warp=1.0, gain_db=0.0)),
    "warp 1.12 + F0": (False, lambda *_: ConversionPlan(warp=1.12, gain_db=0.0)),
    "warps <= 1.25 + per-band gain": (False, _calibrated(PREVIOUS_CANDIDATES)),
}


@dataclass
class Scores:
    sims: list[float] = field(default_factory=list)  # per (target, sentence)
    errors: list[float] = field(default_factory=list)  # word errors per (target, sentence)
    seconds: float = 0.0  # conversion time (analysis + edits + synthesis)
    calibration_seconds: float = 0.0
    plans: list[str] = field(default_factory=list)


def speak(text: str, voice: Voice) -> np.ndarray:  # type: ignore[type-arg]
    audio = TTS.synthesize(text, language="it", voice=voice)
    return resample(audio.samples, audio.sample_rate, WORLD_RATE)


def similarity(samples: np.ndarray, profile: np.ndarray) -> float:  # type: ignore[type-arg]
    vector = embed(resample(samples, WORLD_RATE, ANALYSIS_RATE))
    return cosine(vector, profile) if vector is not None else 0.0


def word_errors(reference: str, heard: str) -> float:
    return word_error_rate(reference, heard) * len(words(reference).split())


def describe(plan: ConversionPlan) -> str:
    if plan.identity:
        return "none"
    return f"w{plan.warp:.2f}" + (f"+g{plan.gain_db:g}" if plan.gain_db else "")


def interval(values: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:  # type: ignore[type-arg]
    """95 % bootstrap interval of the (weighted) mean over resampled (target, sentence) pairs."""
    n = len(values)
    picks = RNG.integers(0, n, size=(2000, n))
    if weights is None:
        means = values[picks].mean(axis=1)
    else:
        means = values[picks].sum(axis=1) / weights[picks].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


@dataclass
class Run:
    scores: dict[str, Scores]
    targets: int
    tts_seconds: float  # espeak-ng's synthesis of the held-out sentences (once)
    audio_seconds: float  # of the held-out sentences

    def merged(self, other: Run) -> Run:
        scores = {
            name: Scores(
                s.sims + other.scores[name].sims,
                s.errors + other.scores[name].errors,
                s.seconds + other.scores[name].seconds,
                s.calibration_seconds + other.scores[name].calibration_seconds,
                s.plans + other.scores[name].plans,
            )
            for name, s in self.scores.items()
        }
        tts = (self.tts_seconds + other.tts_seconds) / 2
        return Run(scores, self.targets + other.targets, tts, self.audio_seconds)


def measure(targets: tuple[Voice, ...]) -> Run:
    stt = LocalWhisper()
    started = time.perf_counter()
    plain = [speak(text, PLAIN) for text in HELD_OUT]
    tts_seconds = time.perf_counter() - started
    audio_seconds = sum(len(p) for p in plain) / WORLD_RATE
    sizes = np.array([len(words(t).split()) for t in HELD_OUT], dtype=np.float64)
    plain_errors = [
        word_errors(t, transcribe_text(stt, p, WORLD_RATE, "it"))
        for t, p in zip(HELD_OUT, plain, strict=True)
    ]
    calibration = [speak(CALIBRATION, PLAIN)]
    source = voice_stats([analyse(calibration[0], WORLD_RATE, aperiodicity=False)])
    scores = {name: Scores() for name in (BARE, *VARIANTS)}
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        for target in targets:
            sample = Path(tmp) / "target.wav"
            write_wav(sample, np.concatenate([speak(TRAINING, target) for _ in range(4)]), WORLD_RATE)
            analysis = analyse_samples([sample])
            assert analysis.profile is not None, analysis.to_dict()["reasons"]
            stats, vector = analysis.profile.stats, analysis.profile.vector()
            bare = scores[BARE]
            bare.sims += [similarity(p, vector) for p in plain]
            bare.errors += plain_errors
            line = [f"{target.id} p{target.pitch}: plain sim {np.mean(bare.sims[-len(plain) :]):.3f}"]
            t0 = time.perf_counter()
            choice = choose_base_voice(TTS, "it", CALIBRATION, stats.f0_median_hz, vector)
            choice_seconds = time.perf_counter() - t0
            base = choice.voice
            line.append(f"base {label(base)} (F0 gap {choice.f0_gap_semitones} st)")
            base_plain = [speak(text, base) for text in HELD_OUT]
            base_calibration = [speak(CALIBRATION, base)]
            base_source = voice_stats([analyse(base_calibration[0], WORLD_RATE, aperiodicity=False)])
            for name, (from_base, planner) in VARIANTS.items():
                score = scores[name]
                src, calib, held = (
                    (base_source, base_calibration, base_plain) if from_base else (source, calibration, plain)
                )
                t0 = time.perf_counter()
                plan = planner(calib, stats, vector, src)
                score.calibration_seconds += time.perf_counter() - t0 + (choice_seconds if from_base else 0.0)
                t0 = time.perf_counter()
                outs = [convert(p, WORLD_RATE, stats, source=src, plan=plan)[0] for p in held]
                score.seconds += time.perf_counter() - t0
                score.plans.append((label(base) + ":" if from_base else "") + describe(plan))
                score.sims += [similarity(o, vector) for o in outs]
                score.errors += [
                    word_errors(t, transcribe_text(stt, o, WORLD_RATE, "it"))
                    for t, o in zip(HELD_OUT, outs, strict=True)
                ]
                n = len(plain)
                wer = sum(score.errors[-n:]) / sizes.sum()
                line.append(
                    f"{name} [{describe(plan)}] sim {np.mean(score.sims[-n:]):.3f} WER {100 * wer:.1f}%"
                )
            print(" | ".join(line), flush=True)
    return Run(scores, len(targets), tts_seconds, audio_seconds)


def report(run: Run) -> None:
    scores, tts_seconds, audio_seconds = run.scores, run.tts_seconds, run.audio_seconds
    sizes = np.array([len(words(t).split()) for t in HELD_OUT] * run.targets, dtype=np.float64)
    total = sizes.sum()
    base_sims, base_errors = np.array(scores[BARE].sims), np.array(scores[BARE].errors)
    base_wer = base_errors.sum() / total
    print(
        f"\n{run.targets} targets x {len(HELD_OUT)} held-out sentences ({int(total)} words);"
        " 95 % bootstrap intervals over (target, sentence) pairs"
    )
    print(
        f"{'variant':<28} {'plans':<24} {'similarity':>10} {'gain [95 % CI]':>24} {'WER':>7}"
        f" {'vs bare [95 % CI]':>26} {'RTF':>6}"
    )
    verdict = ""
    for name, score in scores.items():
        sims, errors = np.array(score.sims), np.array(score.errors)
        wer = errors.sum() / total
        if name == BARE:
            print(
                f"{name:<28} {'-':<24} {sims.mean():>10.3f} {'-':>24} {100 * wer:>6.1f}% {'-':>26}"
                f" {tts_seconds / audio_seconds:>6.3f} (synthesis)"
            )
            continue
        gain = sims - base_sims
        g_lo, g_hi = interval(gain)
        d_lo, d_hi = interval(errors - base_errors, sizes)
        rtf = score.seconds / (audio_seconds * run.targets)
        print(
            f"{name:<28} {','.join(score.plans):<24} {sims.mean():>10.3f} {gain.mean():>+8.3f}"
            f" [{g_lo:+.3f}, {g_hi:+.3f}] {100 * wer:>6.1f}% {100 * (wer - base_wer):>+8.1f}"
            f" [{100 * d_lo:+.1f}, {100 * d_hi:+.1f}] {rtf:>6.3f}"
        )
        if name == OURS:
            met = g_lo > 0 and wer - base_wer <= 0.05
            verdict = (
                f"similarity: ours {sims.mean():.3f}, bare (plain TTS) {base_sims.mean():.3f}, ratio"
                f" {sims.mean() / base_sims.mean():.3f}, gain {gain.mean():+.3f} [{g_lo:+.3f}, {g_hi:+.3f}];"
                f" WER: ours {100 * wer:.1f}%, bare {100 * base_wer:.1f}%,"
                f" difference {100 * (wer - base_wer):+.1f} points [{100 * d_lo:+.1f}, {100 * d_hi:+.1f}]"
                f"; target (gain > 0, WER within 5 points):"
                f" {'met' if met else 'NOT met'}"
            )
    print(verdict)
    rtf_tts = tts_seconds / audio_seconds
    rtf_ours = scores[OURS].seconds / (audio_seconds * run.targets)
    calibration_s = scores[OURS].calibration_seconds / run.targets
    print(
        f"real-time factor per minute of audio: conversion {rtf_ours:.3f}, bare espeak-ng synthesis"
        f" {rtf_tts:.3f}, ratio {rtf_ours / rtf_tts:.1f}; dub per segment (synthesis + conversion)"
        f" {rtf_ours + rtf_tts:.3f}; calibration {calibration_s:.1f} s per voice (once per dub)"
    )


def main(args: list[str]) -> int:
    """No arguments: every target, then the table. `--targets it+f3,it+f5 --save part.json`: some
    targets, raw scores saved (to spread a run over processes); `--merge part.json ...`: the table
    of saved parts."""
    if args[:1] == ["--merge"]:
        runs = [_load(Path(name)) for name in args[1:]]
        run = runs[0]
        for other in runs[1:]:
            run = run.merged(other)
        report(run)
        return 0
    targets = TARGETS
    if "--all" in args:
        VARIANTS.update(OLDER)
    if "--targets" in args:
        wanted = args[args.index("--targets") + 1].split(",")
        targets = tuple(t for t in TARGETS if t.id in wanted)
    run = measure(targets)
    if "--save" in args:
        Path(args[args.index("--save") + 1]).write_text(json.dumps(asdict(run)))
    report(run)
    return 0


def _load(path: Path) -> Run:
    data = json.loads(path.read_text())
    scores = {name: Scores(**s) for name, s in data.pop("scores").items()}
    return Run(scores, **data)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
