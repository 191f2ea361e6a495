"""`with_structured_output` for `ChatGeminiBatch`, composed so `abatch` stays one batch job.

The request is the one langchain-google-genai 4.4 sends: `json_schema` (and its deprecated
alias `json_mode`) binds `response_mime_type="application/json"` and `response_json_schema`
(a pydantic model's own JSON schema), `function_calling` binds the schema as a tool with
`tool_choice` naming it. Every variant is `model.bind(...) | parser`, a sequence whose model
step receives the whole batch. The one difference: `include_raw=True` is built as
`model | {"raw": message} | parse-with-fallback` instead of `{"raw": model} | ...`, because a
map calls the model once per input (one batch job each); the result has the same shape.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers import (
    BaseOutputParser,
    JsonOutputParser,
    PydanticOutputParser,
)
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic.v1 import BaseModel as BaseModelV1
from typing_extensions import is_typeddict

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.tools import tool_name

__all__ = ["StructuredMethod", "structured_output"]

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
_JSON = "application/json"


def _is_pydantic(schema: object) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def _json_schema(
    model: BaseChatModel, schema: dict[str, Any] | type | None, method: StructuredMethod
) -> tuple[Runnable[LanguageModelInput, BaseMessage], BaseOutputParser[Any]]:
    parser: BaseOutputParser[Any]
    if schema is None:  # JSON without a schema (langchain-google-genai refuses this)
        return model.bind(response_mime_type=_JSON), JsonOutputParser()
    if _is_pydantic(schema):
        model_class: Any = schema
        json_schema = (
            model_class.schema()
            if issubclass(model_class, BaseModelV1)
            else model_class.model_json_schema()
        )
        parser = PydanticOutputParser(pydantic_object=schema)
        ls_schema = convert_to_json_schema(schema)
    elif is_typeddict(schema):
        json_schema = ls_schema = convert_to_json_schema(schema)
        parser = JsonOutputParser()
    elif isinstance(schema, dict):
        json_schema, parser = schema, JsonOutputParser()
        ls_schema = convert_to_json_schema(schema) if "title" in schema else schema
    else:
        raise InvalidRequestError(f"Unsupported schema type {type(schema)}")
    bound = model.bind(
        response_mime_type=_JSON,
        response_json_schema=json_schema,
        ls_structured_output_format={"kwargs": {"method": method}, "schema": ls_schema},
    )
    return bound, parser


def _function_calling(
    model: BaseChatModel, schema: dict[str, Any] | type | None
) -> tuple[Runnable[LanguageModelInput, BaseMessage], Runnable[Any, Any]]:
    if schema is None:
        raise InvalidRequestError("method='function_calling' needs a schema")
    name = tool_name(schema)
    parser: Runnable[Any, Any] = (
        PydanticToolsParser(tools=[schema], first_tool_only=True)
        if _is_pydantic(schema)
        else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
    )
    ls_format = {"kwargs": {"method": "function_calling"}, "schema": convert_to_openai_tool(schema)}
    bound = model.bind_tools([schema], tool_choice=name, ls_structured_output_format=ls_format)
    return bound, parser


def _as_raw(message: BaseMessage) -> dict[str, Any]:
    return {"raw": message}


def structured_output(
    model: BaseChatModel,
    schema: dict[str, Any] | type | None,
    *,
    method: StructuredMethod | None = "json_schema",
    include_raw: bool = False,
) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
    """Build the structured-output runnable (see `ChatGeminiBatch.with_structured_output`).

    Raises:
        InvalidRequestError: The method is unknown, or the schema cannot be used with it.
    """
    bound: Runnable[LanguageModelInput, BaseMessage]
    parser: Runnable[Any, Any]
    if method in (None, "json_schema", "json_mode"):
        bound, parser = _json_schema(model, schema, method or "json_schema")
    elif method == "function_calling":
        bound, parser = _function_calling(model, schema)
    else:
        raise InvalidRequestError(
            f"unknown method {method!r}: use 'json_schema', 'function_calling' or 'json_mode'"
        )
    if not include_raw:
        return bound | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    safe_parse = parse.with_fallbacks([no_parse], exception_key="parsing_error")
    return bound | RunnableLambda(_as_raw) | safe_parse
