"""Settings parity: the same keyword arguments put the same request on the wire.

Each case builds `ChatGoogleGenerativeAI` (langchain-google-genai 4.4.3) and `ChatGeminiBatch`
from the same constructor arguments, binds the same call options, sends one input through
each against the emulator, and compares what reached it: langchain-google-genai's online body
with the request in `ChatGeminiBatch`'s batch job (and its online body).
"""

from __future__ import annotations

from typing import Any, TypedDict

import pytest
from google.genai import types
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import tool
from langchain_google_genai import HarmBlockThreshold, HarmCategory
from pydantic import BaseModel, Field

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.parity_support import (
    Build,
    batch_wire,
    lcgg_wire,
    online_wire,
    plain,
)

pytestmark = pytest.mark.emulator

MESSAGES = [SystemMessage("Answer briefly."), HumanMessage("What is the weather in Paris?")]


class Person(BaseModel):
    """A person."""

    name: str = Field(description="The name")
    age: int | None = None
    tags: list[str] = []


class Movie(TypedDict):
    """A movie."""

    title: str
    year: int


@tool
def get_weather(city: str, unit: str = "celsius") -> str:
    """Get the weather in a city."""
    return city


def search(query: str, limit: int = 3) -> list[str]:
    """Search the web.

    Args:
        query: What to look for.
        limit: How many results.
    """
    return [query] * limit


OPENAI_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look a word up.",
        "parameters": {
            "type": "object",
            "properties": {"word": {"type": "string", "enum": ["a", "b"]}},
            "required": ["word"],
        },
    },
}
JSON_SCHEMA = {
    "title": "Answer",
    "description": "An answer.",
    "type": "object",
    "properties": {"text": {"type": "string"}, "score": {"type": "number"}},
    "required": ["text"],
}


def tools(*items: Any, **kwargs: Any) -> Build:
    def build(model: BaseChatModel) -> Runnable[Any, Any]:
        return model.bind_tools(list(items), **kwargs)

    return build


def structured(schema: Any, **kwargs: Any) -> Build:
    def build(model: BaseChatModel) -> Runnable[Any, Any]:
        return model.with_structured_output(schema, **kwargs)

    return build


def bound(**kwargs: Any) -> Build:
    def build(model: BaseChatModel) -> Runnable[Any, Any]:
        return model.bind(**kwargs)

    return build


SAFETY = {
    HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT: HarmBlockThreshold.BLOCK_MEDIUM_AND_ABOVE,
    HarmCategory.HARM_CATEGORY_HATE_SPEECH: HarmBlockThreshold.BLOCK_ONLY_HIGH,
}

