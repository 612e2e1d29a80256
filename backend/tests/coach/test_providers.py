"""The chat providers through the official SDKs against a local stand-in of each vendor's
streaming protocol, the offline answerer and the offline moderation word list."""

from __future__ import annotations

import pytest

from tests.support.llm_standin import DEFAULT_REPLY, llm_stand_in
from video_studio.providers.base import ChatTurn, Passage, ProviderError
from video_studio.providers.factory import make_chat_model, make_moderator
from video_studio.providers.llm_offline import OfflineAnswerer, relevance
from video_studio.providers.moderation_offline import WordListModerator

KICK = Passage(
    ref="video:1", kind="video", title="Mae geri: the front kick",
    text="Chamber the knee high. Push the hips forward and snap the kick back. Keep the guard up.",
    url="/videos/1",
)  # fmt: skip
TURNS = (ChatTurn("user", "How do I chamber my front kick?"),)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_vendor_reply_streams_token_by_token_with_its_usage_and_the_passages_in_the_prompt(
    provider: str,
) -> None:
    with llm_stand_in() as (base, state):
        url = f"{base}/v1" if provider == "openai" else base
        model = make_chat_model(provider, api_key="sk-standin", base_url=url, model="stand-in-model")
        chunks = list(
            model.stream(system="RULES", turns=TURNS, passages=[KICK], language="en", max_tokens=100)
        )
    texts = [c.text for c in chunks if c.text]
    assert len(texts) == len(state.tokens()) > 5  # streamed, not one block
    assert "".join(texts) == DEFAULT_REPLY
    usage = [c for c in chunks if c.output_tokens is not None]
    assert usage and usage[-1].input_tokens == 120 and usage[-1].output_tokens == len(texts)
    request = state.requests[-1]["body"]
    assert request["stream"] is True and request["model"] == "stand-in-model" and request["max_tokens"] == 100
    system = request["messages"][0]["content"] if provider == "openai" else request["system"]
    assert (
        system.startswith("RULES")
        and "[1] (video) Mae geri: the front kick: Chamber the knee high." in system
    )
    assert request["messages"][-1] == {"role": "user", "content": "How do I chamber my front kick?"}
    if provider == "openai":
        assert request["stream_options"] == {"include_usage": True}
        assert state.requests[-1]["headers"]["authorization"] == "Bearer sk-standin"
    else:
        headers = state.requests[-1]["headers"]  # the SDK's release decides which header carries it
        assert "sk-standin" in (
            headers.get("x-api-key"),
            headers.get("authorization", "").removeprefix("Bearer "),
        )


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize(
    ("status", "code", "retryable"), [(401, "auth_failed", False), (500, "llm_failed", True)]
)
def test_a_vendor_failure_is_a_provider_error_saying_whether_to_retry(
    provider: str, status: int, code: str, retryable: bool
) -> None:
    with llm_stand_in() as (base, state):
        state.status = status
        url = f"{base}/v1" if provider == "openai" else base
        model = make_chat_model(provider, api_key="sk-standin", base_url=url)
        model.max_retries = 0
        with pytest.raises(ProviderError) as caught:
            list(model.stream(system="S", turns=TURNS, passages=[], language="en", max_tokens=10))
    assert caught.value.code == code and caught.value.retryable is retryable


def test_openai_moderation_returns_the_flagged_categories() -> None:
    with llm_stand_in() as (base, state):
        moderator = make_moderator(api_key="sk-standin", base_url=f"{base}/v1")
        assert moderator.flagged("how do I block a punch?") == ()
        assert moderator.flagged("FLAGME you") == ("harassment",)
    assert state.requests[-1]["path"] == "/v1/moderations"


def test_without_a_key_moderation_is_the_offline_word_list() -> None:
    assert isinstance(make_moderator(api_key=None), WordListModerator)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("you are a stupid idiot", ("harassment",)),
        ("sei un cretino", ("harassment",)),
        ("f*ck this", ("harassment",)),
        ("I will kill you", ("violence",)),
        ("ti ammazzo", ("violence",)),
        ("How do I escape a rear naked choke?", ()),
        ("Come si esegue un calcio frontale?", ()),
        ("the strike should kill the momentum of the attacker", ()),
    ],
)
def test_the_word_list_catches_insults_and_threats_but_not_techniques(
    text: str, flagged: tuple[str, ...]
) -> None:
    assert WordListModerator().flagged(text) == flagged


def _answer(question: str, passages: list[Passage], language: str) -> list[str]:
    model = OfflineAnswerer()
    turns = (ChatTurn("user", question),)
    return [
        c.text
        for c in model.stream(system="", turns=turns, passages=passages, language=language, max_tokens=0)
    ]


def test_the_offline_answer_says_what_it_is_and_quotes_the_best_sentences_with_citations() -> None:
    pieces = _answer("How high should I chamber the knee?", [KICK], "en")
    text = "".join(pieces)
    assert len(pieces) > 10
    assert text.startswith("I am the platform's offline assistant")
    assert "[1] Mae geri: the front kick: Chamber the knee high." in text
    assert "doctor" not in text  # no pain in the question, no safety note


def test_the_offline_answer_is_in_italian_with_the_safety_note_for_pain() -> None:
    text = "".join(_answer("Ho dolore al ginocchio dopo il calcio", [KICK], "it"))
    assert text.startswith("Sono l'assistente offline")
    assert "medico" in text and "diagnosi" in text


def test_the_offline_answer_says_plainly_when_nothing_matches() -> None:
    text = "".join(_answer("What is the capital of France?", [], "en"))
    assert "found nothing on the platform" in text and "[1]" not in text


def test_relevance_matches_word_forms_in_both_languages() -> None:
    assert relevance("kicking drills", "Front kicks", "") > 0
    assert relevance("calcio", "I calci frontali", "") > 0
    assert relevance("guard", "Front kicks", "") == 0
