"""The OpenAI chat translator against a local stand-in of `POST /v1/chat/completions` (JSON in,
a real chat.completion object out), so the official SDK's code path runs end to end; and the
translation memory calling it only for what it cannot answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from video_studio.knowledge.glossary import default_glossary
from video_studio.knowledge.memory import TranslationMemory, translate
from video_studio.providers import ProviderError, make_translator
from video_studio.providers.openai_translate import OpenAITranslator

API_KEY = "sk-test-local-stand-in"


class StandIn:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.answer = "Front kick: raise the knee, then snap the foot forward."


@pytest.fixture
def chat_stand_in() -> Iterator[tuple[str, StandIn]]:
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            if state.status != 200:
                payload = {"error": {"message": "nope", "type": "invalid_request_error", "code": None}}
            else:
                payload = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": state.answer},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                }
            data = json.dumps(payload).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()


def test_the_translator_sends_the_text_and_the_glossary_terms_it_must_keep(
    chat_stand_in: tuple[str, StandIn],
) -> None:
    url, state = chat_stand_in
    translator = make_translator("openai", api_key=API_KEY, base_url=url, model="gpt-4o-mini")
    assert isinstance(translator, OpenAITranslator)
    text = "Calcio frontale: alza il ginocchio, poi distendi il piede."
    out = translator.translate(text, source="it", target="en", glossary={"calcio frontale": "front kick"})
    assert out == state.answer
    [request] = state.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == f"Bearer {API_KEY}"
    system, user = request["body"]["messages"]
    assert user == {"role": "user", "content": text}
    assert "from Italian to English" in system["content"]
    assert "calcio frontale -> front kick" in system["content"]


def test_no_key_means_no_translator() -> None:
    assert make_translator("openai", api_key=None) is None


def test_a_refused_request_is_a_provider_error_that_is_not_retried(
    chat_stand_in: tuple[str, StandIn],
) -> None:
    url, state = chat_stand_in
    state.status = 400
    translator = OpenAITranslator(api_key=API_KEY, base_url=url, max_retries=0)
    with pytest.raises(ProviderError) as err:
        translator.translate("rei", source="ja", target="en", glossary={})
    assert err.value.code == "bad_request" and not err.value.retryable


def test_the_memory_answers_first_and_the_llm_only_for_what_it_cannot(
    chat_stand_in: tuple[str, StandIn],
) -> None:
    url, state = chat_stand_in
    translator = OpenAITranslator(api_key=API_KEY, base_url=url)
    memory = TranslationMemory(glossary=default_glossary())
    hit = translate("calcio frontale", source="it", target="en", memory=memory, translator=translator)
    assert (hit.text, hit.origin) == ("front kick", "tm") and state.requests == []
    machine = translate(
        "Calcio frontale: alza il ginocchio, poi distendi il piede.",
        source="it",
        target="en",
        memory=memory,
        translator=translator,
    )
    assert (machine.text, machine.origin) == (state.answer, "machine") and len(state.requests) == 1
