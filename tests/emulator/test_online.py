"""generateContent and streamGenerateContent, and what the deterministic model answers."""

from __future__ import annotations

import asyncio
import http.client
import json
from enum import Enum

import pytest
from google import genai
from google.genai import errors, types
from google.genai.client import AsyncClient
from pydantic import BaseModel

from langchain_gemini_batch.testing.emulator import EmulatorServer, generate_response
from tests.emulator.support import MODEL, raw_request

pytestmark = pytest.mark.emulator


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    number: int


class Person(BaseModel):
    name: str
    age: int
    height: float
    active: bool
    color: Color
    tags: list[str]
    home: Address
    previous: list[Address]
    nickname: str | None = None


def test_generate_content_matches_the_pure_model(
    server: EmulatorServer, client: genai.Client
) -> None:
    response = client.models.generate_content(model=MODEL, contents="hello")
    assert response.text == "Echo: hello"
    assert response.model_version == MODEL
    usage = response.usage_metadata
    assert usage is not None
    assert (usage.prompt_token_count, usage.candidates_token_count) == (2, 3)
    assert usage.total_token_count == 5
    assert usage.thoughts_token_count is None
    sent = server.requests[-1]
    assert sent.action == "generateContent"
    raw = raw_request(client, "post", f"models/{MODEL}:generateContent", sent.body)
    assert json.loads(raw) == generate_response(sent.body, model=f"models/{MODEL}")
    assert response.response_id == generate_response(sent.body, model=MODEL)["responseId"]


async def test_generate_content_async(aclient: AsyncClient) -> None:
    response = await aclient.models.generate_content(model=MODEL, contents="async hello")
    assert response.text == "Echo: async hello"


def test_stream_splits_text_and_puts_usage_last(client: genai.Client) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="hello world"))
    assert 2 <= len(chunks) <= 3
    assert "".join(c.text or "" for c in chunks) == "Echo: hello world"
    assert [c.usage_metadata is not None for c in chunks] == [False] * (len(chunks) - 1) + [True]
    last = chunks[-1].candidates
    assert last is not None
    assert last[0].finish_reason == types.FinishReason.STOP


async def test_stream_async(aclient: AsyncClient) -> None:
    stream = await aclient.models.generate_content_stream(model=MODEL, contents="streaming")
    texts = [chunk.text async for chunk in stream]
    assert "".join(t or "" for t in texts) == "Echo: streaming"
    assert len(texts) >= 2


def test_stream_is_server_sent_events_with_content_length(server: EmulatorServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = json.dumps({"contents": [{"parts": [{"text": "sse"}], "role": "user"}]})
    connection.request(
        "POST",
        f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse",
        body=body,
        headers={"x-goog-api-key": "k", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert int(response.getheader("Content-Length") or -1) == len(data)
    events = data.decode().split("\r\n\r\n")
    assert events[-1] == ""
    assert all(event.startswith("data: {") for event in events[:-1])
    assert "usageMetadata" in json.loads(events[-2].removeprefix("data: "))


def test_structured_output_with_response_schema_validates(client: genai.Client) -> None:
    response = client.models.generate_content(
        model=MODEL,
        contents="describe Ada",
        config={"response_mime_type": "application/json", "response_schema": Person},
    )
    person = Person.model_validate_json(response.text or "")
    assert person.color is Color.RED
    assert len(person.tags) == 1
    assert len(person.previous) == 1
    assert person.name == "describe Ada"


def test_structured_output_with_json_schema_refs_validates(client: genai.Client) -> None:
    schema = Person.model_json_schema()
    assert "$defs" in schema
    response = client.models.generate_content(
        model=MODEL,
        contents="describe Ada",
        config={"response_mime_type": "application/json", "response_json_schema": schema},
    )
    Person.model_validate_json(response.text or "")
    assert isinstance(response.parsed, dict)


def test_json_mode_without_schema_is_an_object(client: genai.Client) -> None:
    response = client.models.generate_content(
        model=MODEL, contents="hi", config={"response_mime_type": "application/json"}
    )
    assert json.loads(response.text or "") == {"text": "Echo: hi"}


def _tools() -> list[types.Tool]:
    return [
        types.Tool(
            function_declarations=[
                types.FunctionDeclaration(
                    name="get_weather",
                    description="Weather for a city.",
                    parameters_json_schema={
                        "type": "object",
                        "properties": {
                            "city": {"type": "string"},
                            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                        },
                        "required": ["city"],
                    },
                ),
                types.FunctionDeclaration(
                    name="get_time",
                    parameters=types.Schema(
                        type=types.Type.OBJECT,
                        properties={"zone": types.Schema(type=types.Type.STRING)},
                        required=["zone"],
                    ),
                ),
            ]
        )
    ]


def test_forced_tool_call_respects_allowed_names(client: genai.Client) -> None:
    config = types.GenerateContentConfig(
        tools=_tools(),
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode=types.FunctionCallingConfigMode.ANY, allowed_function_names=["get_time"]
            )
        ),
    )
    response = client.models.generate_content(model=MODEL, contents="what now", config=config)
    assert response.function_calls is not None
    (call,) = response.function_calls
    assert call.name == "get_time"
    assert call.args == {"zone": "what now"}
    assert response.candidates is not None
    assert response.candidates[0].finish_reason == types.FinishReason.STOP


def test_forced_tool_call_args_follow_json_schema(client: genai.Client) -> None:
    config = types.GenerateContentConfig(
        tools=_tools(),
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode=types.FunctionCallingConfigMode.ANY
            )
        ),
    )
    response = client.models.generate_content(model=MODEL, contents="Paris", config=config)
    assert response.function_calls is not None
    assert response.function_calls[0].name == "get_weather"
    assert response.function_calls[0].args == {"city": "Paris", "unit": "celsius"}


