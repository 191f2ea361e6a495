"""LangChain tools to google-genai `Tool`s, exactly as langchain-google-genai 4.4 builds them.

A port of `langchain_google_genai._function_utils` (MIT licence, langchain-ai/langchain-google)
so that `ChatGeminiBatch` puts the same `tools` on the wire as `ChatGoogleGenerativeAI`: function
parameters become Gemini's OpenAPI-subset `Schema` (`parameters`), built by the same rules
(unsupported JSON-schema keywords dropped, `$ref`s inlined, nullable unions collapsed, ...), and
Gemini's built-in tools (`google_search`, `code_execution`, `url_context`, ...) each become a
`Tool` of their own. A contract test builds both sides from the same tools and compares them.
Pure functions, no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from google.genai import types
from langchain_core.tools import BaseTool
from langchain_core.tools import tool as callable_as_lc_tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.json_schema import dereference_refs
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel
from pydantic.v1 import BaseModel as BaseModelV1

__all__ = ["convert_to_genai_tools"]

logger = logging.getLogger("langchain_gemini_batch")

# fmt: off
_ALLOWED_SCHEMA_FIELDS = frozenset((
    "type", "type_", "description", "enum", "format", "items", "properties", "required",
    "nullable", "anyOf", "default", "minimum", "maximum", "minLength", "maxLength", "pattern",
    "minItems", "maxItems", "title",
))
# fmt: on
"""JSON-schema keywords kept in a function's `parameters`; the others are dropped."""

_SPECIAL_TOOLS: dict[str, type[Any]] = {
    "google_search_retrieval": types.GoogleSearchRetrieval,
    "google_search": types.GoogleSearch,
    "google_maps": types.GoogleMaps,
    "code_execution": types.ToolCodeExecution,
    "url_context": types.UrlContext,
    "computer_use": types.ComputerUse,
    "enterprise_web_search": types.EnterpriseWebSearch,
    "file_search": types.FileSearch,
    "retrieval": types.Retrieval,
    "parallel_ai_search": types.ToolParallelAiSearch,
    "exa_ai_search": types.ToolExaAiSearch,
    "mcp_servers": types.McpServer,
}
"""Built-in tool keys, each sent as a `Tool` of its own, and the type of its value."""


def _type_value(value: Any) -> Any:
    if isinstance(value, dict):
        return value["_value_"]
    if isinstance(value, str):
        return value
    raise ValueError(f"Invalid type: {value}")


def _format_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "definitions":
            continue
        if key == "items":
            if value is not None:
                converted["items"] = _format_json_schema(value)
        elif key == "properties":
            converted["properties"] = _properties(value)
        elif key == "allOf":
            if len(value) > 1:
                logger.warning("only the first 'allOf' schema is used, %d given", len(value))
            return _format_json_schema(value[0])
        elif key in ("type", "type_"):
            converted["type"] = _type_value(value)
        elif key not in _ALLOWED_SCHEMA_FIELDS:
            logger.warning("schema keyword %r is not supported by Gemini; ignored", key)
        else:
            converted[key] = value
    return converted


def _dict_to_schema(
    schema: dict[str, Any], is_property: bool = False, is_any_of_item: bool = False
) -> types.Schema | None:
    formatted = _format_json_schema(dereference_refs(schema))
    out: dict[str, Any] = {}
    if "type" in formatted and "anyOf" not in formatted:
        out["type"] = types.Type(_type_value(formatted["type"]))
    if "description" in formatted:
        out["description"] = formatted["description"]
    if "title" in formatted and (not is_property or is_any_of_item):
        out["title"] = formatted["title"]
    if "properties" in formatted:
        out["properties"] = {
            name: _dict_to_schema(prop, is_property=True)
            for name, prop in formatted["properties"].items()
        }
    if formatted.get("required") is not None:
        out["required"] = formatted["required"]
    elif not is_property:
        out["required"] = []
    if "items" in formatted:
        out["items"] = _dict_to_schema(formatted["items"], is_property=True)
    if "enum" in formatted:
        out["enum"] = formatted["enum"]
    if "nullable" in formatted:
        out["nullable"] = formatted["nullable"]
    if "anyOf" in formatted:
        items = (
            _dict_to_schema(i, is_property=True, is_any_of_item=True) for i in formatted["anyOf"]
        )
        out["any_of"] = [item for item in items if item]
    if "type" not in out and "any_of" not in out:
        if is_property:
            out["type"] = types.Type.STRING
        elif "properties" in out:
            out["type"] = types.Type.OBJECT
        else:
            return None
    return types.Schema.model_validate(out)


