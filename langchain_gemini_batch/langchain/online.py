"""Single calls of `ChatGeminiBatch`: online `generateContent` / `streamGenerateContent`.

`invoke`, `ainvoke` and `stream` reach these through `BaseChatModel` (which owns their
callbacks and has already normalized the messages). With `invoke_via_batch=True` a single call
is a batch job of one instead. A blocked prompt is an empty `AIMessage` carrying
`response_metadata["prompt_feedback"]`, as langchain-google-genai returns it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.langchain.generation import call_options
from langchain_gemini_batch.langchain.messages import to_gemini_contents
from langchain_gemini_batch.langchain.output import (
    StreamChunks,
    blocked_message,
    output_to_message,
)
from langchain_gemini_batch.langchain.settings import ChatRuntime
from langchain_gemini_batch.schema import LMOutput

__all__ = ["generate_one", "stream_one"]


async def generate_one(
    runtime: ChatRuntime,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> AIMessage:
    """One conversation, one answer: online, or as a job of one with `invoke_via_batch`.

    Raises:
        InvalidRequestError: The conversation or an option cannot be converted.
        RequestFailedError: The request failed in its batch job.
        GeminiAPIError: Google answered with an HTTP error (or could not be reached).
    """
    options = call_options(runtime.chat, stop, kwargs)
    contents = to_gemini_contents(
        messages,
        model=options.model,
        convert_system_message_to_human=runtime.chat.convert_system_message_to_human,
    )
    invoker = runtime.invoker_for(options)
    if not runtime.batch.invoke_via_batch:
        try:
            output = await invoker.invoke(contents, options.hyperparameters)
        except RequestFailedError as error:
            if error.prompt_feedback is None:
                raise
            return blocked_message(error, batch=False)
        return output_to_message(output, model=options.model)
    results = await invoker.batch.invoke(
        {"0": contents}, options.hyperparameters, **runtime.batch.wait_options()
    )
    result = results["0"]
    if isinstance(result, RequestFailedError) and result.prompt_feedback is not None:
        return blocked_message(result, batch=True)
    if not isinstance(result, LMOutput):
        raise result
    return output_to_message(result, model=options.model, batch=True)


async def stream_one(
    runtime: ChatRuntime,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[AIMessageChunk]:
    """Stream one answer; the last chunk has `chunk_position="last"` and the metadata."""
    options = call_options(runtime.chat, stop, kwargs)
    contents = to_gemini_contents(
        messages,
        model=options.model,
        convert_system_message_to_human=runtime.chat.convert_system_message_to_human,
    )
    chunks = StreamChunks(options.model)
    invoker = runtime.invoker_for(options)
    try:
        async for output in invoker.stream(contents, options.hyperparameters):
            yield chunks.chunk(output)
    except RequestFailedError as error:
        if error.prompt_feedback is None:
            raise
        yield chunks.blocked(error)
    yield chunks.last()
