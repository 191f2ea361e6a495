"""LangChain tools and `tool_choice` to Gemini `tools` and `tool_config` (pure functions)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_gemini_batch.langchain.tools import (
    function_names,
    tool_choice_to_config,
    tools_to_gemini,
)


class Person(BaseModel):
    """A person."""

    name: str = Field(description="Full name")
    age: int


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def test_tools_to_gemini_every_langchain_shape() -> None:
    json_schema = {
        "title": "lookup",
        "description": "Look up a word.",
        "type": "object",
        "properties": {"word": {"type": "string"}},
        "required": ["word"],
    }
    tools = tools_to_gemini([add, multiply, Person, json_schema, {"google_search": {}}])
    assert tools[1:] == [{"google_search": {}}]
    declarations = tools[0]["function_declarations"]
    assert [d["name"] for d in declarations] == ["add", "multiply", "Person", "lookup"]
    assert declarations[2] == {
        "name": "Person",
        "description": "A person.",
        "parameters_json_schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Full name"},
                "age": {"type": "integer"},
            },
            "required": ["name", "age"],
        },
    }
    assert declarations[0]["parameters_json_schema"]["required"] == ["a", "b"]
    assert function_names(tools) == ["add", "multiply", "Person", "lookup"]
    # already-converted tools pass through unchanged (bind_tools then bind(tools=...))
    assert tools_to_gemini(tools) == tools
    json.dumps(tools)  # plain JSON, as GenerateContentConfig accepts


@pytest.mark.parametrize(
    ("choice", "config"),
    [
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("any", {"mode": "ANY"}),
        ("required", {"mode": "ANY"}),
        (True, {"mode": "ANY"}),
        ("add", {"mode": "ANY", "allowed_function_names": ["add"]}),
        (
            {"type": "function", "function": {"name": "add"}},
            {"mode": "ANY", "allowed_function_names": ["add"]},
        ),
        (["add", "mul"], {"mode": "ANY", "allowed_function_names": ["add", "mul"]}),
    ],
)
def test_tool_choice_to_config(choice: Any, config: dict[str, Any]) -> None:
    assert tool_choice_to_config(choice, ["add", "mul"]) == {"function_calling_config": config}


def test_tool_choice_errors() -> None:
    with pytest.raises(ValueError, match="not among the tools"):
        tool_choice_to_config("divide", ["add"])
    with pytest.raises(ValueError, match="unsupported tool_choice"):
        tool_choice_to_config(3, ["add"])  # type: ignore[arg-type]
