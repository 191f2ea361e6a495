"""Tool calling and structured output through `abatch`: still one job each."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, field_validator

from langchain_gemini_batch.chat_models import ChatGeminiBatch
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.support import all_keys, created_jobs, expected_answer, job_keys

pytestmark = pytest.mark.emulator

CITIES = ["Paris", "Oslo", "Lima"]
INPUTS: list[LanguageModelInput] = [*CITIES]


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"sunny in {city}"


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str
    age: int


def expected_person(prompt: str) -> Person:
    # the emulator fills a schema with the prompt text for strings and 1 for integers
    return Person(name=prompt, age=1)


async def test_bind_tools_forced_call_in_one_job(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    tools = llm.bind_tools([get_weather], tool_choice="any")
    messages = await tools.abatch(INPUTS)
    for message, city in zip(messages, CITIES, strict=True):
        assert isinstance(message, AIMessage)
        [call] = message.tool_calls
        assert (call["name"], call["args"]) == ("get_weather", {"city": city})
        assert call["id"]
    [job] = created_jobs(server)
    request = job["inputConfig"]["requests"]["requests"][0]["request"]
    # as langchain-google-genai sends them: "any" allows every declared function, and
    # parameters are Gemini's Schema (upper-case types)
    assert request["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
    }
    [declaration] = request["tools"][0]["functionDeclarations"]
    assert declaration["name"] == "get_weather"
    assert declaration["parameters"]["properties"] == {"city": {"type": "STRING"}}


async def test_tool_results_go_back_to_the_model(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    tools = llm.bind_tools([get_weather])
    conversations: list[Any] = []
    for city in CITIES:
        call = {"name": "get_weather", "args": {"city": city}, "id": f"call-{city}"}
        conversations.append(
            [
                HumanMessage(f"Weather in {city}?"),
                AIMessage("", tool_calls=[call]),
                ToolMessage(get_weather(city), tool_call_id=f"call-{city}"),
            ]
        )
    answers = await tools.abatch(conversations)
    # "name returned <compact JSON of the response>"; a string result is {"output": ...}
    assert [a.content for a in answers] == [
        f"get_weather returned {json.dumps({'output': get_weather(c)}, separators=(',', ':'))}"
        for c in CITIES
    ]
    assert len(created_jobs(server)) == 1


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
async def test_structured_output_in_one_job(
    server: EmulatorServer, llm: ChatGeminiBatch, method: str
) -> None:
    structured = llm.with_structured_output(Person, method=method)  # type: ignore[arg-type]
    people = await structured.abatch(INPUTS)
    assert people == [expected_person(city) for city in CITIES]
    [job] = created_jobs(server)
    assert len(job_keys(job)) == len(CITIES)
    assert "ls_structured_output_format" not in all_keys(job)


async def test_structured_output_with_a_json_schema_dict(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    schema = Person.model_json_schema()
    results = await llm.with_structured_output(schema).abatch(["Ada"])
    assert results == [{"name": "Ada", "age": 1}]


async def test_include_raw_is_still_one_job(server: EmulatorServer, llm: ChatGeminiBatch) -> None:
    structured = llm.with_structured_output(Person, include_raw=True)
    results = await structured.abatch(INPUTS)
    assert len(created_jobs(server)) == 1
    for result, city in zip(results, CITIES, strict=True):
        assert result["parsed"] == expected_person(city)
        assert result["parsing_error"] is None
        assert isinstance(result["raw"], AIMessage)
        assert json.loads(result["raw"].text) == {"name": city, "age": 1}


async def test_include_raw_reports_parse_errors_in_place(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    class Strict(BaseModel):
        count: int

        @field_validator("count")
        @classmethod
        def _never(cls, value: int) -> int:
            raise ValueError("no count is good enough")

    # the emulator answers a valid {"count": ...}, which the parser then refuses
    structured = llm.with_structured_output(Strict, include_raw=True)
    [result] = await structured.abatch(["seven"])
    assert result["parsed"] is None
    assert result["parsing_error"] is not None
    assert set(json.loads(result["raw"].text)) == {"count"}
    assert len(created_jobs(server)) == 1


async def test_json_mode_without_schema(server: EmulatorServer, llm: ChatGeminiBatch) -> None:
    results = await llm.with_structured_output(None, method="json_mode").abatch(["hi"])
    assert results == [{"text": expected_answer("hi")}]


async def test_thinking_blocks_and_reasoning_tokens(server: EmulatorServer) -> None:
    llm = ChatGeminiBatch(
        model="gemini-2.5-flash",
        api_key="k",
        base_url=server.base_url,
        batch_poll_interval=0,
        include_thoughts=True,
    )
    [message] = await llm.abatch(["why"])
    thought = "Thinking about: why"  # the emulator's documented thought text
    assert isinstance(message.content, list)
    thinking, text = message.content
    assert thinking == {"type": "thinking", "thinking": thought}
    assert isinstance(text, dict)
    assert {k: text[k] for k in ("type", "text")} == {
        "type": "text",
        "text": expected_answer("why"),
    }
    assert text["extras"]["signature"]  # Gemini 2.5 signs the answer when thoughts are on
    assert message.text == expected_answer("why")
    usage = message.usage_metadata
    assert usage is not None
    reasoning = max(1, -(-len(thought) // 4))
    assert usage["output_token_details"] == {"reasoning": reasoning}
    assert usage["output_tokens"] == reasoning + max(1, -(-len(expected_answer("why")) // 4))


async def test_structured_output_with_pydantic_v1_and_nested_models(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    from pydantic.v1 import BaseModel as BaseModelV1

    class Joke(BaseModelV1):
        """A joke."""

        setup: str
        punchline: str

    class Pet(BaseModel):
        name: str

    class Owner(BaseModel):
        name: str
        pets: list[Pet]

    [joke] = await llm.with_structured_output(Joke).abatch(["cats"])
    assert (joke.setup, joke.punchline) == ("cats", "cats")  # type: ignore[union-attr]
    [owner] = await llm.with_structured_output(Owner).abatch(["Ann"])
    # arrays hold max(1, minItems) items; the schema is pydantic's own, $defs and all
    # (as langchain-google-genai sends it: Gemini resolves $ref in responseJsonSchema)
    assert owner == Owner(name="Ann", pets=[Pet(name="Ann")])
    request = created_jobs(server)[1]["inputConfig"]["requests"]["requests"][0]["request"]
    assert request["generationConfig"]["responseJsonSchema"] == Owner.model_json_schema()
