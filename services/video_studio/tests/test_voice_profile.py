"""Voice profiles from real recordings (espeak-ng speech in four containers) and the clear reasons
for bad samples: silence, music only, too short, noise, clipping, a file that is not audio, a
video without sound. The CLI exits 2 with one line for each."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from video_studio.cli import main
from video_studio.voice import AudioInputError, VoiceProfile, analyse_samples, decode, write_wav
from video_studio.voice.audio import ANALYSIS_RATE

pytestmark = pytest.mark.slow


def _reasons(paths: list[Path]) -> list[str]:
    return [r.key for r in analyse_samples(paths).reasons]


def test_profile_from_four_containers_has_embedding_and_the_voice_pitch_range(
    voice_profile: VoiceProfile, voice_samples: dict[str, Path]
) -> None:
    profile = voice_profile
    assert len(profile.embedding) == 256 and abs(np.linalg.norm(profile.vector()) - 1) < 1e-3
    assert 60 <= profile.duration_s <= 330 and profile.speech_s > 50
    # espeak-ng's it+f3 at pitch 70 speaks around 240 Hz (a plain `it` voice is near 100 Hz)
    assert 180 < profile.stats.f0_median_hz < 300 and profile.stats.f0_min_hz < profile.stats.f0_max_hz
    assert len(profile.stats.envelope) == 48
    again = VoiceProfile.from_dict(profile.to_dict())
    assert np.allclose(again.vector(), profile.vector(), atol=1e-5)
    for kind in ("ogg", "mp3", "m4a", "webm"):
        assert 18 < len(decode(voice_samples[kind])) / ANALYSIS_RATE < 22


def test_too_short_silence_music_noise_and_clipping_each_get_their_reason(
    voice_samples: dict[str, Path], tmp_path: Path
) -> None:
    assert _reasons([voice_samples["ogg"]]) == ["voice.reason.too_short"]
    write_wav(tmp_path / "silence.wav", np.zeros(ANALYSIS_RATE * 70, np.float32), ANALYSIS_RATE)
    assert _reasons([tmp_path / "silence.wav"]) == ["voice.reason.silence"]
    rng = np.random.default_rng(3)
    notes = []
    for _ in range(140):  # a plucked melody of harmonic notes, half a second each
        f, t = (
            rng.choice([220.0, 247.0, 262.0, 294.0, 330.0, 392.0]),
            np.arange(ANALYSIS_RATE // 2) / ANALYSIS_RATE,
        )
        tone = sum(np.sin(2 * np.pi * f * h * t) / h for h in range(1, 6))
        notes.append((0.2 * tone * np.minimum(1, t / 0.02) * np.exp(-1.5 * t)).astype(np.float32))
    write_wav(tmp_path / "music.wav", np.concatenate(notes), ANALYSIS_RATE)
    assert _reasons([tmp_path / "music.wav"]) == ["voice.reason.music_only"]
    speech = decode(voice_samples["wav"])
    noisy = speech + rng.normal(0, 0.12, len(speech)).astype(np.float32)
    write_wav(tmp_path / "noisy.wav", np.tile(noisy, 4), ANALYSIS_RATE)
    assert _reasons([tmp_path / "noisy.wav"]) == ["voice.reason.noisy"]
    hot = np.tile(speech * 8, 4)  # write_wav clips it at full scale, as an overdriven microphone does
    write_wav(tmp_path / "hot.wav", hot, ANALYSIS_RATE)
    assert _reasons([tmp_path / "hot.wav"]) == ["voice.reason.clipped"]


def test_different_people_in_the_samples_are_refused(
    voice_samples: dict[str, Path], tmp_path: Path, media: Any
) -> None:
    other = media.espeak_wav(tmp_path / "other.wav", media.training_it + " " + media.training_it, "it+m7", 20)
    keys = _reasons([voice_samples["ogg"], voice_samples["mp3"], other])
    assert keys == ["voice.reason.different_speakers"]


def test_not_audio_and_video_without_sound_raise_audio_input_errors(tmp_path: Path, media: Any) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("not audio at all\n" * 50)
    with pytest.raises(AudioInputError) as unreadable:
        analyse_samples([text])
    assert unreadable.value.reason == "voice.reason.unreadable"
    silent_video = tmp_path / "silent.mp4"
    subprocess.run(
        [media.ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=64x64:d=2",
         "-pix_fmt", "yuv420p", str(silent_video)],
        check=True,
    )  # fmt: skip
    with pytest.raises(AudioInputError) as no_audio:
        analyse_samples([silent_video])
    assert no_audio.value.reason == "voice.reason.no_audio"


def test_cli_profile_writes_json_and_bad_input_exits_2_with_one_line(
    voice_samples: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "profile.json"
    assert main(["voice", "profile", *(str(voice_samples[k]) for k in ("ogg", "mp3", "m4a", "webm")),
                 "-o", str(out)]) == 0  # fmt: skip
    assert VoiceProfile.from_dict(__import__("json").loads(out.read_text())).stats.f0_median_hz > 180
    capsys.readouterr()
    assert (
        main(
            ["voice", "profile", str(voice_samples["ogg"]), "-o", str(tmp_path / "x.json"), "--ui-lang", "it"]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "servono almeno 60 s" in err
    write_wav(tmp_path / "quiet.wav", np.zeros(ANALYSIS_RATE * 5, np.float32), ANALYSIS_RATE)
    assert main(["voice", "profile", str(tmp_path / "quiet.wav"), "-o", str(tmp_path / "y.json")]) == 2
    assert "silent" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "y.json").exists()