def test_auto_mode_calls_only_a_named_tool(client: genai.Client) -> None:
    config = types.GenerateContentConfig(tools=_tools())
    named = client.models.generate_content(
        model=MODEL, contents="please get_weather for Oslo", config=config
    )
    assert named.function_calls is not None
    assert named.function_calls[0].name == "get_weather"
    plain = client.models.generate_content(model=MODEL, contents="just chat", config=config)
    assert plain.function_calls is None
    assert plain.text == "Echo: just chat"


def test_function_response_turn_gets_a_text_answer(client: genai.Client) -> None:
    contents = [
        types.Content(role="user", parts=[types.Part(text="get_weather in Oslo")]),
        types.Content(
            role="model",
            parts=[types.Part.from_function_call(name="get_weather", args={"city": "Oslo"})],
        ),
        types.Content(
            role="user",
            parts=[types.Part.from_function_response(name="get_weather", response={"temp": 3})],
        ),
    ]
    response = client.models.generate_content(
        model=MODEL, contents=contents, config=types.GenerateContentConfig(tools=_tools())
    )
    assert response.function_calls is None
    assert response.text == 'get_weather returned {"temp":3}'


def test_include_thoughts_adds_a_thought_part(client: genai.Client) -> None:
    response = client.models.generate_content(
        model=MODEL,
        contents="think",
        config={"thinking_config": {"include_thoughts": True, "thinking_budget": 128}},
    )
    assert response.candidates is not None
    assert response.candidates[0].content is not None
    parts = response.candidates[0].content.parts
    assert parts is not None
    assert parts[0].thought is True
    assert parts[0].text == "Thinking about: think"
    assert response.text == "Echo: think"
    usage = response.usage_metadata
    assert usage is not None
    assert usage.thoughts_token_count == 6
    assert usage.total_token_count == 2 + 3 + 6


def test_budget_only_counts_thoughts_without_a_part(client: genai.Client) -> None:
    response = client.models.generate_content(
        model=MODEL, contents="think", config={"thinking_config": {"thinking_budget": 2}}
    )
    assert response.candidates is not None
    assert response.candidates[0].content is not None
    assert [p.thought for p in response.candidates[0].content.parts or []] == [None]
    assert response.usage_metadata is not None
    assert response.usage_metadata.thoughts_token_count == 2


def test_camel_case_thinking_config_is_accepted(client: genai.Client) -> None:
    body = {
        "contents": [{"parts": [{"text": "x"}], "role": "user"}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": True}},
    }
    raw = json.loads(raw_request(client, "post", f"models/{MODEL}:generateContent", body))
    assert raw["candidates"][0]["content"]["parts"][0] == {
        "text": "Thinking about: x",
        "thought": True,
    }


def test_stop_sequences_and_max_tokens_cut_the_text(client: genai.Client) -> None:
    stopped = client.models.generate_content(
        model=MODEL, contents="hello", config={"stop_sequences": ["llo"]}
    )
    assert stopped.text == "Echo: he"
    assert stopped.candidates is not None
    assert stopped.candidates[0].finish_reason == types.FinishReason.STOP
    capped = client.models.generate_content(
        model=MODEL, contents="a long question", config={"max_output_tokens": 2}
    )
    assert capped.text == "Echo: a "
    assert capped.candidates is not None
    assert capped.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS


def test_count_tokens(client: genai.Client) -> None:
    assert client.models.count_tokens(model=MODEL, contents="hello").total_tokens == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"foo": 1}},
            "Invalid JSON payload received. Unknown name \"foo\" at 'generation_config': "
            "Cannot find field.",
        ),
        (
            {"contents": [{"parts": [{"text": "x"}]}], "foo": 1},
            'Invalid JSON payload received. Unknown name "foo": Cannot find field.',
        ),
        (
            {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"timeout": 5}},
            "Invalid JSON payload received. Unknown name \"timeout\" at 'generation_config': "
            "Cannot find field.",
        ),
    ],
)
def test_unknown_fields_are_rejected_like_google(
    client: genai.Client, body: dict[str, object], message: str
) -> None:
    with pytest.raises(errors.ClientError) as caught:
        raw_request(client, "post", f"models/{MODEL}:generateContent", body)
    assert caught.value.code == 400
    assert caught.value.status == "INVALID_ARGUMENT"
    assert caught.value.message == message
    detail = caught.value.details["error"]["details"][0]
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"


def test_snake_case_request_fields_are_accepted(client: genai.Client) -> None:
    body = {
        "contents": [{"parts": [{"text": "hello"}], "role": "user"}],
        "system_instruction": {"parts": [{"text": "be brief"}]},
        "generation_config": {"max_output_tokens": 1, "stop_sequences": ["zzz"]},
    }
    raw = json.loads(raw_request(client, "post", f"models/{MODEL}:generateContent", body))
    assert raw["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_unknown_model_for_generate_content(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="imagen-3", contents="x")
    assert caught.value.code == 404
    assert "or is not supported for generateContent" in (caught.value.message or "")


async def test_many_concurrent_async_calls(aclient: AsyncClient) -> None:
    calls = [aclient.models.generate_content(model=MODEL, contents=f"c{i}") for i in range(100)]
    responses = await asyncio.gather(*calls)
    assert [r.text for r in responses] == [f"Echo: c{i}" for i in range(100)]
