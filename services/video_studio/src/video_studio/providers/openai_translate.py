"""Machine translation through an OpenAI chat model (`/v1/chat/completions`, official SDK).

Called by the translation memory only for what it could not answer. The glossary's approved
names for the terms in the text are given to the model, which must keep them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from video_studio.providers.base import ProviderError

DEFAULT_MODEL: Final = "gpt-4o-mini"
LANGUAGE_NAMES: Final = {"it": "Italian", "en": "English", "ja": "Japanese (Hepburn romaji)"}


def system_prompt(source: str, target: str, glossary: Mapping[str, str]) -> str:
    src = LANGUAGE_NAMES.get(source, source)
    dst = LANGUAGE_NAMES.get(target, target)
    lines = [
        f"Translate the user's martial-arts text from {src} to {dst}.",
        "Answer with the translation only: no quotes, no notes.",
        "Keep Japanese technique names in romaji as they are written.",
    ]
    if glossary:
        lines.append("Use exactly these approved translations:")
        lines += [f"- {term} -> {approved}" for term, approved in glossary.items()]
    return "\n".join(lines)


@dataclass
class OpenAITranslator:
    api_key: str
    base_url: str | None = None
    model_name: str = DEFAULT_MODEL
    timeout_s: float = 60.0
    max_retries: int = 2
    name: str = "openai"

    def _client(self) -> Any:
        import openai

        return openai.OpenAI(
            api_key=self.api_key, base_url=self.base_url, timeout=self.timeout_s, max_retries=self.max_retries
        )

    def translate(self, text: str, *, source: str, target: str, glossary: Mapping[str, str]) -> str:
        import openai

        try:
            answer = self._client().chat.completions.create(
                model=self.model_name,
                temperature=0,
                messages=[
                    {"role": "system", "content": system_prompt(source, target, glossary)},
                    {"role": "user", "content": text},
                ],
            )
        except openai.AuthenticationError as exc:
            raise ProviderError(
                "the translation service refused the API key", code="auth_failed", retryable=False
            ) from exc
        except openai.BadRequestError as exc:
            raise ProviderError(
                f"the translation service refused the request: {exc}", code="bad_request", retryable=False
            ) from exc
        except openai.OpenAIError as exc:
            raise ProviderError(f"the translation service failed: {exc}", code="translate_failed") from exc
        content = answer.choices[0].message.content if answer.choices else None
        if not content or not content.strip():
            raise ProviderError("the translation service answered nothing", code="translate_failed")
        return str(content).strip()
