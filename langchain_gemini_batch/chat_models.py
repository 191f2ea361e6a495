"""`ChatGeminiBatch`: a LangChain chat model whose `abatch` is one Gemini Batch API job."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, cast

from google.genai import types
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from langchain_gemini_batch._sync import iterate_sync, run_sync
from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.batch.pool import BatchPool
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.invoker import GoogleLMInvoker
from langchain_gemini_batch.langchain.batch import run_batch
from langchain_gemini_batch.langchain.burst import OnlineCalls
from langchain_gemini_batch.langchain.fields import GeminiChatFields
from langchain_gemini_batch.langchain.online import generate_one, stream_one
from langchain_gemini_batch.langchain.outcomes import as_completed_order
from langchain_gemini_batch.langchain.output import message_as_chunk
from langchain_gemini_batch.langchain.settings import (
    BatchSettings,
    CallOptions,
    ChatRuntime,
    ClientSettings,
    cached_invoker,
)
from langchain_gemini_batch.langchain.structured import StructuredMethod, structured_output
from langchain_gemini_batch.langchain.tokens import count_message_tokens, count_text_tokens
from langchain_gemini_batch.langchain.tools import ToolChoice, bind_payload

__all__ = ["ChatGeminiBatch"]

_ToolLike = dict[str, Any] | type | Callable[..., Any] | BaseTool | types.Tool


class ChatGeminiBatch(GeminiChatFields, BaseChatModel):
    '''Gemini chat model whose `abatch` runs as ONE Gemini Batch API job, at half the price.

    A drop-in for `ChatGoogleGenerativeAI` (langchain-google-genai 4.4): the same constructor
    arguments, aliases and defaults, the same call options, the same request on the wire for
    the same messages, the same `AIMessage` for the same response, and the same langchain-core
    error classes. `invoke`, `ainvoke` and `stream` call Gemini online (`generateContent`),
    while `abatch` and `batch`, also through `prompt | model | parser` chains, `bind_tools`,
    `with_structured_output`, `with_retry` and `with_fallbacks`, send every input as one
    request of a single batch job (so do `*_as_completed` called on the model itself; through
    a chain LangChain calls the model once per input, which `invoke_via_batch=True` pools
    into shared jobs).

    Setup:
        ```bash
        pip install langchain-gemini-batch
        export GOOGLE_API_KEY="..."  # or pass api_key=...
        ```

    Instantiate:
        ```python
        from langchain_gemini_batch import ChatGeminiBatch

        model = ChatGeminiBatch(
            model="gemini-2.5-flash",
            temperature=0,
            max_tokens=1024,
            batch_poll_interval=10,  # first status check after 10 s (growing x1.5) ...
            batch_poll_max_interval=300,  # ... to at most one every 5 minutes
            batch_timeout=6 * 3600,  # give up after 6 hours (the job is then cancelled)
        )
        ```
        Construction does no I/O; the client is created on first use and reused.

    Invoke (online, as `ChatGoogleGenerativeAI`):
        ```python
        model.invoke("Translate 'I love programming' into French.")
        # AIMessage(content="J'adore la programmation.", response_metadata={
        #     "finish_reason": "STOP", "model_name": "gemini-2.5-flash",
        #     "model_provider": "google_genai", "is_batch": False, ...}, ...)
        for chunk in model.stream("Write a haiku about batches"):
            print(chunk.text, end="")
        ```
        Set `invoke_via_batch=True` to send single calls through the Batch API too: calls
        made close together (from any chain shape, task or thread) are pooled into shared
        jobs.

    Batch:
        ```python
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        prompt = ChatPromptTemplate.from_template("Summarise in one line: {text}")
        chain = prompt | model | StrOutputParser()
        summaries = await chain.abatch([{"text": t} for t in texts])  # ONE batch job
        ```
        - Cost: batch requests are billed at 50% of the online price.
        - Latency: a job takes minutes to hours (Google's target is 24 hours); `abatch`
          waits for it, polling with backoff, up to `batch_timeout`.
        - Order: results come back in input order (each request carries its index as key).
        - Errors: a failed request fails only its input, with a `RequestFailedError`
          naming the request and the job, which is also the langchain-core class of its
          code (`ModelRateLimitError` for `RESOURCE_EXHAUSTED`, ...); `return_exceptions=True`
          returns it in place, and `with_retry()` / `with_fallbacks()` resubmit only the
          failures. A job that fails, times out or is cancelled fails every input
          (`BatchJobError`, `BatchTimeoutError`). Cancelling the awaiting task cancels the
          job unless `batch_cancel_on_exit=False`. An input that cannot be converted fails
          the whole call before any job is created (with `return_exceptions=True`, only its
          own input). A blocked prompt is an empty message with `prompt_feedback`.
        - Crashes: jobs are journaled (`journal`); running the same chain on the same
          inputs again reattaches to the job already created instead of paying twice
          (`batch_resume=False` forces a new job). `Journal().unretrieved()` lists jobs
          not read yet; every message has `response_metadata["batch_job"]`.
        - Watching: each poll's request counts are a `gemini_batch_progress` custom event
          (`astream_events`, `on_custom_event`); `show_progress=True` draws a bar on stderr.
          Every answer has `response_metadata["cost"]` (batch and online price).
        - Cache: with a LangChain LLM cache set, hits are answered without a request.
        - Tracing: each input gets its own `on_chat_model_start` / `on_llm_end` run, so
          LangSmith shows N ordinary LLM runs.
        - One job per `abatch` call: `max_concurrency` does not split it; only Google's
          limits do. A model inside `RunnableParallel`, a dict step,
          `RunnablePassthrough.assign` or a LangGraph `Send` fan-out is called once per
          input: online at full price by default (a burst logs a WARNING), or pooled into
          shared batch jobs with `invoke_via_batch=True` (see `batch_pool_wait`).

    Tool calling:
        ```python
        def get_weather(city: str) -> str:
            """Get the weather in a city."""


        llm = model.bind_tools([get_weather], tool_choice="any")
        messages = await llm.abatch(["Weather in Paris?", "Weather in Oslo?"])
        messages[0].tool_calls
        # [{"name": "get_weather", "args": {"city": "Paris"}, "id": "...", "type": "tool_call"}]
        ```

    Structured output (`json_schema` by default, `function_calling`, `json_mode`):
        ```python
        class Person(BaseModel):
            name: str
            age: int


        people = await model.with_structured_output(Person).abatch(bios)  # one job
        raw = await model.with_structured_output(Person, include_raw=True).abatch(bios)
        # [{"raw": AIMessage(...), "parsed": Person(...), "parsing_error": None}, ...]
        ```

    Token usage:
        ```python
        message.usage_metadata
        # {"input_tokens": 12, "output_tokens": 9, "total_tokens": 21,
        #  "input_token_details": {"cache_read": 0}}
        model.get_num_tokens("How many tokens?")  # Google's countTokens
        ```
        `output_tokens` includes thinking tokens (`output_token_details["reasoning"]`, set
        when the model thought). Google's full `usageMetadata` (per-modality counts, tool-use
        prompt tokens) is in `response_metadata["usage_details"]`.

    Response metadata:
        As langchain-google-genai: `finish_reason` (e.g. `STOP`, `MAX_TOKENS`), `model_name`
        (the response's model version), `model_provider` (`"google_genai"`), `safety_ratings`
        (`[]` when none), `grounding_metadata` (search grounding, with citations on the
        text blocks), `prompt_feedback`. Also: `finish_message`, `response_id`,
        `avg_logprobs` / `logprobs_result` (with `response_logprobs=True`), `usage_details`,
        `is_batch`, and for batch results `batch_job` and `request_key` (the request's key
        in the job: the input's index).
    '''

    model_config = ConfigDict(populate_by_name=True)

    batch_poll_interval: float = Field(default=1.0, ge=0)
    """Seconds before the first status check of a job; later checks wait x1.5 longer."""
    batch_poll_max_interval: float = Field(default=180.0, ge=0)
    """The longest wait between two status checks."""
    batch_timeout: float | None = Field(default=None, gt=0)
    """Overall deadline for a batch job, in seconds (`None`: wait until it ends)."""
    batch_inline_max_bytes: int = 4_000_000
    """Jobs up to this size are sent inline; larger ones are uploaded as a JSONL file."""
    batch_cancel_on_exit: bool = True
    """Cancel the remote job when the awaiting task is cancelled or `batch_timeout` passes."""
    batch_display_name: str | None = None
    """Display name of the jobs (default `"langchain-gemini-batch"`), to find them later."""
    batch_resume: bool = True
    """Reattach to a job already created (and journaled) for the same work instead of paying
    for another: a rerun after a crash waits for, or reads, the first run's job. `False`
    always creates a fresh job."""
    journal: Any = None
    """The job journal (`None`: `GEMINI_BATCH_JOURNAL`, else the user's cache directory; a
    file path; or `False` for none). See the README, "If your process dies"."""
    invoke_via_batch: bool = False
    """Send single calls (`invoke`/`ainvoke`, and every chain shape that calls the model once
    per input) through the Batch API at batch price: calls made within `batch_pool_wait`
    seconds of each other share one job. `False`: online at full price."""
    batch_pool_wait: float = Field(default=1.0, ge=0)
    """Seconds a pooled job waits after its first call for more calls to join it."""
    batch_pool_size: int = Field(default=10_000, ge=1)
    """Most requests in one pooled job; a fuller pool is sent at once."""
    show_progress: bool = False
    """Draw a progress bar on stderr while a batch job runs (request counts, state, time)."""
    gcs_staging_uri: str | None = None
    """Vertex AI only: where requests are staged in Cloud Storage (`gs://bucket/prefix`);
    default `GEMINI_BATCH_GCS_STAGING_URI`."""
    storage_base_url: str | None = None
    """Vertex AI only: a custom Cloud Storage endpoint (default `STORAGE_EMULATOR_HOST`, else
    `base_url` when that is not Google's, else Google's)."""

    _invokers: dict[tuple[Any, ...], GoogleLMInvoker] = PrivateAttr(default_factory=dict)
    _pool: BatchPool | None = PrivateAttr(default=None)
    _online_calls: OnlineCalls = PrivateAttr(default_factory=OnlineCalls)

    @model_validator(mode="after")
    def _check_batch_options(self) -> ChatGeminiBatch:
        if self.batch_poll_max_interval < self.batch_poll_interval:
            raise ValueError("batch_poll_max_interval must be >= batch_poll_interval")
        BatchLimits(inline_max_bytes=self.batch_inline_max_bytes)  # validates the size
        if self.invoke_via_batch and not self.disable_streaming:
            # A batch job answers all at once: `astream` (and `astream_events`) then go through
            # `ainvoke`, which pools the call and reports the job's progress on its run.
            self.disable_streaming = True
        return self

    @property
    def _llm_type(self) -> str:
        return "gemini-batch-chat"

    # --- settings for the helpers ---

    def _client_settings(self, options: CallOptions | None = None) -> ClientSettings:
        timeout = options.timeout if options and options.timeout is not None else self.timeout
        retries = options.max_retries if options and options.max_retries is not None else None
        base_url = self.base_url if isinstance(self.base_url, str) else None
        return ClientSettings(
            api_key=self.google_api_key,
            base_url=base_url,
            api_version=self.api_version,
            headers=tuple((self.additional_headers or {}).items()),
            client_args=tuple((self.client_args or {}).items()),
            timeout=timeout,
            max_retries=self.max_retries if retries is None else retries,
            limits=BatchLimits(inline_max_bytes=self.batch_inline_max_bytes),
            uses_vertexai=self.uses_vertexai(),
            project=self.project,
            location=self.location,
            credentials=self.credentials,
            gcs_staging_uri=self.gcs_staging_uri,
            storage_base_url=self.storage_base_url,
            journal=self.journal,
        )

    def _invoker_for(self, options: CallOptions) -> GoogleLMInvoker:
        """The invoker for a call's options, built on first use and kept."""
        return cached_invoker(self._invokers, options.model, self._client_settings(options))

    def _invoker(self, model: str | None = None) -> GoogleLMInvoker:
        """The invoker for `model` (default: this model's) with the model's own settings."""
        return self._invoker_for(CallOptions(model=model or self.model))

    def _runtime(self) -> ChatRuntime:
        batch = BatchSettings(
            display_name=self.batch_display_name,
            polling=PollingPolicy(self.batch_poll_interval, self.batch_poll_max_interval),
            max_wait=self.batch_timeout,
            cancel_on_exit=self.batch_cancel_on_exit,
            invoke_via_batch=self.invoke_via_batch,
            resume=self.batch_resume,
            show_progress=self.show_progress,
        )
        return ChatRuntime(
            chat=self.chat_settings(),
            batch=batch,
            invoker_for=self._invoker_for,
            pool=self._batch_pool(batch) if self.invoke_via_batch else None,
            online_calls=self._online_calls,
        )

    def _batch_pool(self, batch: BatchSettings) -> BatchPool:
        """This model's pool of single calls (one per model and copy; settings at first use)."""
        pool = self._pool
        if pool is None or (pool.max_wait, pool.max_size) != (
            self.batch_pool_wait,
            self.batch_pool_size,
        ):
            pool = self._pool = BatchPool(
                max_wait=self.batch_pool_wait,
                max_size=self.batch_pool_size,
                wait_options=batch.wait_options(),
            )
        return pool

    # --- single calls: online generateContent (or a job of one with invoke_via_batch) ---

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = await generate_one(self._runtime(), messages, stop, kwargs, run_manager)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return run_sync(lambda: self._agenerate(messages, stop, **kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        runtime = self._runtime()
        if runtime.batch.invoke_via_batch:  # a stream of one chunk, at batch price
            message = await generate_one(runtime, messages, stop, kwargs, run_manager)
            yield ChatGenerationChunk(message=message_as_chunk(message))
            return
        async for chunk in stream_one(runtime, messages, stop, kwargs):
            yield ChatGenerationChunk(message=chunk)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        return iterate_sync(lambda: self._astream(messages, stop, **kwargs))

    # --- token counting: Google's countTokens ---

    async def aget_num_tokens(self, text: str) -> int:
        """The tokens of `text` for this model, by Google's `countTokens` (one call)."""
        return await count_text_tokens(self._invoker(), text)

    def get_num_tokens(self, text: str) -> int:
        """The tokens of `text` for this model, by Google's `countTokens` (one call)."""
        return run_sync(lambda: self.aget_num_tokens(text))

    async def aget_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """The prompt tokens of a conversation (and tools), by one `countTokens` call."""
        return await count_message_tokens(self._runtime(), messages, tools)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """The prompt tokens of a conversation (and tools), by one `countTokens` call."""
        return run_sync(lambda: self.aget_num_tokens_from_messages(messages, tools))

    # --- batches: one Gemini batch job per call ---

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> list[AIMessage]:
        """Run every input as one request of ONE Gemini batch job; results in input order.

        Args:
            inputs: Strings, message lists or prompt values.
            config: One config for all inputs, or one per input (callbacks, tags, run ids).
            return_exceptions: Put a failed input's exception in its place instead of
                raising the first failure (after every input has finished).
            **kwargs: Call options for every request (`stop`, `tools`, `tool_config`, any
                `GenerateContentConfig` field); unknown names raise `UnknownParameterError`.

        Returns:
            One `AIMessage` per input (or its exception, with `return_exceptions=True`).
        """
        outcomes = await run_batch(
            self,
            self._runtime(),
            inputs,
            config,
            return_exceptions=return_exceptions,
            kwargs=kwargs,
        )
        return cast("list[AIMessage]", outcomes)  # exceptions only with return_exceptions

    def batch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> list[AIMessage]:
        """The sync `abatch`: one batch job, results in input order."""
        runtime = self._runtime()
        outcomes = run_sync(
            lambda: run_batch(
                self, runtime, inputs, config, return_exceptions=return_exceptions, kwargs=kwargs
            )
        )
        return cast("list[AIMessage]", outcomes)

    async def abatch_as_completed(  # type: ignore[override]
        self,
        inputs: Sequence[LanguageModelInput],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> AsyncIterator[tuple[int, AIMessage | Exception]]:
        """One batch job; yields `(index, result)` once it is done (successes first)."""
        runtime = self._runtime()
        outcomes = await run_batch(
            self, runtime, inputs, config, return_exceptions=True, kwargs=kwargs
        )
        for item in as_completed_order(outcomes, return_exceptions=return_exceptions):
            yield item

    def batch_as_completed(  # type: ignore[override]
        self,
        inputs: Sequence[LanguageModelInput],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> Iterator[tuple[int, AIMessage | Exception]]:
        """The sync `abatch_as_completed`: one batch job."""
        runtime = self._runtime()
        outcomes = run_sync(
            lambda: run_batch(self, runtime, inputs, config, return_exceptions=True, kwargs=kwargs)
        )
        yield from as_completed_order(outcomes, return_exceptions=return_exceptions)

    # --- tools and structured output ---

    def bind_tools(
        self,
        tools: Sequence[_ToolLike],
        tool_config: dict[str, Any] | types.ToolConfig | None = None,
        *,
        tool_choice: ToolChoice | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools, as `ChatGoogleGenerativeAI.bind_tools` does.

        Args:
            tools: Functions, pydantic classes, `BaseTool`s, JSON schemas, OpenAI tool dicts,
                or Gemini tools (`{"google_search": {}}`, `types.Tool`, ...).
            tool_config: More tool settings, e.g. `{"retrieval_config": ...}` for Maps or
                Search grounding (not together with `tool_choice`'s function calling).
            tool_choice: `"auto"`, `"any"` (or `"required"`, `True`), `"none"`, a function
                name, or a list of function names.
            **kwargs: More call options to bind.

        Raises:
            InvalidRequestError: A tool cannot be converted.
        """
        if tool_choice:
            kwargs["tool_choice"] = tool_choice
        if tool_config:
            kwargs["tool_config"] = tool_config
        return self.bind(tools=bind_payload(tools), **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        method: StructuredMethod | None = "json_schema",
        *,
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """Return outputs parsed into `schema`; `abatch` stays one batch job.

        Args:
            schema: A pydantic class, `TypedDict`, JSON schema or OpenAI tool schema.
            method: `"json_schema"` (Gemini's `response_json_schema`; `"json_mode"` is the
                same, and without a schema asks for any JSON) or `"function_calling"` (a
                forced tool call).
            include_raw: Return `{"raw", "parsed", "parsing_error"}` instead of raising on
                parse errors.
            **kwargs: Only `strict` (accepted and ignored: Gemini always follows the schema).

        Raises:
            InvalidRequestError: Another keyword argument, or an unusable schema.
        """
        kwargs.pop("strict", None)
        if kwargs:
            raise InvalidRequestError(
                f"unsupported with_structured_output arguments: {sorted(kwargs)}"
            )
        return structured_output(self, schema, method=method, include_raw=include_raw)
