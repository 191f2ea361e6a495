"""The pure parts: the deterministic model, the schema value maker, the options."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from langchain_gemini_batch.errors import UnknownParameterError
from langchain_gemini_batch.testing.emulator import (
    EmulatorOptions,
    EmulatorServer,
    count_tokens,
    generate_response,
)
from langchain_gemini_batch.testing.emulator._schema_values import example_value
from langchain_gemini_batch.testing.emulator._stream import stream_chunks

pytestmark = pytest.mark.emulator


def _request(text: str, **config: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
    if config:
        request["generationConfig"] = config
    return request


def test_count_tokens_rule() -> None:
    assert [count_tokens(s) for s in ("", "a", "abcd", "abcde")] == [1, 1, 1, 2]


def test_generate_response_is_pure_and_deterministic() -> None:
    request = _request("hi", temperature=0)
    before = copy.deepcopy(request)
    first = generate_response(request, model="models/gemini-2.5-flash")
    assert first == generate_response(request, model="gemini-2.5-flash")
    assert request == before
    assert first["modelVersion"] == "gemini-2.5-flash"
    assert len(first["responseId"]) == 22
    assert (
        first["responseId"]
        != generate_response(_request("ho"), model="gemini-2.5-flash")["responseId"]
    )


def test_prompt_is_the_last_user_turn_with_text() -> None:
    request = {
        "systemInstruction": {"parts": [{"text": "system words"}]},
        "contents": [
            {"role": "user", "parts": [{"text": "first"}]},
            {"role": "model", "parts": [{"text": "reply"}]},
            {"role": "user", "parts": [{"text": "second"}, {"text": "part"}]},
        ],
    }
    response = generate_response(request, model="gemini-x")
    assert response["candidates"][0]["content"]["parts"] == [{"text": "Echo: second\npart"}]
    chars = len("system words") + len("first") + len("reply") + len("second") + len("part")
    assert response["usageMetadata"]["promptTokenCount"] == count_tokens("x" * chars)


def test_candidate_count() -> None:
    response = generate_response(_request("hi", candidateCount=2), model="gemini-x")
    assert [c["index"] for c in response["candidates"]] == [0, 1]
    assert response["usageMetadata"]["candidatesTokenCount"] == 2 * count_tokens("Echo: hi")


def test_stream_chunks_carry_usage_on_the_last_only() -> None:
    chunks = stream_chunks(generate_response(_request("abcdefghij"), model="gemini-x"))
    assert len(chunks) == 3
    assert ["usageMetadata" in c for c in chunks] == [False, False, True]
    assert ["finishReason" in c["candidates"][0] for c in chunks] == [False, False, True]
    text = "".join(c["candidates"][0]["content"]["parts"][0]["text"] for c in chunks)
    assert text == "Echo: abcdefghij"


SCHEMAS: list[tuple[dict[str, Any], Any]] = [
    ({"type": "string", "maxLength": 3}, "pro"),
    ({"type": "string", "minLength": 10}, "promptxxxx"),
    ({"type": "string", "format": "date"}, "2026-01-01"),
    ({"type": "integer", "minimum": 5}, 5),
    ({"type": "integer", "exclusiveMaximum": 0}, -1),
    ({"type": "number", "maximum": 0.5}, 0.5),
    ({"type": "boolean"}, True),
    ({"type": ["null", "integer"]}, 1),
    ({"enum": ["b", "a"]}, "b"),
    ({"const": 7}, 7),
    ({"anyOf": [{"type": "null"}, {"type": "integer"}]}, 1),
    ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [1, 1]),
    ({"type": "array", "items": {"type": "integer"}, "maxItems": 0}, []),
    ({"type": "ARRAY", "items": {"type": "STRING", "format": "enum", "enum": ["x"]}}, ["x"]),
    (
        {
            "type": "OBJECT",
            "properties": {"b": {"type": "INTEGER"}, "a": {"type": "STRING", "nullable": True}},
            "property_ordering": ["a", "b"],
        },
        {"a": "prompt", "b": 1},
    ),
    (
        {"allOf": [{"properties": {"x": {"type": "integer"}}}, {"properties": {"y": {}}}]},
        {"x": 1, "y": "prompt"},
    ),
    (
        {
            "$defs": {"Leaf": {"type": "object", "properties": {"v": {"type": "boolean"}}}},
            "type": "object",
            "properties": {"leaf": {"$ref": "#/$defs/Leaf"}},
        },
        {"leaf": {"v": True}},
    ),
]


@pytest.mark.parametrize(("schema", "expected"), SCHEMAS)
def test_example_value(schema: dict[str, Any], expected: Any) -> None:
    assert example_value(schema, "prompt") == expected


def test_recursive_schema_terminates() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                },
                "required": ["name"],
            }
        },
        "$ref": "#/$defs/Node",
    }
    value = example_value(schema, "n")
    depth = 0
    while value.get("children"):
        value = value["children"][0]
        depth += 1
    assert 0 < depth < 10


def test_unknown_option_names_the_closest() -> None:
    with pytest.raises(UnknownParameterError, match="did you mean 'job_seconds'"):
        EmulatorServer(job_second=1)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "bad",
    [
        {"fail_fraction": 1.5},
        {"http_error_rate": -0.1},
        {"http_error_codes": [418]},
        {"job_outcome": "exploded"},
        {"job_seconds": -1},
        {"api_key": ""},
    ],
)
def test_bad_option_values_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        EmulatorOptions(**bad)


def test_inject_errors_rejects_unsupported_codes() -> None:
    with pytest.raises(ValueError, match="418"):
        EmulatorServer().inject_errors(418)
