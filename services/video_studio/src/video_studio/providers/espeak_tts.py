"""Offline text-to-speech: espeak-ng (GPL-3.0 program, run as a separate process; Debian package
`espeak-ng`, installed by `make system-deps`). Formant synthesis: robotic but intelligible, every
language we need, no model files. Voices are `<language>[+<variant>]` (`it`, `en-us+f3`)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from typing import Final

from video_studio.providers.audio import read_wav_bytes
from video_studio.providers.base import LanguageSupport, ProviderError, SpeechAudio, Voice

NORMAL_WPM: Final = 175  # espeak-ng's default speaking rate
MIN_WPM: Final = 80
MAX_WPM: Final = 450
_VOICES: Final = {"it": "it", "en": "en-us"}


@dataclass
class EspeakTextToSpeech:
    executable: str = "espeak-ng"
    timeout_s: float = 120.0
    name: str = "espeak-ng"

    def supports(self, language: str) -> LanguageSupport:
        if language in _VOICES:
            return LanguageSupport(True, params={"voice": _VOICES[language]})
        return LanguageSupport(False, "voice.reason.language_unsupported", {"language": language})

    def default_voice(self, language: str) -> Voice:
        return Voice(_VOICES.get(language, language))

    def synthesize(
        self, text: str, *, language: str, voice: Voice | None = None, rate: float = 1.0
    ) -> SpeechAudio:
        program = shutil.which(self.executable)
        if program is None:
            raise ProviderError(
                "espeak-ng is not installed (Debian package espeak-ng)", code="tts_missing", retryable=False
            )
        chosen = voice or self.default_voice(language)
        wpm = max(MIN_WPM, min(MAX_WPM, round(NORMAL_WPM * rate)))
        cmd = [program, "-v", chosen.id, "-s", str(wpm), "--stdout"]
        if chosen.pitch is not None:
            cmd += ["-p", str(max(0, min(99, chosen.pitch)))]
        try:
            done = subprocess.run(
                [*cmd, "--", text], capture_output=True, timeout=self.timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ProviderError("espeak-ng timed out", code="tts_failed") from exc
        if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
            tail = done.stderr.decode("utf-8", "replace").strip()[-300:]
            raise ProviderError(f"espeak-ng failed: {tail}", code="tts_failed", retryable=False)
        samples, sample_rate = read_wav_bytes(done.stdout)
        return SpeechAudio(samples, sample_rate, self.name, chosen.id)
