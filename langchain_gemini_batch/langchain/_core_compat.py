"""The only module that touches langchain-core's private names.

`ChatGeminiBatch.abatch` opens one LLM run per input itself (instead of N `ainvoke` calls),
so it repeats what `BaseChatModel` does around a call with private helpers and members: the
messages a tracer sees (`_format_for_tracing`), the messages the model is given
(`_normalize_messages`: OpenAI and LangChain v0 data blocks as v1 blocks), `output_version="v1"`
content (`_update_message_content_to_blocks`), and the model's own `_convert_input`,
`_get_invocation_params`, `_get_ls_params_with_defaults`, `_serialized`, `_get_llm_string` and
`_convert_cached_generations`. Each is looked up when first needed; a langchain-core release
that moves one falls back to a public equivalent (tracing, v1 content) or raises a
`CoreCompatibilityError` naming the version.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import langchain_core
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration

from langchain_gemini_batch.errors import GeminiBatchError

__all__ = [
    "CoreCompatibilityError",
    "cached_generations",
    "convert_input",
    "format_for_tracing",
    "invocation_params",
    "llm_string",
    "ls_params",
    "normalize_messages",
    "serialized",
    "to_v1_content",
]


class CoreCompatibilityError(GeminiBatchError, ImportError):
    """The installed langchain-core lacks an internal this package relies on."""


@cache
def _private(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found


def format_for_tracing(messages: list[BaseMessage]) -> list[BaseMessage]:
    """The messages as `BaseChatModel` shows them to tracers (image blocks rewritten)."""
    helper = _private("langchain_core.language_models.chat_models", "_format_for_tracing")
    return list(helper(messages)) if helper else messages


def normalize_messages(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The messages as `BaseChatModel` hands them to a model (data blocks as v1 blocks).

    Raises:
        CoreCompatibilityError: This langchain-core has no `_normalize_messages`.
    """
    helper = _private("langchain_core.language_models._utils", "_normalize_messages")
    if helper is None:
        raise CoreCompatibilityError(
            f"langchain-core {langchain_core.__version__} has no "
            "langchain_core.language_models._utils._normalize_messages; "
            "langchain-gemini-batch needs langchain-core>=1.8,<2"
        )
    return list(helper(messages))


def to_v1_content(message: AIMessage) -> AIMessage:
    """The message with `content_blocks` as its content (`output_version="v1"`)."""
    helper = _private("langchain_core.language_models._utils", "_update_message_content_to_blocks")
    if helper is not None:
        updated: AIMessage = helper(message, "v1")
        return updated
    metadata = {**message.response_metadata, "output_version": "v1"}
    return message.model_copy(
        update={"content": message.content_blocks, "response_metadata": metadata}
    )


def _member(model: BaseChatModel, name: str) -> Any:
    try:
        return getattr(model, name)
    except AttributeError:
        raise CoreCompatibilityError(
            f"langchain-core {langchain_core.__version__} has no BaseChatModel.{name}; "
            "langchain-gemini-batch needs langchain-core>=1.8,<2"
        ) from None


def convert_input(model: BaseChatModel, value: LanguageModelInput) -> list[BaseMessage]:
    """An input (string, messages, prompt value) as messages, as `invoke` reads it."""
    messages: list[BaseMessage] = _member(model, "_convert_input")(value).to_messages()
    return messages


def invocation_params(
    model: BaseChatModel, stop: list[str] | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The `invocation_params` LangChain traces for a call."""
    params: dict[str, Any] = _member(model, "_get_invocation_params")(stop=stop, **kwargs)
    return params


def ls_params(
    model: BaseChatModel, stop: list[str] | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The `ls_*` metadata LangChain traces for a call (with core's defaults)."""
    params: dict[str, Any] = _member(model, "_get_ls_params_with_defaults")(stop=stop, **kwargs)
    return params


def serialized(model: BaseChatModel) -> dict[str, Any]:
    """The model as `on_chat_model_start` reports it."""
    value: dict[str, Any] = _member(model, "_serialized")
    return value


def llm_string(model: BaseChatModel, stop: list[str] | None, kwargs: dict[str, Any]) -> str:
    """The LLM-cache key part that names the model and its settings."""
    return str(_member(model, "_get_llm_string")(stop=stop, **kwargs))


def cached_generations(model: BaseChatModel, hit: list[Any]) -> list[ChatGeneration]:
    """A cache hit as chat generations (old cached `Generation`s upgraded)."""
    generations: list[ChatGeneration] = _member(model, "_convert_cached_generations")(hit)
    return generations
