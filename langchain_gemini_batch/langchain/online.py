"""Single calls of `ChatGeminiBatch`: online `generateContent` / `streamGenerateContent`.

`invoke`, `ainvoke` and `stream` reach these through `BaseChatModel` (which owns their
callbacks and has already normalized the messages). With `invoke_via_batch=True` a single call
is a batch job of one instead. A blocked prompt is an empty `AIMessage` carrying
`response_metadata["prompt_feedback"]`, as langchain-google-genai returns it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import nullcontext
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.runnables.config import var_child_runnable_config

from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.langchain.generation import call_options
from langchain_gemini_batch.langchain.messages import to_gemini_contents
from langchain_gemini_batch.langchain.output import (
    StreamChunks,
    blocked_message,
    output_to_message,
)
from langchain_gemini_batch.langchain.settings import ChatRuntime
from langchain_gemini_batch.progress import adispatch_progress_event
from langchain_gemini_batch.schema import BatchJobInfo, LMOutput

__all__ = ["generate_one", "stream_one"]


async def generate_one(
    runtime: ChatRuntime,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
    run_manager: AsyncCallbackManagerForLLMRun | None = None,
) -> AIMessage:
    """One conversation, one answer: online, or pooled into a shared batch job.

    With `invoke_via_batch=True` the request joins the model's `BatchPool`: calls made close
    together (from any chain shape, task or thread) share one batch job.

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
    if not runtime.batch.invoke_via_batch or runtime.pool is None:
        tracking = runtime.online_calls.track() if runtime.online_calls else nullcontext()
        with tracking:
            try:
                output = await invoker.invoke(contents, options.hyperparameters)
            except RequestFailedError as error:
                if error.prompt_feedback is None:
                    raise
                return blocked_message(error, batch=False)
        return output_to_message(output, model=options.model)
    builder = invoker.request_builder(options.hyperparameters)
    request = builder.build("pooled", contents)
    # The event belongs to this call's run; without a run manager (langchain-core's `astream`
    # passes none), to the run of the config in this task's context, captured here because
    # the pool reports on its own thread.
    config = var_child_runnable_config.get()

    async def progress(info: BatchJobInfo) -> None:
        with contextlib.suppress(RuntimeError):  # no run to attach the event to
            await adispatch_progress_event(info, run_manager=run_manager, config=config)

    result = await runtime.pool.run(
        invoker, request, structured=builder.structured, progress=progress
    )
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
    with runtime.online_calls.track() if runtime.online_calls else nullcontext():
        try:
            async for output in invoker.stream(contents, options.hyperparameters):
                yield chunks.chunk(output)
        except RequestFailedError as error:
            if error.prompt_feedback is None:
                raise
            yield chunks.blocked(error)
    yield chunks.last()
