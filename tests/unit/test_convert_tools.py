"""Tools, `tool_choice` and `tool_config` convert exactly as langchain-google-genai's do.

The reference is langchain-google-genai 4.4.3's own converter, fed the same tools; the Gemini
`Schema` built for every JSON-schema shape must be the same object.
"""

from __future__ import annotations

import copy
from enum import Enum
from typing import Any, Literal, TypedDict

import pytest
from google.genai import types
from langchain_core.tools import tool
from langchain_google_genai._function_utils import (
    _tool_choice_to_tool_config,
    convert_to_genai_function_declarations,
)
from pydantic import BaseModel, Field

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.function_declarations import convert_to_genai_tools
from langchain_gemini_batch.langchain.tools import (
    bind_payload,
    format_tools,
    tool_choice_to_tool_config,
    tool_config_for,
    tool_name,
)


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    zip_code: str | None = None


class Person(BaseModel):
    """A person with everything in it."""

    name: str = Field(description="Full name")
    age: int | None = None
    color: Color = Color.RED
    mood: Literal["happy", "sad"] = "happy"
    tags: list[str] = []
    scores: list[float]
    address: Address
    others: list[Address] = []
    extra: dict[str, int] = {}
    either: int | str = 0


class Movie(TypedDict):
    """A movie."""

    title: str
    year: int


@tool
def get_weather(city: str, days: int = 1) -> str:
    """Get the weather."""
    return city


@tool
def no_args() -> str:
    """Take nothing."""
    return ""


def plain_function(query: str, limit: int = 3, exact: bool = False) -> list[str]:
    """Search.

    Args:
        query: What to look for.
        limit: How many.
        exact: Exact matches only.
    """
    return [query]


SCHEMAS: dict[str, Any] = {
    "pydantic nested, optional, enum, union": Person,
    "typed dict (via OpenAI form)": {
        "type": "function",
        "function": {
            "name": "movie",
            "parameters": {"type": "object", "properties": {"title": {"type": "string"}}},
        },
    },
    "BaseTool": get_weather,
    "BaseTool without args": no_args,
    "function": plain_function,
    "json schema with title": {
        "title": "lookup",
        "description": "Look up.",
        "type": "object",
        "properties": {
            "word": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 9, "default": 3},
            "when": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "meta": {"type": "object", "additionalProperties": True},
            "nested": {"type": "object", "properties": {"a": {"type": "number"}}},
            "title": {"type": "string"},
        },
        "required": ["word"],
        "additionalProperties": False,
    },
    "openai tool": {
        "type": "function",
        "function": {
            "name": "f",
            "description": "F.",
            "parameters": {
                "type": "object",
                "properties": {"xs": {"type": "array", "items": {"type": "integer"}}},
                "required": ["xs"],
            },
        },
    },
    "name and description only": {"name": "ping", "description": "Ping."},
    "function_declarations": {
        "function_declarations": [{"name": "a", "description": "A."}, get_weather]
    },
    "google_search": {"google_search": {}},
    "code_execution": {"code_execution": {}},
    "url_context": {"url_context": {}},
    "google_maps": {"google_maps": {"enable_widget": True}},
    "genai Tool": types.Tool(google_search=types.GoogleSearch()),
}


@pytest.mark.parametrize("tool_like", SCHEMAS.values(), ids=list(SCHEMAS))
def test_each_tool_converts_as_langchain_google_genai_converts_it(tool_like: Any) -> None:
    ours = convert_to_genai_tools([copy.deepcopy(tool_like)])
    theirs = convert_to_genai_function_declarations([copy.deepcopy(tool_like)])
    assert [t.model_dump() for t in ours] == [t.model_dump() for t in theirs]


def test_many_tools_at_once_keep_lcggs_order() -> None:
    tools: list[Any] = [
        get_weather,
        {"google_search": {}},
        Person,
        {"code_execution": {}},
        plain_function,
    ]
    ours = convert_to_genai_tools(copy.deepcopy(tools))
    theirs = convert_to_genai_function_declarations(copy.deepcopy(tools))
    assert [t.model_dump() for t in ours] == [t.model_dump() for t in theirs]
    assert ours[-1].function_declarations is not None  # functions last, in one Tool


@pytest.mark.parametrize(
    "choice",
    [
        "auto",
        "any",
        "required",
        "none",
        True,
        "b",
        ["a", "b"],
        {"mode": "ANY"},
        {"function_calling_config": {"mode": "AUTO"}},
    ],
)
def test_tool_choice_maps_as_langchain_google_genai_maps_it(choice: Any) -> None:
    names = ["a", "b"]
    assert tool_choice_to_tool_config(choice, names) == _tool_choice_to_tool_config(choice, names)


def test_tool_choice_and_tool_config_merge() -> None:
    tools = convert_to_genai_tools([get_weather])
    retrieval = {"retrieval_config": {"language_code": "fr"}}
    merged = tool_config_for("any", retrieval, tools)
    assert merged is not None
    assert merged.retrieval_config is not None
    assert merged.function_calling_config is not None
    assert merged.function_calling_config.allowed_function_names == ["get_weather"]
    only_builtin = convert_to_genai_tools([{"google_search": {}}])
    assert tool_config_for("any", None, only_builtin) is None
    with pytest.raises(InvalidRequestError, match="Cannot specify both"):
        tool_config_for("any", {"function_calling_config": {"mode": "ANY"}}, tools)
    with pytest.raises(InvalidRequestError, match="without tools"):
        tool_config_for("any", None, None)
    with pytest.raises(InvalidRequestError, match="unrecognized tool_choice"):
        tool_choice_to_tool_config(3.5, ["a"])  # type: ignore[arg-type]


def test_bind_payload_is_openai_tools_or_dumped_gemini_tools() -> None:
    assert bind_payload([get_weather])[0]["function"]["name"] == "get_weather"
    dumped = bind_payload([get_weather, {"url_context": {}}])
    assert "url_context" in dumped[0]
    assert "function_declarations" in dumped[1]
    assert format_tools(None) is None
    code = [types.Tool(code_execution=types.ToolCodeExecution())]
    assert format_tools(code) == code
    with pytest.raises(InvalidRequestError, match="cannot convert the tools"):
        format_tools([{"google_search": {}, "code_execution": {}}])


def test_tool_name_is_the_declared_name() -> None:
    assert tool_name(Person) == "Person"
    assert tool_name(Movie) == "Movie"
    assert tool_name({"title": "lookup", "type": "object", "properties": {}}) == "lookup"
