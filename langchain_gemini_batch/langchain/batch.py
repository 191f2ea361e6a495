"""The core of `ChatGeminiBatch.abatch`: N LangChain inputs, one Gemini batch job, N LLM runs.

Each input gets what a normal chat-model call gives it: its own callback manager built from
its own config, `on_chat_model_start` (with the `ls_*` params and its run id), and exactly one
`on_llm_end` or `on_llm_error`. Between the two, every input that converts cleanly and is not
in the LLM cache becomes one request (keyed by its index) of one batch job. Inputs are
validated before anything is paid for: without `return_exceptions`, one input that cannot be
converted fails the call before any job is created; with it, that input fails alone. A request
that fails in the job fails alone; a job that fails, times out or is cancelled fails every
input still waiting, and every open run is closed before anything is raised. A blocked prompt
is an empty `AIMessage` with `response_metadata["prompt_feedback"]`, as online.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.caches import BaseCache
from langchain_core.callbacks import AsyncCallbackManager, AsyncCallbackManagerForLLMRun
from langchain_core.globals import get_llm_cache
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.load import dumps
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import get_config_list
from langchain_core.utils.utils import LC_ID_PREFIX

from langchain_gemini_batch._gc import gc_paused
from langchain_gemini_batch.batch.codecs import GenerateCodec
from langchain_gemini_batch.errors import (
    GeminiBatchError,
    IncompleteBatchError,
    InvalidRequestError,
    RequestFailedError,
    ResultMismatchError,
)
from langchain_gemini_batch.langchain._core_compat import (
    cached_generations,
    convert_input,
    format_for_tracing,
    invocation_params,
    llm_string,
    ls_params,
    normalize_messages,
    serialized,
    to_v1_content,
)
from langchain_gemini_batch.langchain.generation import call_options
from langchain_gemini_batch.langchain.messages import to_gemini_contents
from langchain_gemini_batch.langchain.outcomes import BatchOutcome
from langchain_gemini_batch.langchain.output import blocked_message, output_to_message
from langchain_gemini_batch.langchain.settings import (
    CallOptions,
    ChatRuntime,
    ls_structured_output_options,
)
from langchain_gemini_batch.progress import ProgressBar, adispatch_progress_event
from langchain_gemini_batch.schema import BatchJobInfo, GeminiContents, LMOutput

__all__ = ["BatchOutcome", "run_batch"]

logger = logging.getLogger("langchain_gemini_batch")


_NOT_TRACED = frozenset({"tools", "functions", "messages", "response_format"})


@dataclass
class _Slot:
    """One input on its way through the batch."""

    index: int
    messages: list[BaseMessage] | None = None
    lm_input: GeminiContents | None = None
    run: AsyncCallbackManagerForLLMRun | None = None
    cache_prompt: str | None = None
    outcome: AIMessage | BaseException | None = None
    closed: bool = False

    @property
    def request_id(self) -> str:
        return str(self.index)


class _BatchCall:
    def __init__(
        self,
        model: BaseChatModel,
        runtime: ChatRuntime,
        inputs: Sequence[LanguageModelInput],
        configs: list[RunnableConfig],
        kwargs: dict[str, Any],
    ) -> None:
        self.model = model
        self.runtime = runtime
        self.configs = configs
        self.slots = [_Slot(index) for index in range(len(inputs))]
        self.inputs = inputs
        self.stop: list[str] | None = kwargs.pop("stop", None)
        self.ls_format: dict[str, Any] | None = None
        for name in ("ls_structured_output_format", "structured_output_format"):
            self.ls_format = kwargs.pop(name, None) or self.ls_format
        self.kwargs = kwargs  # what LangChain's own code would see (params, cache key)
        self.options = CallOptions(model=runtime.chat.model)

    async def open_runs(self) -> None:
        model, stop = self.model, self.stop
        params = invocation_params(model, stop, self.kwargs)
        traced = {k: v for k, v in params.items() if k not in _NOT_TRACED}
        traced_ls = ls_params(model, stop, self.kwargs)
        start_options = {
            "stop": stop,
            **ls_structured_output_options(self.ls_format),
        }
        for slot, item, config in zip(self.slots, self.inputs, self.configs, strict=True):
            try:
                slot.messages = convert_input(model, item)
            except (ValueError, TypeError) as exc:  # a bad input fails before any run opens
                slot.outcome = InvalidRequestError(
                    f"not a chat model input: {exc}", request_id=slot.request_id
                )
                continue
            manager = AsyncCallbackManager.configure(
                config.get("callbacks"),
                model.callbacks,
                model.verbose,
                config.get("tags"),
                model.tags,
                {**(config.get("metadata") or {}), **traced_ls},
                model.metadata,
                langsmith_inheritable_metadata=traced,
            )
            runs = await manager.on_chat_model_start(
                serialized(model),
                [format_for_tracing(slot.messages)],
                invocation_params=params,
                options=start_options,
                name=config.get("run_name"),
                run_id=config.pop("run_id", None),
                batch_size=len(self.slots),
            )
            slot.run = runs[0]

    def _cache(self) -> BaseCache | None:
        cache = self.model.cache
        if cache is False:
            return None
        if isinstance(cache, BaseCache):
            return cache
        global_cache = get_llm_cache()
        if cache is True and global_cache is None:
            raise InvalidRequestError("Asked to cache, but no cache found at `langchain.cache`.")
        return global_cache

    async def prepare(self) -> list[_Slot]:
        """Convert each waiting input and look it up in the cache; the slots to send."""
        self.options = call_options(self.runtime.chat, self.stop, self.kwargs)
        invoker = self.runtime.invoker_for(self.options)
        invoker.request_builder(self.options.hyperparameters)  # bad settings fail the call
        cache = self._cache()
        cache_key = llm_string(self.model, self.stop, self.kwargs) if cache else ""
        merge_system = self.runtime.chat.convert_system_message_to_human
        to_send: list[_Slot] = []
        for slot in self.waiting():
            assert slot.messages is not None
            try:
                slot.lm_input = to_gemini_contents(
                    normalize_messages(slot.messages),
                    model=self.options.model,
                    convert_system_message_to_human=merge_system,
                    request_id=slot.request_id,
                )
            except GeminiBatchError as exc:
                slot.outcome = exc
                continue
            if cache is not None:
                slot.cache_prompt = dumps(
                    [m.model_copy(update={"id": None}) if m.id else m for m in slot.messages]
                )
                hit = await cache.alookup(slot.cache_prompt, cache_key)
                if isinstance(hit, list):
                    generations = cached_generations(self.model, hit)
                    slot.outcome = self._finish_message(slot, generations[0].message)
                    continue
            to_send.append(slot)
        return to_send

    def waiting(self) -> list[_Slot]:
        return [slot for slot in self.slots if slot.outcome is None]

    def first_failure(self) -> Exception | None:
        """The first input (in input order) that already failed, if any."""
        for slot in self.slots:
            if isinstance(slot.outcome, Exception):
                return slot.outcome
        return None

    def _finish_message(self, slot: _Slot, message: BaseMessage) -> AIMessage:
        assert isinstance(message, AIMessage)
        if message.id is None and slot.run is not None:
            message.id = f"{LC_ID_PREFIX}-{slot.run.run_id}-0"
        if self.model.output_version == "v1":
            message = to_v1_content(message)
        return message

    def _message(self, result: Any) -> AIMessage | Exception:
        if isinstance(result, LMOutput):
            return output_to_message(result, model=self.options.model, batch=True)
        if isinstance(result, RequestFailedError) and result.prompt_feedback is not None:
            return blocked_message(result, batch=True)
        return (
            result if isinstance(result, Exception) else GeminiBatchError(f"no result: {result!r}")
        )

    async def submit(self, to_send: list[_Slot], *, skip_invalid: bool) -> None:
        """Send the slots' requests as one batch (more past Google's limits) and fill them in.

        Requests are handed to the planner one at a time and dropped from their slots (the
        plan keeps what it sends), and results are turned into messages a block at a time as
        they are read: no input or result is held twice for the length of the job.
        """
        model = self.model
        if model.rate_limiter:
            await model.rate_limiter.aacquire(blocking=True)
        logger.info("submitting %d of %d inputs as a batch job", len(to_send), len(self.slots))
        invoker = self.runtime.invoker_for(self.options)
        codec = GenerateCodec(
            invoker.request_builder(self.options.hyperparameters), model=invoker.model_name
        )
        by_id = {slot.request_id: slot for slot in to_send}
        bar = ProgressBar() if self.runtime.batch.show_progress else None
        failure: Exception | None = None
        try:
            # With skip_invalid (return_exceptions) an input the builder rejects fails alone;
            # without it, the whole call fails before any job is created.
            await invoker.batch.engine.run(
                _handed_over(to_send),
                codec,
                invoker.model_name,
                skip_invalid=skip_invalid,
                progress=self._progress(bar),
                deliver=functools.partial(self._deliver, by_id),
                **self.runtime.batch.wait_options(),
            )
        except (ResultMismatchError, IncompleteBatchError) as exc:
            failure = exc  # what was read is delivered; the rest fail with it
            if isinstance(exc, IncompleteBatchError) and isinstance(exc.error, Exception):
                failure = exc.error  # the job-level failure of the inputs left without a result
        finally:
            if bar is not None:
                bar.close()
        for slot in self.waiting():
            slot.outcome = failure or GeminiBatchError(f"no result for input {slot.index}")
        await self._update_cache()

    def _deliver(self, by_id: dict[str, _Slot], block: list[tuple[str, Any]]) -> None:
        """Turn one block of results into their inputs' messages (a repeated key: the first)."""
        with gc_paused():  # a bulk conversion that makes no reference cycles
            for request_id, result in block:
                slot = by_id.get(request_id)
                if slot is None or slot.outcome is not None:
                    continue  # a key nobody sent, or sent again: the check names it
                outcome = self._message(result)
                slot.outcome = (
                    self._finish_message(slot, outcome)
                    if isinstance(outcome, AIMessage)
                    else outcome
                )

    def _progress(self, bar: ProgressBar | None) -> Callable[[BatchJobInfo], Awaitable[None]]:
        """The progress callback: a `gemini_batch_progress` custom event, and the bar.

        The event goes once per poll to each distinct set of callback handlers (through the
        first open run that has them), not once per input: every handler sees it, and 50,000
        inputs do not mean 50,000 dispatches per poll.
        """
        runs: dict[tuple[int, ...], AsyncCallbackManagerForLLMRun] = {}
        for slot in self.slots:
            if slot.run is not None and slot.outcome is None:
                key = tuple(sorted(id(handler) for handler in slot.run.handlers))
                runs.setdefault(key, slot.run)

        async def progress(info: BatchJobInfo) -> None:
            for run in runs.values():
                await adispatch_progress_event(info, run_manager=run)
            if bar is not None:
                bar(info)

        return progress

    async def _update_cache(self) -> None:
        cache = self._cache()
        if cache is None:
            return
        cache_key = llm_string(self.model, self.stop, self.kwargs)
        for slot in self.slots:
            if slot.cache_prompt is not None and isinstance(slot.outcome, AIMessage):
                generation = ChatGeneration(message=slot.outcome)
                await cache.aupdate(slot.cache_prompt, cache_key, [generation])

    async def close_runs(self) -> None:
        """Close every open run exactly once: `on_llm_end` or `on_llm_error`."""
        for slot in self.slots:
            if slot.run is None or slot.closed:
                continue
            slot.closed = True
            outcome = slot.outcome
            if isinstance(outcome, AIMessage):
                generation = ChatGeneration(message=outcome)
                await slot.run.on_llm_end(LLMResult(generations=[[generation]]))
            else:
                error = outcome if outcome is not None else GeminiBatchError("no result")
                await slot.run.on_llm_error(error, response=LLMResult(generations=[[]]))

    def outcomes(self) -> list[BatchOutcome]:
        """Every input's outcome, in input order (each one set by now)."""
        outcomes: list[BatchOutcome] = []
        for slot in self.slots:
            outcome = slot.outcome
            if not isinstance(outcome, (AIMessage, Exception)):  # pragma: no cover
                raise GeminiBatchError(f"input {slot.index} has no outcome: {outcome!r}")
            outcomes.append(outcome)
        return outcomes

    def fail_waiting(self, error: BaseException) -> None:
        for slot in self.waiting():
            slot.outcome = error