def _nullable_type(schema: dict[str, Any]) -> types.Type | None:
    if "anyOf" in schema:
        found = [t for t in (_nullable_type(s) for s in schema["anyOf"]) if t is not None]
        return found[-1] if found else None
    if "type" in schema or "type_" in schema:
        type_ = schema["type"] if "type" in schema else schema["type_"]
        if isinstance(type_, types.Type):
            return type_
        if isinstance(type_, int):
            raise ValueError(f"Invalid type, int not supported: {type_}")
        if isinstance(type_, dict):
            return types.Type(type_["_value_"])
        if isinstance(type_, str):
            return None if type_ == "null" else types.Type(type_)
    return None


def _schema_type(schema: dict[str, Any]) -> types.Type:
    return _nullable_type(schema) or types.Type.STRING


def _is_nullable(schema: dict[str, Any]) -> bool:
    if "anyOf" in schema:
        return any(_nullable_type(s) is None for s in schema["anyOf"])
    if "type" in schema or "type_" in schema:
        type_ = schema["type"] if "type" in schema else schema["type_"]
        if isinstance(type_, int):
            return type_ == 7
    return False


def _items(schema: Any) -> dict[str, Any]:
    items: dict[str, Any] = {}
    if isinstance(schema, list):
        for index, value in enumerate(schema):
            items[f"item{index}"] = _properties(value) if isinstance(value, dict) else {}
    elif isinstance(schema, dict):
        items["type"] = _schema_type(schema)
        if items["type"] == types.Type.OBJECT and "properties" in schema:
            props = schema["properties"]
            items["properties"] = _properties(props) if isinstance(props, dict) else {}
        if items["type"] == types.Type.ARRAY and "items" in schema:
            items["items"] = _format_json_schema(schema["items"])
        if "title" in schema or "description" in schema:
            items["description"] = schema.get("description") or schema.get("title")
        if "enum" in schema:
            items["enum"] = schema["enum"]
        if _is_nullable(schema):
            items["nullable"] = True
        if "required" in schema:
            items["required"] = schema["required"]
    elif isinstance(schema, str) and schema:
        items["type"] = _schema_type({"type": schema})
    elif isinstance(schema, str):
        items["type"] = types.Type.STRING
    return items


