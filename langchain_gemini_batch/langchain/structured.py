"""`with_structured_output` for `ChatGeminiBatch`, composed so `abatch` stays one batch job.

Every variant is `model.bind(...) | parser`, a sequence whose model step receives the whole
batch. `include_raw=True` is built as `model | {"raw": message} | parse-with-fallback`
instead of LangChain's usual `RunnableMap(raw=model) | ...`, because a map calls the model
once per input (one batch job each).
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

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

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput

    from langchain_gemini_batch.chat_models import ChatGeminiBatch

__all__ = ["StructuredMethod", "structured_output"]

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
_JSON = "application/json"


def _is_pydantic(schema: object) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def _json_parser(schema: object) -> BaseOutputParser[Any]:
    if _is_pydantic(schema):
        return PydanticOutputParser(pydantic_object=schema)
    return JsonOutputParser()


def _bound_and_parser(
    model: ChatGeminiBatch,
    schema: dict[str, Any] | type | None,
    method: StructuredMethod,
    strict: bool | None,
) -> tuple[Runnable[LanguageModelInput, BaseMessage], Runnable[Any, Any]]:
    ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    if method == "function_calling":
        if schema is None:
            raise ValueError("method='function_calling' needs a schema")
        name = convert_to_openai_tool(schema)["function"]["name"]
        bound = model.bind_tools([schema], tool_choice=name, ls_structured_output_format=ls_format)
        parser: Runnable[Any, Any] = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)
            if _is_pydantic(schema)
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
        return bound, parser
    if method == "json_schema":
        if schema is None:
            raise ValueError("method='json_schema' needs a schema; use method='json_mode'")
        bound = model.bind(
            response_mime_type=_JSON,
            response_json_schema=convert_to_json_schema(schema),  # pydantic v1 or v2, TypedDict
            ls_structured_output_format=ls_format,
        )
        return bound, _json_parser(schema)
    if method == "json_mode":
        kwargs: dict[str, Any] = {"response_mime_type": _JSON}
        if schema is not None:
            kwargs["ls_structured_output_format"] = ls_format
        return model.bind(**kwargs), _json_parser(schema)
    raise ValueError(
        f"unknown method {method!r}: use 'json_schema', 'function_calling' or 'json_mode'"
    )


def _as_raw(message: BaseMessage) -> dict[str, Any]:
    return {"raw": message}


def structured_output(
    model: ChatGeminiBatch,
    schema: dict[str, Any] | type | None,
    *,
    method: StructuredMethod = "json_schema",
    include_raw: bool = False,
    strict: bool | None = None,
) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
    """Build the structured-output runnable (see `ChatGeminiBatch.with_structured_output`)."""
    bound, parser = _bound_and_parser(model, schema, method, strict)
    if not include_raw:
        return bound | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    safe_parse = parse.with_fallbacks([no_parse], exception_key="parsing_error")
    return bound | RunnableLambda(_as_raw) | safe_parse
