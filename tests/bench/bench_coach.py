"""AI coach bench: reply latency and throughput through the real pipeline, concurrent chats one
worker holds, and speech-to-text word error rate on spoken it/en questions.

The pipeline: uvicorn (the API) + one Celery worker on the `coach` queue with a thread pool of
100, a fresh PostgreSQL database and a claimed Redis db (pub/sub), as in production. A client
opens the conversation's SSE stream, posts a question and times the first `token` event and
`done`. Printed, each with a bare baseline from the same run and the ratio:

- first-token latency and tokens/s through SSE, offline assistant (bare: the answerer called
  in-process) and OpenAI stand-in (a local server speaking the chat.completions SSE format, one
  token every 20 ms; bare: the official SDK reading the stand-in directly);
- concurrent chats: 100 questions at once against the stand-in, each answered with a realistic
  reply (--reply-words 300 tokens, --token-delay 0.03 s: ~33 tokens/s, about 9 s per reply, as
  hosted chat models stream); how many finished, how many replies the one worker was streaming
  from the provider at once (counted by the stand-in), the most being received by clients at the
  same moment, and the wall time vs one chat alone (bare);
- STT WER of the bundled Whisper on espeak-ng questions (5 it, 5 en), the coach's way (the
  UI language as a hint) vs bare (language detection).

    uv run python tests/bench/bench_coach.py [--chats 100] [--runs 8]
Timings depend on what else the machine runs (several engineers share two cores): noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # `tests` is the repository's (ops_support imports tests.prodlocal)
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "backend" / "tests" / "support"))  # the LLM stand-in of the tests

import httpx  # noqa: E402
from bench_hot_paths import BACKEND, free_port, services, stop_process, wait_for  # noqa: E402
from llm_standin import llm_stand_in  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

EMAIL, PASSWORD = "bench-learner@example.com", "Kata-2024-heian-tsuki"
TOKEN_DELAY_S = 0.02
QUESTIONS = {
    "en": ["How do I keep my balance in the front kick?", "How deep should my squat be?",
           "What is the best stance for a beginner?", "How often should I train each week?",
           "How do I block a straight punch?"],
    "it": ["Come mantengo l'equilibrio nel calcio frontale?", "Quanto deve essere profondo lo squat?",
           "Qual è la posizione migliore per un principiante?", "Quante volte devo allenarmi ogni settimana?",
           "Come paro un pugno diretto?"],
}  # fmt: skip


ACCEPTED: list[str] = []  # questions the API took (202) in the current concurrent run


@dataclass
class Chat:
    posted: float
    first: float | None = None
    done: float | None = None
    tokens: int = 0
    chars: int = 0


@contextmanager
def platform(env: dict[str, str], extra: dict[str, str]) -> Iterator[str]:
    """The API and a coach worker (threads, 100) with `extra` settings; yields the base URL."""
    var = Path(env["VAR_DIR"])
    proc_env = {**os.environ, **env, **extra}
    port = free_port()
    api = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"],
        cwd=BACKEND, env={**proc_env, "DB_POOL_SIZE": "20", "DB_MAX_OVERFLOW": "30"},  # 100 chats at once
        stdout=(var / "api.log").open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "app.worker.celery_app:celery_app", "worker", "-Q", "coach",
         "-P", "threads", "-c", "100", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=BACKEND, env={**proc_env, "DB_POOL_SIZE": "10", "DB_MAX_OVERFLOW": "10"},
        stdout=(var / "worker.log").open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(port, api)
        time.sleep(4)  # the worker connects to the broker
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(worker, timeout=20)
        stop_process(api)


async def login(http: httpx.AsyncClient) -> dict[str, str]:
    resp = await http.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def one_chat(http: httpx.AsyncClient, headers: dict[str, str], question: str) -> Chat:
    conversation = (
        await http.post("/api/v1/coach/conversations", json={"language": "en"}, headers=headers)
    ).json()
    url = f"/api/v1/coach/conversations/{conversation['id']}/events"
    ready = asyncio.Event()
    chat = Chat(posted=0.0)

    async def follow() -> None:
        async with http.stream("GET", url, headers=headers, timeout=120) as resp:
            ready.set()
            name = ""
            async for line in resp.aiter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: ") and name == "token":
                    now = time.perf_counter()
                    chat.first = chat.first or now
                    chat.tokens += 1
                    chat.chars += len(json.loads(line[6:])["text"])
                elif line.startswith("data: ") and name == "done":
                    chat.done = time.perf_counter()
                    return

    task = asyncio.create_task(follow())
    await ready.wait()
    chat.posted = time.perf_counter()
    resp = await http.post(
        f"/api/v1/coach/conversations/{conversation['id']}/messages", json={"text": question}, headers=headers
    )
    resp.raise_for_status()
    ACCEPTED.append(resp.json()["message_id"])
    await asyncio.wait_for(task, 120)
    return chat


def words_per_s(chat: Chat, words: int) -> float:
    assert chat.first is not None and chat.done is not None
    return words / max(chat.done - chat.first, 1e-6)


async def measure(base: str, runs: int, reply_words: int | None) -> tuple[float, float]:
    """Median first-token latency (s) and words/s of `runs` chats one after another."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        headers = await login(http)
        await one_chat(http, headers, "warm up: front kick")
        firsts, rates = [], []
        for k in range(runs):
            chat = await one_chat(http, headers, QUESTIONS["en"][k % 5])
            assert chat.first is not None
            firsts.append(chat.first - chat.posted)
            rates.append(words_per_s(chat, reply_words or chat.chars // 6))
    return statistics.median(firsts), statistics.median(rates)


async def concurrent(base: str, chats: int) -> tuple[int, int, float, int]:
    """(finished, most written at once, wall seconds, questions accepted) for `chats` questions
    sent together."""
    ACCEPTED.clear()
    limits = httpx.Limits(max_connections=chats * 2 + 10)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        headers = await login(http)
        started = time.perf_counter()
        results = await asyncio.gather(
            *(one_chat(http, headers, f"question {k}: front kick balance") for k in range(chats)),
            return_exceptions=True,
        )
        wall = time.perf_counter() - started
    done = [r for r in results if isinstance(r, Chat) and r.first and r.done]
    edges = sorted([(c.first, 1) for c in done] + [(c.done, -1) for c in done])  # type: ignore[misc]
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return len(done), most, wall, len(ACCEPTED)


def bare_offline(runs: int) -> tuple[float, float]:
    from video_studio.providers.base import ChatTurn, Passage
    from video_studio.providers.llm_offline import OfflineAnswerer

    passage = Passage(
        "video:x", "video", "Front kick balance", "Keep the hips over the support foot. Chamber high."
    )
    firsts, rates = [], []
    for k in range(runs):
        start = time.perf_counter()
        first, count = None, 0
        stream = OfflineAnswerer().stream(
            system="",
            turns=(ChatTurn("user", QUESTIONS["en"][k % 5]),),
            passages=[passage],
            language="en",
            max_tokens=0,
        )
        for _ in stream:
            first = first or time.perf_counter()
            count += 1
        end = time.perf_counter()
        assert first is not None
        firsts.append(first - start)
        rates.append(count / max(end - first, 1e-6))
    return statistics.median(firsts), statistics.median(rates)


def bare_standin(base: str, runs: int) -> tuple[float, float, int]:
    from video_studio.providers.base import ChatTurn
    from video_studio.providers.factory import make_chat_model

    model = make_chat_model("openai", api_key="sk-bench", base_url=f"{base}/v1", model="stand-in")
    firsts, rates, words = [], [], 0
    for k in range(runs):
        start = time.perf_counter()
        first, words = None, 0
        for chunk in model.stream(system="", turns=(ChatTurn("user", QUESTIONS["en"][k % 5]),), passages=[],
                                  language="en", max_tokens=100):  # fmt: skip
            if chunk.text:
                first = first or time.perf_counter()
                words += 1
        end = time.perf_counter()
        assert first is not None
        firsts.append(first - start)
        rates.append(words / max(end - first, 1e-6))
    return statistics.median(firsts), statistics.median(rates), words


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() or c == "'" else " " for c in text.lower()).split()


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = _words(reference), _words(hypothesis)
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def stt_wer() -> dict[str, tuple[float, float]]:
    from video_studio.providers.audio import speech_wav
    from video_studio.providers.whisper_local import LocalWhisper

    stt = LocalWhisper()
    out: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-coach-stt-") as tmp:
        for lang, sentences in QUESTIONS.items():
            ours, bare = [], []
            for k, sentence in enumerate(sentences):
                raw, wav = Path(tmp) / f"{lang}{k}.raw.wav", Path(tmp) / f"{lang}{k}.wav"
                subprocess.run(["espeak-ng", "-v", lang, "-s", "140", "-w", str(raw), sentence], check=True)
                speech_wav(raw, wav)
                ours.append(wer(sentence, stt.transcribe(wav, language=lang).text))
                bare.append(wer(sentence, stt.transcribe(wav).text))
            out[lang] = (statistics.mean(ours), statistics.mean(bare))
    return out


def ratio(ours: float, bare: float) -> str:
    return f"{ours / bare:.2f}x" if bare else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--reply-words", type=int, default=300, help="tokens per reply (concurrent chats)")
    parser.add_argument("--token-delay", type=float, default=0.03, help="seconds between tokens (concurrent)")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        print("bench_coach: espeak-ng is missing (make system-deps)", file=sys.stderr)
        return 2
    base_env = {"RATE_LIMIT_ENABLED": "false", "SSE_MAX_STREAMS_PER_USER": str(args.chats + 10),
                "COACH_MONTHLY_TOKEN_BUDGET": str(10**12), "CELERY_TASK_ALWAYS_EAGER": "false"}  # fmt: skip
    with services(1) as env, llm_stand_in() as (standin, state):
        env = {**env, **base_env}
        state.delay_s = TOKEN_DELAY_S
        cli_env = {**os.environ, **env}
        subprocess.run([sys.executable, "-m", "app", "migrate"], cwd=BACKEND, env=cli_env, check=True)
        admin = subprocess.run(
            [sys.executable, "-m", "app", "create-admin", "--email", EMAIL, "--password", PASSWORD,
             "--name", "Bench"],
            cwd=BACKEND, env=cli_env, check=False, capture_output=True, text=True,
        )  # fmt: skip
        if admin.returncode:
            raise SystemExit(f"create-admin failed: {admin.stdout}{admin.stderr}")

        with platform(env, {"COACH_PROVIDER": "offline"}) as base:
            off_first, off_rate = asyncio.run(measure(base, args.runs, None))
        bare_off_first, bare_off_rate = bare_offline(args.runs)
        print(
            f"offline  first token {off_first * 1000:7.1f} ms  "
            f"(bare answerer {bare_off_first * 1000:.2f} ms, "
            f"{ratio(off_first, bare_off_first)});  {off_rate:7.1f} words/s (bare {bare_off_rate:.0f}/s)"
        )

        stand_in = {
            "COACH_PROVIDER": "openai",
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": f"{standin}/v1",
        }
        bare_first, bare_rate, words = bare_standin(standin, args.runs)
        with platform(env, stand_in) as base:
            first, rate = asyncio.run(measure(base, args.runs, words))
            state.reply = " ".join(f"word{k}" for k in range(args.reply_words))
            state.delay_s = args.token_delay
            single = asyncio.run(concurrent(base, 1))
            state.most_open_streams = 0
            finished, most, wall, accepted = asyncio.run(concurrent(base, args.chats))
            held = state.most_open_streams
        print(
            f"stand-in first token {first * 1000:7.1f} ms  (bare SDK {bare_first * 1000:.1f} ms, "
            f"{ratio(first, bare_first)});  {rate:6.1f} tokens/s (bare {bare_rate:.1f}/s, "
            f"{ratio(rate, bare_rate)})"
        )
        print(
            f"concurrent chats: {finished}/{args.chats} finished, {accepted} accepted by the API, "
            f"{held} held at once by one worker "
            f"({most} streaming to clients at once), "
            f"{args.reply_words} tokens x {args.token_delay * 1000:.0f} ms, "
            f"wall {wall:.1f} s (one chat alone {single[2]:.1f} s, {ratio(wall, single[2])})"
        )

    for lang, (ours, bare) in stt_wer().items():
        print(
            f"STT WER {lang}: {ours:.3f} with the UI language as hint "
            f"(bare, detected language: {bare:.3f}, {ratio(ours, bare) if bare else 'bare 0'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
