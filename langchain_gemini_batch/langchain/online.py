"""Single calls of `ChatGeminiBatch`: online `generateContent` / `streamGenerateContent`.

`invoke`, `ainvoke` and `stream` reach these through `BaseChatModel` (which owns their
callbacks). With `invoke_via_batch=True` a single call is a batch job of one instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from langchain_gemini_batch.langchain.messages import messages_to_lm_input
from langchain_gemini_batch.langchain.output import StreamChunks, output_to_message
from langchain_gemini_batch.langchain.settings import batch_wait_options, split_call_options
from langchain_gemini_batch.schema import LMOutput

if TYPE_CHECKING:
    from langchain_gemini_batch.chat_models import ChatGeminiBatch

__all__ = ["generate_one", "stream_one"]


async def generate_one(
    model: ChatGeminiBatch,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> AIMessage:
    """One conversation, one answer: online, or as a job of one with `invoke_via_batch`.

    Raises:
        InvalidRequestError: The conversation or an option cannot be converted.
        RequestFailedError: The request failed (blocked prompt, or failed in its job).
        google.genai.errors.APIError: Google answered with an HTTP error.
    """
    options = split_call_options(model.model, stop, kwargs)
    lm_input = messages_to_lm_input(messages)
    invoker = model._invoker(options.model)
    if not model.invoke_via_batch:
        output = await invoker.invoke(lm_input, options.hyperparameters)
        return output_to_message(output, model=options.model)
    results = await invoker.batch.invoke(
        {"0": lm_input}, options.hyperparameters, **batch_wait_options(model)
    )
    result = results["0"]
    if not isinstance(result, LMOutput):
        raise result
    return output_to_message(result, model=options.model, batch=True)


async def stream_one(
    model: ChatGeminiBatch,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[AIMessageChunk]:
    """Stream one answer; the last chunk has `chunk_position="last"` and the metadata."""
    options = split_call_options(model.model, stop, kwargs)
    lm_input = messages_to_lm_input(messages)
    chunks = StreamChunks(options.model)
    async for output in model._invoker(options.model).stream(lm_input, options.hyperparameters):
        yield chunks.chunk(output)
    yield chunks.last()
