"""OpenAI chat completions, streamed, and OpenAI moderation, through the official `openai` SDK.

`stream_options.include_usage` makes the last chunk carry the token usage (billed against the
student's monthly budget). The base URL is configurable (an OpenAI-compatible server, or the
tests' local stand-in speaking the same SSE chunk format).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from video_studio.providers.base import ChatChunk, ChatTurn, Passage, ProviderError
from video_studio.providers.llm_prompt import VendorChatConfig, grounded_system

DEFAULT_CHAT_MODEL: Final = "gpt-4o-mini"
DEFAULT_MODERATION_MODEL: Final = "omni-moderation-latest"


def _client(api_key: str, base_url: str | None, timeout_s: float, max_retries: int) -> Any:
    import openai

    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries)


def _failure(exc: Exception, what: str) -> ProviderError:
    import openai

    if isinstance(exc, openai.AuthenticationError):
        return ProviderError("OpenAI refused the API key", code="auth_failed", retryable=False)
    if isinstance(exc, openai.BadRequestError):
        return ProviderError(
            f"OpenAI refused the request: {exc.message}", code="bad_request", retryable=False
        )
    return ProviderError(f"OpenAI {what} failed: {exc.__class__.__name__}", code="llm_failed")


@dataclass
class OpenAIChat(VendorChatConfig):
    model_name: str = DEFAULT_CHAT_MODEL
    name: str = "openai"

    def stream(
        self,
        *,
        system: str,
        turns: Sequence[ChatTurn],
        passages: Sequence[Passage],
        language: str,
        max_tokens: int,
    ) -> Iterator[ChatChunk]:
        import openai

        messages: list[dict[str, str]] = [{"role": "system", "content": grounded_system(system, passages)}]
        messages += [{"role": t.role, "content": t.content} for t in turns]
        try:
            response = _client(
                self.api_key, self.base_url, self.timeout_s, self.max_retries
            ).chat.completions.create(
                model=self.model_name,
                messages=messages,
                max_tokens=max_tokens,
                stream=True,
                stream_options={"include_usage": True},
            )
            with response:
                for chunk in response:
                    text = ""
                    if chunk.choices:
                        text = chunk.choices[0].delta.content or ""
                    usage = chunk.usage
                    if usage is not None:
                        yield ChatChunk(text, usage.prompt_tokens, usage.completion_tokens)
                    elif text:
                        yield ChatChunk(text)
        except openai.APIError as exc:
            raise _failure(exc, "chat") from exc


@dataclass
class OpenAIModeration:
    api_key: str
    base_url: str | None = None
    model_name: str = DEFAULT_MODERATION_MODEL
    timeout_s: float = 15.0
    max_retries: int = 2
    name: str = "openai"

    def flagged(self, text: str) -> tuple[str, ...]:
        import openai

        try:
            result = (
                _client(self.api_key, self.base_url, self.timeout_s, self.max_retries)
                .moderations.create(model=self.model_name, input=text)
                .results[0]
            )
        except openai.APIError as exc:
            raise _failure(exc, "moderation") from exc
        if not result.flagged:
            return ()
        categories = result.categories.model_dump(by_alias=True)
        return tuple(sorted(name for name, hit in categories.items() if hit)) or ("flagged",)
