"""The only module that touches langchain-core's private names.

`ChatGeminiBatch.abatch` opens one LLM run per input itself (instead of N `ainvoke` calls),
so it repeats three steps `BaseChatModel` performs with private helpers: the messages a tracer
sees (`_format_for_tracing`), the messages the model is given (`_normalize_messages`: OpenAI
and LangChain v0 data blocks as v1 blocks), and `output_version="v1"` content
(`_update_message_content_to_blocks`). Each is looked up when first needed; a langchain-core
release that moves one falls back to a public equivalent (tracing, v1 content) or raises a
`GeminiBatchError` naming the version (normalization, which decides what is sent).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import langchain_core
from langchain_core.messages import AIMessage, BaseMessage

from langchain_gemini_batch.errors import GeminiBatchError

__all__ = ["CoreCompatibilityError", "format_for_tracing", "normalize_messages", "to_v1_content"]


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
