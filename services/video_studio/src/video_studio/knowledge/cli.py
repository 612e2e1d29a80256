"""`python -m video_studio knowledge <video|pdf|image> -o out.json [--vtt out.vtt]`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from video_studio.errors import InvalidInputError
from video_studio.knowledge.extractor import Options, captions, extract
from video_studio.knowledge.language import TEXT_LANGUAGES
from video_studio.knowledge.text import chapter_title, label_name
from video_studio.providers.base import ProviderError
from video_studio.providers.factory import STT_PROVIDERS, make_speech_to_text
from video_studio.skeleton.doc import load_doc

EXIT_SERVICE_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="a video, a PDF or a picture")
    parser.add_argument("-o", "--output", required=True, help="KnowledgeDoc JSON to write")
    parser.add_argument("--vtt", help="also write the transcript as WebVTT captions here")
    parser.add_argument("--skeleton", help="the video's skeleton JSON (python -m video_studio skeleton)")
    parser.add_argument("--stt", choices=STT_PROVIDERS, default="offline", help="speech-to-text provider")
    parser.add_argument("--openai-base-url", default=None, help="OpenAI-compatible base URL (--stt openai)")
    parser.add_argument("--openai-model", default=None, help="transcription model (--stt openai)")
    parser.add_argument(
        "--languages", default=",".join(TEXT_LANGUAGES), help="languages to expect, comma-separated (it,en)"
    )
    parser.add_argument("--no-ocr", action="store_true", help="skip reading on-screen text")
    parser.add_argument("--no-speech", action="store_true", help="skip speech-to-text")
    parser.add_argument(
        "--no-prompt", action="store_true", help="do not prompt the recogniser with glossary terms"
    )
    parser.add_argument("--lang", default="en", help="language of the summary printed (it or en)")


def run(args: argparse.Namespace) -> int:
    languages = tuple(code.strip() for code in args.languages.split(",") if code.strip())
    unknown = [code for code in languages if code not in TEXT_LANGUAGES]
    if not languages or unknown:
        raise InvalidInputError(f"--languages: choose among {', '.join(TEXT_LANGUAGES)}")
    skeleton = load_doc(args.skeleton, "skeleton") if args.skeleton else None
    if args.stt == "openai" and not os.environ.get("OPENAI_API_KEY"):
        raise InvalidInputError("--stt openai needs OPENAI_API_KEY in the environment")
    stt = None
    if not args.no_speech:
        stt = make_speech_to_text(
            args.stt,
            api_key=os.environ.get("OPENAI_API_KEY"),
            base_url=args.openai_base_url,
            model=args.openai_model,
        )
    options = Options(transcribe=not args.no_speech, glossary_prompt=not args.no_prompt, ocr=not args.no_ocr)
    try:
        doc = extract(Path(args.input), skeleton=skeleton, stt=stt, languages=languages, options=options)
    except ProviderError as exc:
        print(f"video_studio knowledge: speech service failed ({exc.code}): {exc}", file=sys.stderr)
        return EXIT_SERVICE_FAILED
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.vtt:
        vtt = captions(doc)
        Path(args.vtt).write_text(vtt if vtt is not None else "WEBVTT\n", encoding="utf-8")
    shown = [lab for lab in doc["labels"] if lab["confidence"] >= doc["threshold"]]
    speech = doc["speech"]
    print(
        f"{args.output}: {doc['kind']}, language {doc['language'] or '-'}, "
        f"{len(speech['segments']) if speech else 0} speech segments, {len(doc['texts'])} texts, "
        f"{len(doc['chapters'])} chapters"
    )
    for label in shown:
        print(f"  {label['confidence']:.2f}  {label_name(label['kind'], label['value'], args.lang)}")
    for chapter in doc["chapters"]:
        print(f"  [{chapter['start']:7.2f} - {chapter['end']:7.2f}] {chapter_title(chapter, args.lang)}")
    return 0
