"""A local stand-in for OpenAI and Anthropic that speaks their real streaming protocols, so the
official SDKs' code paths run end to end:

- OpenAI `POST /v1/chat/completions` with `stream: true`: `data: {chat.completion.chunk}` lines,
  the usage in a last chunk with empty `choices` (stream_options.include_usage), `data: [DONE]`;
  without `stream`: one `chat.completion` object;
- OpenAI `POST /v1/moderations`: a `results[0]` with `flagged` and `categories`;
- Anthropic `POST /v1/messages` with `stream: true`: `event: message_start` (input tokens),
  `content_block_start`, `ping`, `content_block_delta` (text_delta), `content_block_stop`,
  `message_delta` (output tokens), `message_stop`.

The reply is `reply` cut into word tokens, sent `delay_s` apart. `status` other than 200 answers
every request with that status and the vendor's error body. Requests are recorded.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_REPLY = "Keep your guard up and chamber the knee high before the kick [1]. Train it slowly first."


@dataclass
class StandInState:
    reply: str = DEFAULT_REPLY
    delay_s: float = 0.0
    status: int = 200
    input_tokens: int = 120
    flag_word: str = "FLAGME"  # moderation flags any input holding it
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Replies being streamed right now, and the most at once (how many chats a worker holds).
    open_streams: int = 0
    most_open_streams: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def opened(self) -> None:
        with self._lock:
            self.open_streams += 1
            self.most_open_streams = max(self.most_open_streams, self.open_streams)

    def closed(self) -> None:
        with self._lock:
            self.open_streams -= 1

    def tokens(self) -> list[str]:
        return re.findall(r"\S+\s*", self.reply)


def _openai_chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": int(time.time()),
        "model": model, "system_fingerprint": "fp_standin",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    state: StandInState
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

    def _write(self, text: str) -> None:
        self.wfile.write(text.encode())
        self.wfile.flush()

    def _json(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        state = self.state
        state.requests.append(
            {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        )
        anthropic = self.path.endswith("/v1/messages")
        if state.status != 200:
            if anthropic:
                error = {"type": "error", "error": {"type": "api_error", "message": "stand-in failure"}}
            else:
                error = {"error": {"message": "stand-in failure", "type": "server_error", "code": None}}
            self._json(state.status, error)
            return
        if self.path.endswith("/moderations"):
            text = json.dumps(body.get("input"))
            hit = state.flag_word in text
            self._json(200, {
                "id": "modr-standin", "model": body.get("model"),
                "results": [{"flagged": hit, "categories": {"harassment": hit, "violence": False},
                             "category_scores": {"harassment": 0.9 if hit else 0.01, "violence": 0.0}}],
            })  # fmt: skip
            return
        if anthropic or self.path.endswith("/chat/completions"):
            state.opened()
            try:
                self._anthropic(body) if anthropic else self._openai(body)
            finally:
                state.closed()
        else:
            self._json(404, {"error": {"message": "unknown path", "type": "invalid_request_error"}})

    def _openai(self, body: dict[str, Any]) -> None:
        model, tokens = str(body["model"]), self.state.tokens()
        if not body.get("stream"):  # a plain chat.completion object (e.g. the translator)
            usage = {"prompt_tokens": self.state.input_tokens, "completion_tokens": len(tokens),
                     "total_tokens": self.state.input_tokens + len(tokens)}  # fmt: skip
            self._json(200, {
                "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                             "message": {"role": "assistant", "content": self.state.reply}}],
                "usage": usage,
            })  # fmt: skip
            return
        self._sse()
        self._write(
            f"data: {json.dumps(_openai_chunk(model, {'role': 'assistant', 'content': ''}, None))}\n\n"
        )
        for token in tokens:
            time.sleep(self.state.delay_s)
            self._write(f"data: {json.dumps(_openai_chunk(model, {'content': token}, None))}\n\n")
        self._write(f"data: {json.dumps(_openai_chunk(model, {}, 'stop'))}\n\n")
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": self.state.input_tokens, "completion_tokens": len(tokens),
                     "total_tokens": self.state.input_tokens + len(tokens)}  # fmt: skip
            last = {**_openai_chunk(model, {}, None), "choices": [], "usage": usage}
            self._write(f"data: {json.dumps(last)}\n\n")
        self._write("data: [DONE]\n\n")

    def _event(self, name: str, data: dict[str, Any]) -> None:
        self._write(f"event: {name}\ndata: {json.dumps(data)}\n\n")

    def _anthropic(self, body: dict[str, Any]) -> None:
        tokens = self.state.tokens()
        self._sse()
        self._event("message_start", {"type": "message_start", "message": {
            "id": "msg_standin", "type": "message", "role": "assistant", "content": [],
            "model": body["model"], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": self.state.input_tokens, "output_tokens": 1}}})  # fmt: skip
        self._event("content_block_start", {"type": "content_block_start", "index": 0,
                                            "content_block": {"type": "text", "text": ""}})  # fmt: skip
        self._event("ping", {"type": "ping"})
        for token in tokens:
            time.sleep(self.state.delay_s)
            self._event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                "delta": {"type": "text_delta", "text": token}})  # fmt: skip
        self._event("content_block_stop", {"type": "content_block_stop", "index": 0})
        self._event("message_delta", {"type": "message_delta",
                                      "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                      "usage": {"output_tokens": len(tokens)}})  # fmt: skip
        self._event("message_stop", {"type": "message_stop"})


@contextmanager
def llm_stand_in() -> Iterator[tuple[str, StandInState]]:
    """(base URL without /v1, state). OpenAI's SDK wants `{base}/v1`, Anthropic's `{base}`."""
    state = StandInState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
