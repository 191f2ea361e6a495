"""Response parity end to end: a batch result is the message `ChatGoogleGenerativeAI` returns.

The emulator answers the same request the same way online and in a batch, so the message
langchain-google-genai makes of its online answer and the one `ChatGeminiBatch.batch` makes
of the batch result must match (IDs by position, our extra metadata keys aside). Response
kinds the emulator cannot produce yet are skipped with the feature they need; the canned-body
tests in `tests/unit/test_convert_response_parity.py` cover every kind meanwhile.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.exceptions import ModelAPIError
from langchain_core.messages import AIMessage, HumanMessage

from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.parity_support import lcgg_model, our_model
from tests.unit.test_convert_response_parity import comparable

pytestmark = [
    pytest.mark.emulator,
    pytest.mark.filterwarnings("ignore::UserWarning:langchain_google_genai.chat_models"),
]


def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return city


CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "text": ({}, {}, "Tell me about tides."),
    "thoughts": ({"thinking_budget": 64, "include_thoughts": True}, {}, "Why is the sky blue?"),
    "gemini 3 list content": ({"model": "gemini-3-flash-preview"}, {}, "Hello"),
    "max tokens": ({"max_tokens": 2}, {}, "Write a very long story about the sea"),
    "stop sequence": ({"stop": ["about"]}, {}, "Tell me about comets"),
    "forced tool call": ({}, {"tools": [get_weather], "tool_choice": "any"}, "Weather in Oslo?"),
    "json": (
        {"response_mime_type": "application/json"},
        {},
        "Give me JSON",
    ),
}


def _pair(
    server: EmulatorServer, settings: dict[str, Any], call: dict[str, Any], prompt: str
) -> tuple[AIMessage, AIMessage]:
    lcgg = lcgg_model(server, **settings)
    ours = our_model(server, **settings)
    if call.get("tools"):
        lcgg_runnable: Any = lcgg.bind_tools(call["tools"], tool_choice=call.get("tool_choice"))
        our_runnable: Any = ours.bind_tools(call["tools"], tool_choice=call.get("tool_choice"))
    else:
        lcgg_runnable, our_runnable = lcgg, ours
    expected = lcgg_runnable.invoke([HumanMessage(prompt)])
    [actual] = our_runnable.batch([[HumanMessage(prompt)]])
    return actual, expected


@pytest.mark.parametrize(("settings", "call", "prompt"), CASES.values(), ids=list(CASES))
def test_a_batch_result_is_the_message_langchain_google_genai_returns(
    server: EmulatorServer, settings: dict[str, Any], call: dict[str, Any], prompt: str
) -> None:
    actual, expected = _pair(server, settings, call, prompt)
    assert comparable(actual) == comparable(expected)
    assert actual.response_metadata["is_batch"] is True
    assert actual.response_metadata["batch_job"].startswith("batches/")


def test_a_failed_request_is_the_langchain_class_of_its_code(server: EmulatorServer) -> None:
    server.options.fail_keys = frozenset({"1"})
    results = our_model(server).batch(["a", "b"], return_exceptions=True)
    assert isinstance(results[0], AIMessage)
    failure = results[1]
    assert isinstance(failure, RequestFailedError)
    assert isinstance(failure, ModelAPIError)  # the emulator fails requests with 13 INTERNAL
    assert (failure.code, failure.status) == (13, "INTERNAL")


def test_search_grounding_reaches_the_message(server: EmulatorServer) -> None:
    actual, expected = _pair(server, {}, {"tools": [{"google_search": {}}]}, "Who won Euro 2024?")
    assert comparable(actual) == comparable(expected)
    assert actual.response_metadata["grounding_metadata"]["grounding_chunks"]
    assert any(b.get("annotations") for b in actual.content_blocks if b["type"] == "text")


def test_code_execution_reaches_the_message(server: EmulatorServer) -> None:
    actual, expected = _pair(server, {}, {"tools": [{"code_execution": {}}]}, "What is 2 + 2?")
    assert comparable(actual) == comparable(expected)
    assert any(b["type"] == "executable_code" for b in actual.content if isinstance(b, dict))


def test_thought_signatures_on_calls_reach_the_message(server: EmulatorServer) -> None:
    settings = {"thinking_budget": 64}
    call = {"tools": [get_weather], "tool_choice": "any"}
    actual, expected = _pair(server, settings, call, "Weather in Oslo?")
    assert comparable(actual) == comparable(expected)
    signatures = actual.additional_kwargs["__gemini_function_call_thought_signatures__"]
    assert list(signatures) == [actual.tool_calls[0]["id"]]


def test_a_blocked_prompt_is_an_empty_message(server: EmulatorServer) -> None:
    actual, expected = _pair(server, {}, {}, "[[blocked]] something")
    assert comparable(actual) == comparable(expected)
    assert actual.content == ""
    assert actual.response_metadata["prompt_feedback"]["block_reason"]


def test_per_request_codes_map_to_langchain_classes(server: EmulatorServer) -> None:
    from langchain_core.exceptions import ModelInvalidRequestError, ModelRateLimitError

    server.options.fail_keys = {"0": 8, "1": 3}  # RESOURCE_EXHAUSTED, INVALID_ARGUMENT
    results = our_model(server).batch(["a", "b"], return_exceptions=True)
    assert isinstance(results[0], ModelRateLimitError)
    assert isinstance(results[1], ModelInvalidRequestError)


STREAMS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "text": ({}, {}),
    "thoughts": ({"include_thoughts": True, "thinking_budget": 50}, {}),
    "gemini 3 blocks merge": ({"model": "gemini-3-flash-preview"}, {}),
    "tool call": ({}, {"tools": [get_weather], "tool_choice": "any"}),
}


@pytest.mark.parametrize(("settings", "call"), STREAMS.values(), ids=list(STREAMS))
def test_a_stream_adds_up_to_langchain_google_genais(
    server: EmulatorServer, settings: dict[str, Any], call: dict[str, Any]
) -> None:
    totals = []
    for model in (lcgg_model(server, **settings), our_model(server, **settings)):
        runnable: Any = model.bind_tools(call["tools"], tool_choice="any") if call else model
        total: Any = None
        for chunk in runnable.stream("Weather in Oslo, streamed please"):
            total = chunk if total is None else total + chunk
        totals.append(total)
    theirs, ours = totals
    assert ours.content == theirs.content
    assert ours.usage_metadata == theirs.usage_metadata
    assert [(c["name"], c["args"]) for c in ours.tool_calls] == [
        (c["name"], c["args"]) for c in theirs.tool_calls
    ]
    for key in ("finish_reason", "model_name", "safety_ratings", "model_provider"):
        assert ours.response_metadata[key] == theirs.response_metadata[key]
