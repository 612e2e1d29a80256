"""The base voice the dub starts from: the espeak-ng variant and pitch nearest the profile."""

from __future__ import annotations

import numpy as np
import pytest

from video_studio.providers import Voice
from video_studio.providers.espeak_tts import EspeakTextToSpeech
from video_studio.voice.audio import ANALYSIS_RATE, resample
from video_studio.voice.base_voice import choose_base_voice, median_f0, pitch_for
from video_studio.voice.embedding import embed

TTS = EspeakTextToSpeech()
CALIBRATION = (
    "Il maestro saluta gli allievi e comincia la lezione. Ogni tecnica nasce da una posizione stabile."
)
SPEAKER_TEXT = "Oggi alleniamo il calcio frontale. Ginocchio alto, piede a martello, poi ritorno in guardia."


def test_pitch_for_interpolates_in_log_f0_and_clamps() -> None:
    probes = {20: 100.0, 80: 200.0}
    assert pitch_for(100.0, probes) == 20
    assert pitch_for(200.0, probes) == 80
    assert pitch_for(float(100 * np.sqrt(2)), probes) == 50  # half an octave: half way
    assert pitch_for(1000.0, probes) == 99 and pitch_for(20.0, probes) == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("speaker", "expected"),
    [
        (Voice("it+f5", 85), {"it+f1", "it+f2", "it+f4"}),  # a high female voice
        (Voice("it+m7", 20), {"it", "it+m1", "it+m3"}),  # a low male voice
    ],
)
def test_the_nearest_base_voice_is_chosen_for_a_high_and_a_low_profile(
    speaker: Voice, expected: set[str]
) -> None:
    speech = TTS.synthesize(SPEAKER_TEXT, language="it", voice=speaker)
    target_hz = median_f0(speech.samples, speech.sample_rate)
    vector = embed(resample(speech.samples, speech.sample_rate, ANALYSIS_RATE))
    assert vector is not None
    choice = choose_base_voice(TTS, "it", CALIBRATION, target_hz, vector)
    assert choice.voice.id in expected, choice
    assert choice.f0_gap_semitones <= 2.0, choice
    chosen = TTS.synthesize(CALIBRATION, language="it", voice=choice.voice)
    assert abs(12 * np.log2(median_f0(chosen.samples, chosen.sample_rate) / target_hz)) <= 2.0
    assert len(choice.scores) == 6  # every candidate variant was heard
