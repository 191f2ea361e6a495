"""LangChain tools to Gemini `tools`, and LangChain `tool_choice` to Gemini `tool_config`.

Pure functions, no I/O. Anything `bind_tools` accepts in LangChain (a `BaseTool`, a Python
function, a pydantic class, a `TypedDict`, an OpenAI tool or function dict, a JSON schema)
becomes a Gemini function declaration through `convert_to_openai_tool`, written as
`{"name", "description", "parameters_json_schema"}`. Dicts that already are Gemini tools
(`function_declarations`, `google_search`, `code_execution`, `url_context`, ...) pass
through unchanged, so built-in tools can be mixed with functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

__all__ = ["GeminiTool", "function_names", "tool_choice_to_config", "tools_to_gemini"]

GeminiTool = dict[str, Any]
"""A Gemini `Tool` as a plain dict (the shape `GenerateContentConfig.tools` accepts)."""

_GEMINI_TOOL_KEYS = frozenset(
    {
        "function_declarations",
        "functionDeclarations",
        "google_search",
        "googleSearch",
        "google_search_retrieval",
        "googleSearchRetrieval",
        "code_execution",
        "codeExecution",
        "url_context",
        "urlContext",
        "file_search",
        "fileSearch",
        "google_maps",
        "googleMaps",
        "computer_use",
        "computerUse",
    }
)
_ANY = ("any", "required")


def _is_gemini_tool(tool: object) -> bool:
    return isinstance(tool, Mapping) and bool(tool) and set(tool) <= _GEMINI_TOOL_KEYS


def _declaration(tool: Mapping[str, Any] | type | Callable[..., Any] | BaseTool) -> GeminiTool:
    function = convert_to_openai_tool(tool)["function"]
    declaration: GeminiTool = {"name": function["name"]}
    if function.get("description"):
        declaration["description"] = function["description"]
    parameters = function.get("parameters")
    if parameters and parameters.get("properties"):
        declaration["parameters_json_schema"] = parameters
    return declaration


def tools_to_gemini(
    tools: Sequence[Mapping[str, Any] | type | Callable[..., Any] | BaseTool],
) -> list[GeminiTool]:
    """Convert LangChain tools into Gemini `tools`.

    Functions are collected into one `{"function_declarations": [...]}` tool, placed first;
    Gemini-shaped tool dicts follow unchanged.

    Args:
        tools: What `bind_tools` was given.

    Returns:
        The value of the `tools` hyperparameter.

    Raises:
        ValueError: A tool cannot be converted (LangChain's message names it).
    """
    declarations: list[GeminiTool] = []
    native: list[GeminiTool] = []
    for tool in tools:
        if _is_gemini_tool(tool):
            assert isinstance(tool, Mapping)
            native.append(dict(tool))
        else:
            declarations.append(_declaration(tool))
    functions = [{"function_declarations": declarations}] if declarations else []
    return functions + native


def function_names(tools: Sequence[Mapping[str, Any]]) -> list[str]:
    """The names of every function declared in Gemini `tools`."""
    names = []
    for tool in tools:
        for declaration in tool.get("function_declarations") or tool.get(
            "functionDeclarations", []
        ):
            names.append(str(declaration["name"]))
    return names


def tool_choice_to_config(
    tool_choice: str | bool | Mapping[str, Any] | Sequence[str],
    names: Sequence[str] = (),
) -> dict[str, Any]:
    """Convert a LangChain `tool_choice` into a Gemini `tool_config`.

    Args:
        tool_choice: `"auto"`; `"any"`, `"required"` or `True` (call some tool); `"none"`;
            a function name; `{"type": "function", "function": {"name": ...}}` or
            `{"name": ...}`; or a list of function names.
        names: The declared function names, to tell a function name from a mode.

    Returns:
        `{"function_calling_config": {"mode": ..., "allowed_function_names": [...]}}`.

    Raises:
        ValueError: The choice is not understood, or names a function that is not declared.
    """
    allowed: list[str] | None = None
    if tool_choice is True or (isinstance(tool_choice, str) and tool_choice.lower() in _ANY):
        mode = "ANY"
    elif isinstance(tool_choice, str) and tool_choice.lower() in ("auto", "none"):
        mode = tool_choice.upper()
    elif isinstance(tool_choice, str):
        mode, allowed = "ANY", [tool_choice]
    elif isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else tool_choice.get("name")
        if not isinstance(name, str):
            raise ValueError(f"tool_choice {dict(tool_choice)!r} names no function")
        mode, allowed = "ANY", [name]
    elif isinstance(tool_choice, Sequence) and all(isinstance(n, str) for n in tool_choice):
        mode, allowed = "ANY", list(tool_choice)
    else:
        raise ValueError(
            f"unsupported tool_choice {tool_choice!r}: use 'auto', 'any', 'none', a function "
            "name, or a list of function names"
        )
    if allowed and names:
        unknown = [name for name in allowed if name not in names]
        if unknown:
            raise ValueError(f"tool_choice names {unknown}, which are not among the tools {names}")
    config: dict[str, Any] = {"mode": mode}
    if allowed:
        config["allowed_function_names"] = allowed
    return {"function_calling_config": config}