def _collapse_any_of(item: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
    """The branch of a nullable `anyOf` that decides the property (enum and items kept)."""
    any_of = v.get("anyOf")
    if not any_of:
        return v
    enum, items = v.get("enum"), v.get("items")
    if item["type"] in (types.Type.ARRAY, types.Type.OBJECT):
        wanted = "array" if item["type"] == types.Type.ARRAY else "object"
        chosen = [s for s in any_of if s.get("type") == wanted][-1]
    else:
        non_null = [s for s in any_of if s.get("type") != "null"]
        if not non_null:
            return v
        chosen = non_null[-1]
    collapsed = dict(chosen)
    if enum and not collapsed.get("enum"):
        collapsed["enum"] = enum
    if items and not collapsed.get("items"):
        collapsed["items"] = items
    return collapsed


def _property(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    description = schema.get("description")
    v = schema
    if v.get("anyOf") and all(s.get("type") != "null" for s in v.get("anyOf", [])):
        item["anyOf"] = [_format_json_schema(s) for s in v.get("anyOf", [])]
    elif v.get("type") or v.get("anyOf") or v.get("type_"):
        item["type"] = _schema_type(v)
        if _is_nullable(v):
            item["nullable"] = True
        v = _collapse_any_of(item, v)
    if v.get("enum"):
        item["enum"] = v["enum"]
    text = v.get("description") or description
    if text and isinstance(text, str):
        item["description"] = text
    if item.get("type") == types.Type.ARRAY and v.get("items") is not None:
        item["items"] = _items(v.get("items"))
    if item.get("type") == types.Type.OBJECT:
        any_of = v.get("anyOf")
        if any_of and isinstance(any_of, list) and isinstance(any_of[0], dict):
            v = any_of[0]
        nested = v.get("properties")
        if nested:
            item["properties"] = _properties(nested) if isinstance(nested, dict) else {}
            if isinstance(nested, dict):
                item["required"] = [k for k, p in nested.items() if "default" not in p]
        elif not v.get("additionalProperties"):
            item["type"] = types.Type.STRING
    if name == "title" and "description" not in item:
        item["description"] = name + " is " + str(v)
    return item


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, value in schema.items():
        if not isinstance(name, str) or not isinstance(value, dict):
            logger.warning("schema property %r is not supported; ignored", name)
            continue
        properties[name] = _property(name, value)
    return properties


def _from_dict(tool: dict[str, Any]) -> types.FunctionDeclaration:
    return types.FunctionDeclaration(
        name=str(tool.get("name") or tool.get("title") or "MISSING_NAME"),
        description=tool.get("description") or None,
        parameters=_dict_to_schema(tool.get("parameters", {})),
    )


def _args_schema(tool: BaseTool) -> dict[str, Any]:
    schema = tool.args_schema
    if isinstance(schema, dict):
        return schema
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if isinstance(schema, type) and issubclass(schema, BaseModelV1):
        return dict(schema.schema())
    raise NotImplementedError(
        f"args_schema must be a Pydantic BaseModel or JSON schema, got {schema}."
    )


def _from_base_tool(tool: BaseTool) -> types.FunctionDeclaration:
    if not tool.args_schema:
        return types.FunctionDeclaration(
            name=tool.name,
            description=tool.description,
            parameters=types.Schema(
                type=types.Type.OBJECT,
                properties={"__arg1": types.Schema(type=types.Type.STRING)},
                required=["__arg1"],
            ),
        )
    schema = _args_schema(tool)
    return types.FunctionDeclaration(
        name=tool.name or schema.get("title"),
        description=tool.description or schema.get("description"),
        parameters=_dict_to_schema(schema),
    )


def _from_pydantic(model: type[Any]) -> types.FunctionDeclaration:
    schema = model.model_json_schema() if issubclass(model, BaseModel) else model.schema()
    schema.pop("definitions", None)
    parameters = {k: v for k, v in schema.items() if k not in ("title", "description")}
    return types.FunctionDeclaration(
        name=schema.get("title"),
        description=schema.get("description"),
        parameters=_dict_to_schema(parameters),
    )


def _declaration(tool: Any) -> types.FunctionDeclaration:
    if isinstance(tool, BaseTool):
        return _from_base_tool(tool)
    if isinstance(tool, type) and is_basemodel_subclass(tool):
        return _from_pydantic(tool)
    if isinstance(tool, dict):
        if all(k in tool for k in ("type", "function")) and tool["type"] == "function":
            function = tool["function"]
        elif all(k in tool for k in ("name", "description")) and "parameters" not in tool:
            function = tool
        elif "parameters" in tool and (tool["parameters"] or {}).get("properties"):
            function = convert_to_openai_tool(tool)["function"]
        else:
            function = tool
        function["parameters"] = function.get("parameters") or {}
        if not function["parameters"].get("properties"):
            function["parameters"] = {}
        return _from_dict(function)
    if callable(tool):
        return _from_base_tool(callable_as_lc_tool()(tool))
    raise ValueError(f"Unsupported tool type {tool}")


def _special_tool(key: str, value: Any) -> types.Tool:
    kind = _SPECIAL_TOOLS[key]
    if key == "mcp_servers":
        return types.Tool(mcp_servers=[kind(**s) if isinstance(s, dict) else s for s in value])
    if not isinstance(value, dict):
        return types.Tool(**{key: value})
    config = dict(value)
    if key == "computer_use" and "environment" in config:
        env = config["environment"]
        if isinstance(env, dict) and "_value_" in env:
            config["environment"] = env["_value_"]
        elif hasattr(env, "value"):
            config["environment"] = env.value
    return types.Tool(**{key: kind(**config)})


def convert_to_genai_tools(tools: Sequence[Any] | Any) -> list[types.Tool]:
    """Convert LangChain tools (and Gemini tool dicts) into google-genai `Tool`s.

    Every function becomes a declaration of one shared `Tool`, placed last; each built-in tool
    dict becomes a `Tool` of its own, in the order given.

    Raises:
        ValueError: A tool cannot be converted, a dict holds two built-in tools, or more than
            one `google_search_retrieval` tool is given.
    """
    if not isinstance(tools, Sequence):
        tools = [tools]
    result: list[types.Tool] = []
    declarations: list[types.FunctionDeclaration] = []
    for tool in tools:
        if isinstance(tool, types.Tool):
            result.append(tool)
        elif isinstance(tool, dict):
            special = [k for k in _SPECIAL_TOOLS if tool.get(k) is not None]
            if len(special) > 1:
                raise ValueError(
                    f"A single tool dict cannot have multiple special tool types. Found: "
                    f"{special}. Each special tool type must be in a separate dict or Tool."
                )
            if special:
                result.append(_special_tool(special[0], tool[special[0]]))
            elif tool.get("function_declarations") is not None:
                listed = tool["function_declarations"]
                if not isinstance(listed, Sequence):
                    raise ValueError(
                        f"function_declarations should be a list, got '{type(listed)}'"
                    )
                declarations.extend(_declaration(fd) for fd in listed)
            else:
                declarations.append(_declaration(tool))
        else:
            declarations.append(_declaration(tool))
    if declarations:
        result.append(types.Tool(function_declarations=declarations))
    if sum(1 for t in result if t.google_search_retrieval) > 1:
        raise ValueError(
            "Providing multiple google_search_retrieval tools is not supported. "
            "Only one google_search_retrieval tool can be used at a time."
        )
    return result
