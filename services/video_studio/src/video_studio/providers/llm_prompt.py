"""What an LLM reads besides the conversation: the system rules and the retrieved passages,
numbered so that the reply can cite them as [1], [2] ... (the same numbers the client shows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from video_studio.providers.base import Passage


@dataclass
class VendorChatConfig:
    """What every hosted chat model is built from (OpenAIChat, AnthropicChat)."""

    api_key: str
    base_url: str | None = None
    model_name: str = ""
    timeout_s: float = 60.0
    max_retries: int = 2

    @property
    def model(self) -> str:
        return self.model_name


MAX_PASSAGE_CHARS: Final = 1200
NO_PASSAGE: Final = (
    "No passage from the platform matched this question; say so if you rely on general knowledge."
)


def grounded_system(system: str, passages: Sequence[Passage]) -> str:
    """`system` followed by the passages (or a note that none matched)."""
    if not passages:
        return f"{system}\n\n{NO_PASSAGE}"
    lines = [system, "", "Passages from the platform (cite them as [n] where you use them):"]
    for number, passage in enumerate(passages, start=1):
        moment = f" at {passage.start_s:.0f}s" if passage.start_s is not None else ""
        lines.append(
            f"[{number}] ({passage.kind}{moment}) {passage.title}: {passage.text[:MAX_PASSAGE_CHARS]}"
        )
    return "\n".join(lines)
