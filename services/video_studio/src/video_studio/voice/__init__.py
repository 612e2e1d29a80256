"""Voice profiles, voice conversion and dubbing (issue 15): pure compute, plain JSON in and out.

    analyse_samples([Path]) -> ProfileAnalysis       checks (speech, music, SNR, clipping, length),
                                                    speaker embedding, F0 range, spectral envelope
    convert(samples, rate, VoiceStats, stretch=)    WORLD F0 mapping + envelope warping + stretch
    load_script(json) / dub(video, script, out_dir, language=, tts=, profiles=, stt=) -> DubDoc
    resynthesize_segment(out_dir, id, tts=, text=)  one segment again, re-mixed
    publish(out_dir, master)                        HLS audio rendition in an existing master
    diarise(audio, spans) / cast(...)               speakers and their voices
    assess_segment(...)                             similarity, WER, timing, loudness, clipping

Entry points and formats: docs/VOICE.md. The CLI is `python -m video_studio voice ...`.
Heavy modules (torch, pyworld, webrtcvad) load when first used, not on import of this package.
"""

from video_studio.voice.audio import ANALYSIS_RATE, WORLD_RATE, AudioInputError, decode, write_wav
from video_studio.voice.convert import ConversionPlan, calibrate, convert
from video_studio.voice.dub import Script, ScriptSegment, dub, load_script, publish, resynthesize_segment
from video_studio.voice.profile import ProfileAnalysis, VoiceProfile, analyse_samples
from video_studio.voice.quality import TARGET_LUFS, SegmentQuality, assess_segment
from video_studio.voice.speakers import Casting, cast, diarise
from video_studio.voice.stats import VoiceStats

__all__ = [
    "ANALYSIS_RATE",
    "TARGET_LUFS",
    "WORLD_RATE",
    "AudioInputError",
    "Casting",
    "ConversionPlan",
    "ProfileAnalysis",
    "Script",
    "ScriptSegment",
    "SegmentQuality",
    "VoiceProfile",
    "VoiceStats",
    "analyse_samples",
    "assess_segment",
    "calibrate",
    "cast",
    "convert",
    "decode",
    "diarise",
    "dub",
    "load_script",
    "publish",
    "resynthesize_segment",
    "write_wav",
]
