"""`python -m video_studio voice profile|dub|redo`.

    voice profile SAMPLES... -o profile.json [--lang it]
    voice dub VIDEO --transcript doc.json --lang it --profile profile.json -o outdir/ [--master master.m3u8]
    voice redo OUTDIR --segment N [--text "..."]

Bad input (silence, music only, too short, unreadable, no audio, a bad transcript) exits 2 with
one line on stderr, in the language of `--ui-lang` (it or en).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from video_studio.errors import InvalidInputError
from video_studio.i18n import LANGUAGES, studio_catalogue
from video_studio.providers.base import ProviderError, SpeechToText, TextToSpeech, Voice
from video_studio.providers.factory import (
    STT_PROVIDERS,
    TTS_PROVIDERS,
    make_speech_to_text,
    make_text_to_speech,
)
from video_studio.voice.audio import AudioInputError

EXIT_SERVICE_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="voice_command", required=True)
    profile = sub.add_parser("profile", help="check voice samples and write a voice profile")
    profile.add_argument("samples", nargs="+", help="1-5 minutes of speech in all (wav, ogg, webm, m4a, mp3)")
    profile.add_argument("-o", "--output", required=True, help="profile JSON to write")
    _common(profile)
    dub = sub.add_parser("dub", help="dub a video into another language")
    dub.add_argument("video")
    dub.add_argument("--transcript", required=True, help="KnowledgeDoc JSON or a script {language, segments}")
    dub.add_argument("--lang", required=True, help="target language (it, en)")
    dub.add_argument(
        "--profile", action="append", default=[], help="voice profile JSON (repeat for more speakers)"
    )
    dub.add_argument("-o", "--output", required=True, help="folder for the dub's files")
    dub.add_argument("--master", help="an HLS master playlist to add the dub to as an audio rendition")
    dub.add_argument("--no-diarise", action="store_true", help="one speaker: skip speaker clustering")
    _providers(dub)
    _common(dub)
    redo = sub.add_parser("redo", help="re-synthesize one segment of a dub and re-mix")
    redo.add_argument("dub_dir")
    redo.add_argument("--segment", type=int, required=True)
    redo.add_argument("--text", help="the corrected text to speak")
    _providers(redo)
    _common(redo)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ui-lang", default="en", choices=LANGUAGES, help="language of messages")


def _providers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tts", choices=TTS_PROVIDERS, default="offline", help="text-to-speech provider")
    parser.add_argument("--voice", help="the provider's voice id (a cloned ElevenLabs voice: no conversion)")
    parser.add_argument("--tts-base-url", help="OpenAI-compatible or ElevenLabs-compatible base URL")
    parser.add_argument(
        "--stt", choices=(*STT_PROVIDERS, "none"), default="offline", help="for the quality check"
    )
    parser.add_argument("--openai-base-url", help="OpenAI-compatible base URL for --stt openai")


def _build(args: argparse.Namespace) -> tuple[TextToSpeech, SpeechToText | None]:
    keys = {"openai": "OPENAI_API_KEY", "elevenlabs": "ELEVENLABS_API_KEY"}
    for kind, provider in (("--tts", args.tts), ("--stt", args.stt)):
        if provider in keys and not os.environ.get(keys[provider]):
            raise InvalidInputError(f"{kind} {provider} needs {keys[provider]} in the environment")
    tts = make_text_to_speech(
        args.tts, api_key=os.environ.get(keys.get(args.tts, "")), base_url=args.tts_base_url, voice=args.voice
    )
    stt = None
    if args.stt != "none":
        stt = make_speech_to_text(
            args.stt, api_key=os.environ.get("OPENAI_API_KEY"), base_url=args.openai_base_url
        )
    return tts, stt


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{what} {path}: not a readable JSON file") from exc


def run(args: argparse.Namespace) -> int:
    catalogue = studio_catalogue()
    try:
        if args.voice_command == "profile":
            return _profile(args)
        if args.voice_command == "dub":
            return _dub(args)
        return _redo(args)
    except AudioInputError as exc:
        raise InvalidInputError(catalogue.text(exc.reason, args.ui_lang, **exc.params)) from exc
    except ProviderError as exc:
        print(f"video_studio voice: {exc} ({exc.code})", file=sys.stderr)
        return EXIT_SERVICE_FAILED


def _profile(args: argparse.Namespace) -> int:
    from video_studio.voice.profile import analyse_samples

    paths = [Path(p) for p in args.samples]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise InvalidInputError(f"no such file: {missing[0]}")
    analysis = analyse_samples(paths)
    catalogue = studio_catalogue()
    if analysis.profile is None:
        reason = analysis.reasons[0]
        raise InvalidInputError(catalogue.text(reason.key, args.ui_lang, **reason.params))
    data = {**analysis.profile.to_dict(), "samples": [s.to_dict() for s in analysis.samples]}
    Path(args.output).write_text(json.dumps(data, indent=1), encoding="utf-8")
    stats = analysis.profile.stats
    print(catalogue.text("voice.report.profile_ok", args.ui_lang, seconds=round(analysis.profile.speech_s),
                         f0_min=round(stats.f0_min_hz), f0_max=round(stats.f0_max_hz)))  # fmt: skip
    return 0


def _summary(doc: dict[str, Any], lang: str) -> str:
    q = doc["quality"]
    return studio_catalogue().text(
        "voice.report.dub_done", lang, segments=q["segments"], flagged=q["flagged"], lufs=q["loudness_lufs"]
    )


def _dub(args: argparse.Namespace) -> int:
    from video_studio.voice.dub import dub, load_script
    from video_studio.voice.profile import VoiceProfile

    video = Path(args.video)
    if not video.is_file():
        raise InvalidInputError(f"no such file: {video.name}")
    script = load_script(_read_json(args.transcript, "transcript"))
    profiles = []
    for path in args.profile:
        try:
            profiles.append(VoiceProfile.from_dict(_read_json(path, "profile")))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"profile {path}: {exc}") from exc
    tts, stt = _build(args)
    cloned = args.tts == "elevenlabs" and bool(args.voice)
    doc = dub(
        video, script, Path(args.output), language=args.lang, tts=tts, profiles=profiles, stt=stt,
        convert_voice=not cloned, diarisation=not args.no_diarise,
        master=Path(args.master) if args.master else None,
    )  # fmt: skip
    print(_summary(doc, args.ui_lang))
    return 0


def _redo(args: argparse.Namespace) -> int:
    from video_studio.voice.dub import resynthesize_segment

    folder = Path(args.dub_dir)
    if not (folder / "dub.json").is_file():
        raise InvalidInputError(f"{folder}: not a dub folder (no dub.json)")
    tts, stt = _build(args)
    voice = Voice(args.voice) if args.voice else None
    doc = resynthesize_segment(folder, args.segment, tts=tts, stt=stt, text=args.text, voice=voice)
    print(_summary(doc, args.ui_lang))
    return 0