async def run_batch(
    model: BaseChatModel,
    runtime: ChatRuntime,
    inputs: Sequence[LanguageModelInput],
    config: RunnableConfig | Sequence[RunnableConfig] | None,
    *,
    return_exceptions: bool,
    kwargs: dict[str, Any],
) -> list[BatchOutcome]:
    """Run `inputs` as one batch job (more only when Google's limits split it).

    Args:
        model: The chat model (its callbacks, cache, tags, rate limiter, tracing params).
        runtime: Its settings and invokers.
        inputs: LangChain inputs (strings, message lists, prompt values, ...).
        config: One config for all inputs, or one per input.
        return_exceptions: Return a failed input's exception in its place instead of raising.
        kwargs: Call options (`stop`, `tools`, `tool_config`, Gemini settings, ...).

    Returns:
        One message (or exception) per input, in input order.

    Raises:
        Exception: Without `return_exceptions`, the first failure in input order, raised only
            after every run is closed; an input that cannot be converted is raised before any
            job is created. `CancelledError` and other `BaseException`s are always re-raised.
    """
    if not inputs:
        return []
    configs = get_config_list(config, len(inputs))
    call = _BatchCall(model, runtime, inputs, configs, dict(kwargs))
    try:
        await call.open_runs()
        to_send = await call.prepare()
        invalid = None if return_exceptions else call.first_failure()
        if invalid is not None:  # validate before paying: no job for a call that will fail
            call.fail_waiting(invalid)
        elif to_send:
            await call.submit(to_send, skip_invalid=return_exceptions)
    except BaseException as exc:  # job-level: every input still waiting fails with it
        call.fail_waiting(exc)
        await call.close_runs()
        if return_exceptions and isinstance(exc, Exception):
            return call.outcomes()
        raise
    await call.close_runs()
    outcomes = call.outcomes()
    if not return_exceptions:
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome
    return outcomes


def _handed_over(slots: list[_Slot]) -> Iterator[tuple[str, GeminiContents]]:
    """`(request ID, request)` of each slot, dropping it from the slot once read."""
    for slot in slots:
        request, slot.lm_input = slot.lm_input, None
        assert request is not None
        yield slot.request_id, request
