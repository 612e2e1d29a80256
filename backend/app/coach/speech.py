"""Spoken replies. `synthesize` is the one place a reply becomes speech: espeak-ng (offline,
a subprocess in the worker) until the voice domain's TTS provider lands on main, then only this
function is re-pointed to it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Final

from video_studio.i18n import normalize_language
from video_studio.providers.base import ProviderError

VOICES: Final = {"en": "en", "it": "it"}
_CITATION: Final = re.compile(r"\[\d+\]")


def synthesize(text: str, language: str, out: Path, *, timeout_s: float = 60.0) -> Path:
    """`text` spoken in `language` (it/en) as a WAV file at `out`; citations like [1] are not read."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise ProviderError("espeak-ng is not installed", code="tts_missing", retryable=False)
    spoken = _CITATION.sub("", text).strip()
    try:
        subprocess.run(
            [exe, "-v", VOICES[normalize_language(language)], "-s", "160", "-w", str(out), "--stdin"],
            input=spoken.encode(),
            check=True,
            capture_output=True,
            timeout=timeout_s,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise ProviderError(f"espeak-ng failed: {exc}", code="tts_failed") from exc
    return out