# name: (constructor arguments, what is bound on the model)
CASES: dict[str, tuple[dict[str, Any], Build]] = {
    "defaults": ({}, plain),
    "sampling": ({"temperature": 0.2, "top_p": 0.9, "top_k": 20}, plain),
    "max_tokens alias": ({"max_tokens": 64}, plain),
    "max_output_tokens": ({"max_output_tokens": 64}, plain),
    "n": ({"n": 2}, plain),
    "candidate_count alias": ({"candidate_count": 3}, plain),
    "seed and penalties": ({"seed": 7, "presence_penalty": 0.5, "frequency_penalty": -0.5}, plain),
    "stop": ({"stop": ["END", "STOP"]}, plain),
    "stop_sequences alias": ({"stop_sequences": ["END"]}, plain),
    "safety dict of enums": ({"safety_settings": SAFETY}, plain),
    "safety dict of strings": (
        {"safety_settings": {"HARM_CATEGORY_HARASSMENT": "BLOCK_NONE"}},
        plain,
    ),
    "response mime and schema": (
        {"response_mime_type": "application/json", "response_schema": JSON_SCHEMA},
        plain,
    ),
    "response mime only": ({"response_mime_type": "text/x.enum"}, plain),
    "thinking budget": ({"thinking_budget": 128, "include_thoughts": True}, plain),
    "thinking off": ({"thinking_budget": 0}, plain),
    "reasoning_effort": ({"reasoning_effort": "low"}, plain),
    "thinking_level alias": ({"thinking_level": "high", "model": "gemini-3-flash-preview"}, plain),
    "thinking_config dict": ({"thinking_config": {"thinking_budget": 64}}, plain),
    "thinking_config object": (
        {"thinking_config": types.ThinkingConfig(include_thoughts=True, thinking_budget=32)},
        plain,
    ),
    "flat thinking over thinking_config": (
        {"thinking_config": {"thinking_budget": 64}, "thinking_budget": 16},
        plain,
    ),
    "thinking_level wins over budget": ({"thinking_level": "low", "thinking_budget": 99}, plain),
    "response_modalities": ({"response_modalities": ["TEXT", "IMAGE"]}, plain),
    "image_config": ({"image_config": {"aspect_ratio": "16:9"}}, plain),
    "labels": ({"labels": {"team": "search", "env": "test"}}, plain),
    "cached_content": ({"cached_content": "cachedContents/abc123"}, plain),
    "gemini 3 default temperature": ({"model": "gemini-3-flash-preview"}, plain),
    "gemini 3 explicit temperature": ({"model": "gemini-3-pro-preview", "temperature": 1.0}, plain),
    "fixed sampling model": ({"model": "gemini-3.6-flash", "temperature": 0.3, "top_k": 4}, plain),
    "tts model": ({"model": "gemini-2.5-flash-preview-tts"}, plain),
    "convert_system_message_to_human": ({"convert_system_message_to_human": True}, plain),
    "http-only settings": (
        {"request_timeout": 30, "retries": 2, "additional_headers": {"x-team": "a"}},
        plain,
    ),
    "everything": (
        {
            "temperature": 0.1,
            "top_p": 0.5,
            "top_k": 3,
            "max_tokens": 100,
            "n": 1,
            "seed": 1,
            "stop": ["x"],
            "safety_settings": SAFETY,
            "thinking_budget": 10,
            "include_thoughts": True,
            "labels": {"a": "b"},
            "cached_content": "cachedContents/z",
        },
        plain,
    ),
    # tools, tool_choice and tool_config
    "tools of every kind": ({}, tools(get_weather, search, Person, OPENAI_TOOL, JSON_SCHEMA)),
    "tool_choice any": ({}, tools(get_weather, search, tool_choice="any")),
    "tool_choice required": ({}, tools(get_weather, tool_choice="required")),
    "tool_choice True": ({}, tools(get_weather, search, tool_choice=True)),
    "tool_choice auto": ({}, tools(get_weather, tool_choice="auto")),
    "tool_choice none": ({}, tools(get_weather, tool_choice="none")),
    "tool_choice a name": ({}, tools(get_weather, search, tool_choice="search")),
    "tool_choice names": ({}, tools(get_weather, search, tool_choice=["search"])),
    "tool_choice dict": (
        {},
        tools(get_weather, tool_choice={"mode": "ANY", "allowed_function_names": ["get_weather"]}),
    ),
    "google_search": ({}, tools({"google_search": {}})),
    "code_execution": ({}, tools({"code_execution": {}})),
    "url_context with a function": ({}, tools({"url_context": {}}, get_weather)),
    "genai Tool object": ({}, tools(types.Tool(google_search=types.GoogleSearch()))),
    "maps with retrieval tool_config": (
        {},
        tools(
            {"google_maps": {}},
            tool_config={"retrieval_config": {"lat_lng": {"latitude": 48.8, "longitude": 2.3}}},
        ),
    ),
    "tool_choice and retrieval tool_config": (
        {},
        tools(
            get_weather,
            tool_choice="any",
            tool_config={"retrieval_config": {"language_code": "fr"}},
        ),
    ),
    # call options bound on the model (as chains pass them)
    "bound tool_config only": (
        {},
        bound(
            tools=[OPENAI_TOOL],
            tool_config={"function_calling_config": {"mode": "NONE"}},
        ),
    ),
    "bound safety_settings": (
        {"safety_settings": SAFETY},
        bound(safety_settings={"HARM_CATEGORY_HARASSMENT": "BLOCK_LOW_AND_ABOVE"}),
    ),
    "bound generation_config": ({}, bound(generation_config={"temperature": 0.9, "top_k": 2})),
    "bound cached_content": (
        {"cached_content": "cachedContents/a"},
        bound(cached_content="cachedContents/b"),
    ),
    "bound response_format": (
        {},
        bound(response_format={"type": "json_schema", "json_schema": {"schema": JSON_SCHEMA}}),
    ),
    "bound logprobs": ({}, bound(response_logprobs=True, logprobs=3)),
    "bound media_resolution": ({}, bound(media_resolution="MEDIA_RESOLUTION_LOW")),
    "bound labels and image_config": (
        {"labels": {"a": "1"}},
        bound(labels={"b": "2"}, image_config={"aspect_ratio": "1:1"}),
    ),
    "bound thinking": ({"thinking_budget": 5}, bound(thinking_budget=50, include_thoughts=True)),
    "bound sampling": ({"temperature": 0.5}, bound(temperature=0.0, top_p=0.3, seed=9)),
    "bound stop": ({"stop": ["a"]}, bound(stop=["b"])),
    "bound response_json_schema": (
        {},
        bound(response_mime_type="application/json", response_json_schema=JSON_SCHEMA),
    ),
    "bound strict is ignored": ({}, bound(strict=True)),
    # structured output
    "structured pydantic": ({}, structured(Person)),
    "structured typeddict": ({}, structured(Movie)),
    "structured json schema": ({}, structured(JSON_SCHEMA)),
    "structured json_mode": ({}, structured(Person, method="json_mode")),
    "structured function_calling": ({}, structured(Person, method="function_calling")),
    "structured function_calling dict": ({}, structured(JSON_SCHEMA, method="function_calling")),
}


