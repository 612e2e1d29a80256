"""Anthropic messages, streamed, through the official `anthropic` SDK.

The raw event stream (`message_start` carries the input tokens, `content_block_delta` the text,
`message_delta` the output tokens). The base URL is configurable (the tests' local stand-in
speaks the same SSE event format).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from video_studio.providers.base import ChatChunk, ChatTurn, Passage, ProviderError
from video_studio.providers.llm_prompt import VendorChatConfig, grounded_system

DEFAULT_CHAT_MODEL: Final = "claude-3-5-haiku-latest"


@dataclass
class AnthropicChat(VendorChatConfig):
    model_name: str = DEFAULT_CHAT_MODEL
    name: str = "anthropic"

    def _client(self) -> Any:
        import anthropic

        return anthropic.Anthropic(
            api_key=self.api_key, base_url=self.base_url, timeout=self.timeout_s, max_retries=self.max_retries
        )

    def stream(
        self,
        *,
        system: str,
        turns: Sequence[ChatTurn],
        passages: Sequence[Passage],
        language: str,
        max_tokens: int,
    ) -> Iterator[ChatChunk]:
        import anthropic

        input_tokens = output_tokens = 0
        try:
            events = self._client().messages.create(
                model=self.model_name,
                system=grounded_system(system, passages),
                messages=[{"role": t.role, "content": t.content} for t in turns],
                max_tokens=max_tokens,
                stream=True,
            )
            with events:
                for event in events:
                    if event.type == "message_start":
                        input_tokens = event.message.usage.input_tokens
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        yield ChatChunk(event.delta.text)
                    elif event.type == "message_delta":
                        output_tokens = event.usage.output_tokens
        except anthropic.AuthenticationError as exc:
            raise ProviderError("Anthropic refused the API key", code="auth_failed", retryable=False) from exc
        except anthropic.BadRequestError as exc:
            raise ProviderError(
                f"Anthropic refused the request: {exc.message}", code="bad_request", retryable=False
            ) from exc
        except anthropic.APIError as exc:
            raise ProviderError(
                f"Anthropic chat failed: {exc.__class__.__name__}", code="llm_failed"
            ) from exc
        yield ChatChunk("", input_tokens, output_tokens)
