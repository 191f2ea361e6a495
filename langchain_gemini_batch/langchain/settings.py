"""`ChatGeminiBatch` settings and LangChain call options, as Gemini hyperparameters.

The chat model's fields become an invoker's default hyperparameters (`cached_invoker`).

LangChain hands a chat model keyword arguments that are not for the provider: `stop`,
`ls_structured_output_format` (tracing only), and the LangChain spellings `max_tokens`,
`tools` (LangChain tools) and `tool_choice`. `split_call_options` takes those out and
translates them; every other name must be a `GenerateContentConfig` field, and the invoker
rejects unknown ones (`UnknownParameterError`, with a suggestion) before anything is sent.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.utils.function_calling import convert_to_json_schema

from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.errors import UnknownParameterError
from langchain_gemini_batch.invoker import GoogleLMInvoker
from langchain_gemini_batch.langchain.tools import (
    function_names,
    tool_choice_to_config,
    tools_to_gemini,
)

if TYPE_CHECKING:
    from langchain_gemini_batch.chat_models import ChatGeminiBatch

__all__ = [
    "CallOptions",
    "batch_wait_options",
    "cached_invoker",
    "ls_structured_output_options",
    "model_hyperparameters",
    "reject_unknown_arguments",
    "split_call_options",
]

_TRACING_ONLY = ("ls_structured_output_format", "structured_output_format")
_LANGCHAIN_ONLY = ("stream",)


@dataclass(frozen=True)
class CallOptions:
    """One call's options, sorted by who reads them.

    Attributes:
        model: The model to call (`kwargs["model"]` overrides the chat model's).
        stop: Stop sequences given to this call (`None` when not given).
        hyperparameters: Gemini settings for this call, over the chat model's defaults.
        ls_structured_output_format: What `with_structured_output` asked for (traces only).
    """

    model: str
    stop: list[str] | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    ls_structured_output_format: dict[str, Any] | None = None


def split_call_options(
    default_model: str, stop: list[str] | None, kwargs: Mapping[str, Any]
) -> CallOptions:
    """Sort a call's keyword arguments into the model, stop sequences and hyperparameters.

    Args:
        default_model: The chat model's `model`.
        stop: The call's `stop` argument (a `stop` in `kwargs` is used when this is `None`).
        kwargs: The call's other keyword arguments, unchanged.

    Returns:
        The sorted options; `stop`, `max_tokens`, `tools` and `tool_choice` become
        `stop_sequences`, `max_output_tokens`, Gemini `tools` and `tool_config`.

    Raises:
        ValueError: A tool or `tool_choice` cannot be converted.
    """
    options = dict(kwargs)
    ls_format = None
    for name in _TRACING_ONLY:
        ls_format = options.pop(name, None) or ls_format
    for name in _LANGCHAIN_ONLY:
        options.pop(name, None)
    model = options.pop("model", None) or default_model
    call_stop = options.pop("stop", None)
    stop = stop if stop is not None else call_stop
    if stop:
        options["stop_sequences"] = list(stop)
    if "max_tokens" in options:
        options["max_output_tokens"] = options.pop("max_tokens")
    if options.get("tools") is not None:
        options["tools"] = tools_to_gemini(options["tools"])
    tool_choice = options.pop("tool_choice", None)
    if tool_choice is not None:
        names = function_names(options.get("tools") or [])
        options["tool_config"] = tool_choice_to_config(tool_choice, names)
    return CallOptions(
        model=str(model),
        stop=list(stop) if stop is not None else None,
        hyperparameters=options,
        ls_structured_output_format=ls_format,
    )


def ls_structured_output_options(ls_format: Mapping[str, Any] | None) -> dict[str, Any]:
    """The `options` entry LangChain traces for structured output (as core builds it)."""
    if not ls_format:
        return {}
    try:
        schema = convert_to_json_schema(ls_format["schema"])
    except ValueError:
        return {}
    kwargs = ls_format.get("kwargs", {})
    return {"ls_structured_output_format": {"kwargs": kwargs, "schema": schema}}


def model_hyperparameters(model: ChatGeminiBatch) -> dict[str, Any]:
    """The chat model's generation fields as Gemini hyperparameters (unset ones left out)."""
    thinking = {
        "thinking_budget": model.thinking_budget,
        "include_thoughts": model.include_thoughts,
        "thinking_level": model.thinking_level,
    }
    settings = {
        "temperature": model.temperature,
        "top_p": model.top_p,
        "top_k": model.top_k,
        "max_output_tokens": model.max_output_tokens,
        "stop_sequences": list(model.stop) if model.stop else None,
        "safety_settings": model.safety_settings,
        "cached_content": model.cached_content,
        "thinking_config": {k: v for k, v in thinking.items() if v is not None} or None,
    }
    return {k: v for k, v in settings.items() if v is not None}


def cached_invoker(
    model: ChatGeminiBatch, cache: dict[tuple[Any, ...], GoogleLMInvoker], name: str
) -> GoogleLMInvoker:
    """The invoker for model `name` with the chat model's settings, from `cache` or new.

    Keyed by every setting it is built from, so a `model_copy(update=...)` (which shares the
    cache) or a field changed after construction gets a fresh invoker. Builds no client.
    """
    settings = model_hyperparameters(model)
    limits = BatchLimits(inline_max_bytes=model.batch_inline_max_bytes)
    key: tuple[Any, ...] = (name, repr(settings), model.google_api_key, model.base_url)
    key += (model.timeout, model.max_retries, limits)
    invoker = cache.get(key)
    if invoker is None:
        invoker = GoogleLMInvoker(
            name,
            model.google_api_key,
            default_hyperparameters=settings,
            base_url=model.base_url,
            timeout=model.timeout,
            max_retries=model.max_retries,
            batch_limits=limits,
        )
        invoker = cache.setdefault(key, invoker)
    return invoker


def batch_wait_options(model: ChatGeminiBatch) -> dict[str, Any]:
    """`display_name`, `polling`, `max_wait` and `cancel_on_exit` for `batch.invoke`."""
    return {
        "display_name": model.batch_display_name,
        "polling": PollingPolicy(model.batch_poll_interval, model.batch_poll_max_interval),
        "max_wait": model.batch_timeout,
        "cancel_on_exit": model.batch_cancel_on_exit,
    }


def reject_unknown_arguments(cls: type[ChatGeminiBatch], values: Any) -> Any:
    """Raise `UnknownParameterError` (naming the closest field) for an unknown argument.

    Pydantic would otherwise drop it silently, turning a typo into a default.
    """
    if isinstance(values, dict):
        fields = cls.model_fields
        known = set(fields) | {f.alias for f in fields.values() if f.alias}
        for name in values:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise UnknownParameterError(f"unknown {cls.__name__} argument {name!r}{hint}")
    return values
