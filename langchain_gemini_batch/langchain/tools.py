"""`bind_tools`, `tool_choice` and `tool_config` with langchain-google-genai's semantics.

Pure functions, no I/O. `bind_payload` is what `bind_tools` binds (OpenAI-format dicts, or
plain dicts of google-genai `Tool`s when a tool is Gemini-native, as langchain-google-genai
binds them); `format_tools` turns a call's `tools` / `functions` into google-genai `Tool`s
(`function_declarations.convert_to_genai_tools`); `tool_config_for` merges `tool_choice` with a
`tool_config` into the `ToolConfig` that is sent. Every function mirrors its namesake in
`langchain_google_genai.chat_models`, so the same bindings send the same request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.genai import types
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.function_declarations import convert_to_genai_tools

__all__ = [
    "ToolChoice",
    "bind_payload",
    "format_tools",
    "tool_choice_to_tool_config",
    "tool_config_for",
    "tool_name",
    "tool_to_dict",
]

ToolChoice = str | bool | Mapping[str, Any] | Sequence[str]
"""`"auto"`, `"any"`/`"required"`/`True`, `"none"`, a function name, a list of names, or a
`FunctionCallingConfig`-shaped dict."""

_CODE_EXECUTION = types.Tool(code_execution=types.ToolCodeExecution())


def _invalid(message: str) -> InvalidRequestError:
    return InvalidRequestError(message)


def tool_to_dict(tool: types.Tool) -> dict[str, Any]:
    """A `Tool` as the plain nested dict langchain-google-genai binds (`model_dump`, deep)."""

    def plain(raw: Any) -> Any:
        if isinstance(raw, list):
            return [plain(v) for v in raw]
        if isinstance(raw, dict):
            return {k: plain(v) for k, v in raw.items()}
        if hasattr(raw, "__dict__"):
            return plain(raw.__dict__)
        return raw

    result: dict[str, Any] = plain(tool.model_dump())
    return result


def bind_payload(tools: Sequence[Any]) -> list[Any]:
    """What `bind_tools` binds as `tools`: OpenAI tool dicts, else plain `Tool` dicts.

    Raises:
        InvalidRequestError: A tool cannot be converted.
    """
    try:
        return [convert_to_openai_tool(tool) for tool in tools]
    except Exception:  # Gemini-native tools: converted as lcgg does
        try:
            return [tool_to_dict(tool) for tool in convert_to_genai_tools(list(tools))]
        except (ValueError, TypeError, KeyError, AttributeError, NotImplementedError) as exc:
            raise _invalid(f"cannot convert the tools: {exc}") from None


def format_tools(
    tools: Sequence[Any] | None, functions: Sequence[Any] | None = None
) -> list[types.Tool] | None:
    """The `Tool`s sent for a call's `tools` (or legacy `functions`).

    Raises:
        InvalidRequestError: A tool cannot be converted.
    """
    if tools is not None and list(tools) == [_CODE_EXECUTION]:
        return list(tools)
    try:
        if tools:
            return convert_to_genai_tools(tools)
        if functions:
            return convert_to_genai_tools(functions)
    except (ValueError, TypeError, KeyError, AttributeError, NotImplementedError) as exc:
        raise _invalid(f"cannot convert the tools: {exc}") from None
    return None


def _function_names(tools: Sequence[types.Tool]) -> list[str]:
    names: list[str] = []
    for tool in tools:
        if tool.function_declarations:
            names.extend(str(f.name) for f in tool.function_declarations)
    return names


def tool_choice_to_tool_config(choice: ToolChoice, names: Sequence[str]) -> types.ToolConfig:
    """A LangChain `tool_choice` as Gemini's `ToolConfig` (langchain-google-genai's mapping).

    `"any"`, `"required"` and `True` allow every declared function; a name or a list of names
    allows those; `"auto"` and `"none"` are Gemini's modes; a dict may be a
    `FunctionCallingConfig` (`{"mode": ...}`) or hold one (`{"function_calling_config": ...}`).

    Raises:
        InvalidRequestError: The choice is not understood.
    """
    allowed: list[str] | None = None
    if choice is True or choice in ("any", "required"):
        mode, allowed = "ANY", list(names)
    elif choice in ("auto", "none"):
        mode = str(choice).upper()
    elif isinstance(choice, str):
        mode, allowed = "ANY", [choice]
    elif isinstance(choice, list):
        mode, allowed = "ANY", list(choice)
    elif isinstance(choice, Mapping) and "mode" in choice:
        mode, allowed = choice["mode"], choice.get("allowed_function_names")
    elif isinstance(choice, Mapping) and "function_calling_config" in choice:
        config = choice["function_calling_config"]
        mode, allowed = config["mode"], config.get("allowed_function_names")
    else:
        raise _invalid(
            f"unrecognized tool_choice {choice!r}: use 'auto', 'any', 'required', 'none', a "
            "function name, a list of names, or a FunctionCallingConfig dict"
        )
    try:
        return types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode=types.FunctionCallingConfigMode(mode), allowed_function_names=allowed
            )
        )
    except ValueError as exc:
        raise _invalid(f"unrecognized tool_choice mode {mode!r}: {exc}") from None


def tool_config_for(
    tool_choice: ToolChoice | None,
    tool_config: Mapping[str, Any] | types.ToolConfig | None,
    tools: Sequence[types.Tool] | None,
) -> types.ToolConfig | None:
    """The `ToolConfig` for a call: `tool_choice` sets function calling, `tool_config` the rest.

    Raises:
        InvalidRequestError: `tool_choice` without tools, or together with a
            `tool_config.function_calling_config`.
    """
    normalized: types.ToolConfig | None = None
    if tool_config:
        try:
            normalized = (
                types.ToolConfig.model_validate(tool_config)
                if isinstance(tool_config, Mapping)
                else tool_config
            )
        except ValueError as exc:
            raise _invalid(f"invalid tool_config: {exc}") from None
    if not tool_choice:
        return normalized
    if normalized is not None and normalized.function_calling_config:
        raise _invalid(
            "Cannot specify both tool_choice and tool_config.function_calling_config. "
            f"Received tool_choice={tool_choice!r} and "
            f"tool_config.function_calling_config={normalized.function_calling_config}"
        )
    if not tools:
        raise _invalid(
            f"tool_choice={tool_choice!r} was given without tools: 'tool_choice' can only be "
            "specified if 'tools' is specified."
        )
    names = _function_names(tools)
    if not names:  # only built-in tools (search, maps, ...): no function to choose
        return normalized
    config = tool_choice_to_tool_config(tool_choice, names)
    if normalized is not None:
        return types.ToolConfig(
            function_calling_config=config.function_calling_config,
            retrieval_config=normalized.retrieval_config,
        )
    return config


def tool_name(schema: Any) -> str:
    """The function name a schema is declared under (for `with_structured_output`)."""
    try:
        tools = convert_to_genai_tools([schema])
        declarations = tools[0].function_declarations or []
        return str(declarations[0].name)
    except ValueError:
        return str(convert_to_openai_tool(schema)["function"]["name"])
