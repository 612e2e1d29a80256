"""Knowledge extraction: transcript, on-screen and document text, languages, technique labels
with confidence and evidence, chapters; plus the glossary and the translation memory.

`extract(path, ...) -> KnowledgeDoc` is the entry point (docs/KNOWLEDGE.md describes the
document). The glossary, the translation memory and the language detector are importable on
their own (rapidfuzz / lingua only) for the backend's review and search code.
"""

from video_studio.knowledge.doc import DEFAULT_THRESHOLD, FORMAT_VERSION, KnowledgeDoc
from video_studio.knowledge.extract import NothingFoundError, Options, captions, extract

__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMAT_VERSION",
    "KnowledgeDoc",
    "NothingFoundError",
    "Options",
    "captions",
    "extract",
]
