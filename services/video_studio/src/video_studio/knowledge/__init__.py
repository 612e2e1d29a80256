"""Knowledge extraction: transcript, on-screen and document text, languages, technique labels
with confidence and evidence, chapters; plus the glossary and the translation memory.

`extract(path, ...) -> KnowledgeDoc` is the entry point (docs/KNOWLEDGE.md describes the
document). The glossary, the translation memory and the language detector are importable on
their own (rapidfuzz / lingua only) for the backend's review and search code: the extraction
names below load on first use, so importing `video_studio.knowledge.glossary` in the API does not
pull in OpenCV or PyAV (the API image leaves them out).
"""

from typing import TYPE_CHECKING, Any

from video_studio.knowledge.doc import DEFAULT_THRESHOLD, FORMAT_VERSION, KnowledgeDoc

if TYPE_CHECKING:
    from video_studio.knowledge.extractor import NothingFoundError, Options, captions, extract

_LAZY = frozenset({"NothingFoundError", "Options", "captions", "extract"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from video_studio.knowledge import extractor  # sets the names on this package (_export)

        return getattr(extractor, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMAT_VERSION",
    "KnowledgeDoc",
    "NothingFoundError",
    "Options",
    "captions",
    "extract",
]