@pytest.mark.parametrize(("settings", "build"), CASES.values(), ids=list(CASES))
def test_the_batch_request_is_langchain_google_genais_request(
    server: EmulatorServer, settings: dict[str, Any], build: Build
) -> None:
    expected = lcgg_wire(server, settings, MESSAGES, build)
    assert batch_wire(server, settings, MESSAGES, build) == expected
    assert online_wire(server, settings, MESSAGES, build) == expected


def test_call_time_code_execution_is_langchain_google_genais(server: EmulatorServer) -> None:
    expected = lcgg_wire(server, {}, MESSAGES, code_execution=True)
    assert online_wire(server, {}, MESSAGES, code_execution=True) == expected
    assert expected["tools"] == [{"codeExecution": {}}]


def test_a_declaration_without_parameters_is_sent(server: EmulatorServer) -> None:
    # langchain-google-genai 4.4.3 raises AttributeError on a dumped FunctionDeclaration whose
    # `parameters` is None (what its own bind_tools produces); ChatGeminiBatch sends it.
    build = tools({"function_declarations": [{"name": "ping", "description": "Ping."}]})
    ours = batch_wire(server, {}, MESSAGES, build)
    assert ours["tools"] == [{"functionDeclarations": [{"description": "Ping.", "name": "ping"}]}]


# Where ChatGeminiBatch deliberately sends more: settings langchain-google-genai accepts at
# construction but never sends (it keeps them only for tracing).
DIFFERENCES = {
    "media_resolution": ({"media_resolution": "MEDIA_RESOLUTION_LOW"}, "mediaResolution"),
    "response_logprobs": ({"response_logprobs": True, "logprobs": 2}, "responseLogprobs"),
    "model_kwargs": (
        {
            "model_kwargs": {
                "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Puck"}}}
            }
        },
        "speechConfig",
    ),
}


@pytest.mark.parametrize(("settings", "field"), DIFFERENCES.values(), ids=list(DIFFERENCES))
def test_settings_langchain_google_genai_drops_are_sent(
    server: EmulatorServer, settings: dict[str, Any], field: str
) -> None:
    lcgg = lcgg_wire(server, settings, MESSAGES)
    ours = batch_wire(server, settings, MESSAGES)
    assert field not in lcgg["generationConfig"]
    assert field in ours["generationConfig"]
    ours["generationConfig"] = {
        k: v for k, v in ours["generationConfig"].items() if k in lcgg["generationConfig"]
    }
    assert ours == lcgg


def test_both_take_the_endpoint_as_client_options(server: EmulatorServer) -> None:
    from langchain_google_genai import ChatGoogleGenerativeAI

    from langchain_gemini_batch import ChatGeminiBatch

    options = {"api_endpoint": server.base_url}
    ChatGoogleGenerativeAI(model="gemini-2.5-flash", api_key="k", client_options=options).invoke(
        "hi"
    )
    ChatGeminiBatch(model="gemini-2.5-flash", api_key="k", client_options=options).invoke("hi")
    assert server.count("generateContent", status=200) == 2
