"""Validate before paying, and token counts from Google's `countTokens`."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.exceptions import ModelInvalidRequestError
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_gemini_batch import GoogleLMInvoker, InvalidRequestError
from langchain_gemini_batch.testing.emulator import EmulatorServer, count_tokens
from tests.integration.parity_support import lcgg_model, our_model

pytestmark = [
    pytest.mark.emulator,
    pytest.mark.filterwarnings("ignore:HumanMessage with empty content"),
]


async def test_one_invalid_input_fails_the_call_before_any_job(server: EmulatorServer) -> None:
    inputs: list[Any] = [f"question {i}" for i in range(99)] + [""]
    with pytest.raises(InvalidRequestError, match="request '99'") as caught:
        await our_model(server).abatch(inputs)
    assert isinstance(caught.value, ModelInvalidRequestError)
    assert server.count("batchGenerateContent") == 0  # nothing was paid for


async def test_with_return_exceptions_only_the_invalid_input_fails(
    server: EmulatorServer,
) -> None:
    inputs: list[Any] = [f"question {i}" for i in range(99)] + [""]
    results = await our_model(server).abatch(inputs, return_exceptions=True)
    assert all(not isinstance(r, Exception) for r in results[:99])
    assert isinstance(results[99], InvalidRequestError)
    [create] = [r for r in server.requests if r.action == "batchGenerateContent"]
    assert len(create.body["batch"]["inputConfig"]["requests"]["requests"]) == 99


def test_sync_batch_validates_first_too(server: EmulatorServer) -> None:
    with pytest.raises(InvalidRequestError):
        our_model(server).batch(["fine", [HumanMessage(content=[{"type": "hologram"}])]])
    assert server.count("batchGenerateContent") == 0


@pytest.mark.parametrize(
    "requests",
    [["hi", "yo"], "hi", [("a", "x"), "yo"], 42, [("a", "x", "extra")]],
    ids=["list of strings", "a string", "a stray string", "a number", "a triple"],
)
async def test_requests_that_are_not_pairs_are_refused_before_sending(
    server: EmulatorServer, requests: Any
) -> None:
    invoker = GoogleLMInvoker("gemini-2.5-flash", "k", base_url=server.base_url)
    with pytest.raises(InvalidRequestError, match=r"pair|mapping"):
        await invoker.batch.invoke(requests)
    with pytest.raises(InvalidRequestError, match=r"pair|mapping"):
        await invoker.batch.create(requests)
    assert server.requests == []


async def test_pairs_and_mappings_still_work(server: EmulatorServer) -> None:
    invoker = GoogleLMInvoker("gemini-2.5-flash", "k", base_url=server.base_url)
    pairs_in: Any = [("a", "x"), ["b", "y"]]  # lists of two, as JSON gives them, are pairs too
    pairs = await invoker.batch.invoke(pairs_in, status_check_interval=0)
    mapping = await invoker.batch.invoke({"c": "z"}, status_check_interval=0)
    assert {k: getattr(v, "text", v) for k, v in pairs.items()} == {"a": "Echo: x", "b": "Echo: y"}
    assert getattr(mapping["c"], "text", None) == "Echo: z"


def test_get_num_tokens_is_googles_count(server: EmulatorServer) -> None:
    text = "How many tokens are in this sentence?"
    ours = our_model(server).get_num_tokens(text)
    assert ours == count_tokens(text)  # the emulator's documented rule
    [call] = [r for r in server.requests if r.action == "countTokens"]
    lcgg = lcgg_model(server).get_num_tokens(text)
    [their_call] = [r for r in server.requests if r.action == "countTokens"][1:]
    assert ours == lcgg
    assert call.body == their_call.body  # the same request langchain-google-genai sends


async def test_get_num_tokens_from_messages_counts_the_whole_request(
    server: EmulatorServer,
) -> None:
    messages = [SystemMessage("Be brief."), HumanMessage("What is the capital of France?")]
    model = our_model(server)
    total = await model.aget_num_tokens_from_messages(messages)
    assert total == count_tokens("Be brief." + "What is the capital of France?")
    assert model.get_num_tokens_from_messages(messages) == total
    [call, _] = [r for r in server.requests if r.action == "countTokens"]
    request = call.body["generateContentRequest"]
    assert request["model"] == "models/gemini-2.5-flash"
    assert request["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert server.count("generateContent") == 0


async def test_an_input_that_is_not_a_chat_input_is_an_invalid_request(
    server: EmulatorServer,
) -> None:
    bad: Any = 42
    with pytest.raises(InvalidRequestError, match="request '1': not a chat model input"):
        await our_model(server).abatch(["fine", bad])
    results = await our_model(server).abatch(["fine", bad], return_exceptions=True)
    assert isinstance(results[1], InvalidRequestError)
    assert not isinstance(results[0], Exception)
    assert server.count("batchGenerateContent") == 1
