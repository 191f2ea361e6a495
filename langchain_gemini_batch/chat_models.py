"""`ChatGeminiBatch`: a LangChain chat model whose `abatch` is one Gemini Batch API job."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, Literal, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.utils.utils import secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from langchain_gemini_batch._sync import iterate_sync, run_sync
from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.invoker import GoogleLMInvoker
from langchain_gemini_batch.langchain.batch import as_completed_order, run_batch
from langchain_gemini_batch.langchain.online import generate_one, stream_one
from langchain_gemini_batch.langchain.settings import (
    cached_invoker,
    model_hyperparameters,
    reject_unknown_arguments,
)
from langchain_gemini_batch.langchain.structured import StructuredMethod, structured_output
from langchain_gemini_batch.langchain.tools import (
    function_names,
    tool_choice_to_config,
    tools_to_gemini,
)

__all__ = ["ChatGeminiBatch"]

_ToolLike = dict[str, Any] | type | Callable[..., Any] | BaseTool


class ChatGeminiBatch(BaseChatModel):
    '''Gemini chat model whose `abatch` runs as ONE Gemini Batch API job, at half the price.

    A drop-in for `ChatGoogleGenerativeAI`: `invoke`, `ainvoke` and `stream` call Gemini
    online (`generateContent`), while `abatch`, `batch` and `*_as_completed`, also through
    `prompt | model | parser` chains, `bind_tools`, `with_structured_output`, `with_retry`
    and `with_fallbacks`, send every input as one request of a single batch job.

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
        Set `invoke_via_batch=True` to send single calls through the Batch API too.

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
          naming the request and the job; `return_exceptions=True` returns it in place, and
          `with_retry()` / `with_fallbacks()` resubmit only the failures. A job that fails,
          times out or is cancelled fails every input (`BatchJobError`, `BatchTimeoutError`).
          Cancelling the awaiting task cancels the job unless `batch_cancel_on_exit=False`.
        - Finding the job again: every message has `response_metadata["batch_job"]`
          (`"batches/..."`), the log line `created batches/... with N requests` names it,
          and `GoogleLMInvoker(...).batch.list()` lists jobs with their display names
          (`batch_display_name`).
        - Cache: with a LangChain LLM cache set, hits are answered without a request.
        - Tracing: each input gets its own `on_chat_model_start` / `on_llm_end` run, so
          LangSmith shows N ordinary LLM runs.
        - One job per `abatch` call: `max_concurrency` does not split it; only Google's
          limits do. A model inside `RunnableParallel` or a dict step is called once per
          input (one job each): keep it a direct step of the sequence.

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
        #  "input_token_details": {"cache_read": 0},
        #  "output_token_details": {"reasoning": 0}}
        ```
        `output_tokens` includes thinking tokens (`output_token_details["reasoning"]`).

    Response metadata:
        `finish_reason` (Gemini's, e.g. `STOP`, `MAX_TOKENS`), `model_name` (the
        response's model version), `model_provider` (`"google_genai"`), `response_id`,
        `is_batch`, and for batch results `batch_job` and `request_key` (the request's key
        in the job: the input's index); `finish_message` and `safety_ratings` when given.
    '''

    model_config = ConfigDict(populate_by_name=True)

    model: str = Field(alias="model_name")
    """The Gemini model, e.g. `"gemini-2.5-flash"`."""
    google_api_key: SecretStr | None = Field(
        alias="api_key",
        default_factory=secret_from_env(["GOOGLE_API_KEY", "GEMINI_API_KEY"], default=None),
    )
    """The Gemini API key; default `GOOGLE_API_KEY`, then `GEMINI_API_KEY`."""
    base_url: str | None = None
    """Send requests here (e.g. the local emulator); default `GOOGLE_GEMINI_BASE_URL`."""
    temperature: float | None = None
    """Sampling temperature (0 to 2)."""
    max_output_tokens: int | None = Field(default=None, alias="max_tokens")
    """Most tokens to generate per response."""
    top_p: float | None = None
    """Nucleus sampling probability mass."""
    top_k: int | None = None
    """Sample from the k most likely tokens."""
    stop: list[str] | None = None
    """Stop sequences (Gemini's `stop_sequences`)."""
    timeout: float | None = None
    """HTTP timeout per request, in seconds (not the batch deadline: `batch_timeout`)."""
    max_retries: int = 3
    """Retries of an HTTP call on 408/429/5xx."""
    streaming: bool = False
    """Stream `invoke` calls internally (callbacks then get tokens); batches never stream."""
    thinking_budget: int | None = None
    """Thinking token budget (`0` turns thinking off where allowed, `-1` is dynamic)."""
    include_thoughts: bool | None = None
    """Return thought summaries as `thinking` content blocks."""
    thinking_level: Literal["minimal", "low", "medium", "high"] | None = None
    """Thinking level, for models that take one instead of a budget."""
    safety_settings: list[dict[str, Any]] | None = None
    """Gemini safety settings (`[{"category": ..., "threshold": ...}]`)."""
    cached_content: str | None = None
    """A context cache name (`cachedContents/...`) to read the prompt prefix from."""
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
    invoke_via_batch: bool = False
    """Send `invoke`/`ainvoke` through the Batch API too (a job of one), at batch price."""

    _invokers: dict[tuple[Any, ...], GoogleLMInvoker] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown(cls, values: Any) -> Any:
        return reject_unknown_arguments(cls, values)

    @model_validator(mode="after")
    def _check_batch_options(self) -> ChatGeminiBatch:
        if self.batch_poll_max_interval < self.batch_poll_interval:
            raise ValueError("batch_poll_max_interval must be >= batch_poll_interval")
        BatchLimits(inline_max_bytes=self.batch_inline_max_bytes)  # validates the size
        return self

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Secrets LangChain serializes as references to environment variables."""
        return {"google_api_key": "GOOGLE_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Serializable: traces carry the constructor arguments (the key as a reference)."""
        return True

    @property
    def _llm_type(self) -> str:
        return "gemini-batch-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, **model_hyperparameters(self)}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        model = kwargs.get("model") or self.model
        params = LangSmithParams(
            ls_provider="google_genai",
            ls_model_name=str(model).removeprefix("models/"),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = float(temperature)
        max_tokens = kwargs.get("max_output_tokens") or kwargs.get("max_tokens")
        if (max_tokens := max_tokens or self.max_output_tokens) is not None:
            params["ls_max_tokens"] = int(max_tokens)
        if stop := stop or kwargs.get("stop") or self.stop:
            params["ls_stop"] = list(stop)
        return params

    def _invoker(self, model: str | None = None) -> GoogleLMInvoker:
        """The invoker for `model` (default: this model's), built on first use and kept."""
        return cached_invoker(self, self._invokers, model or self.model)

    # --- single calls: online generateContent (or a job of one with invoke_via_batch) ---

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = await generate_one(self, messages, stop, kwargs)
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
        async for chunk in stream_one(self, messages, stop, kwargs):
            yield ChatGenerationChunk(message=chunk)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        return iterate_sync(lambda: self._astream(messages, stop, **kwargs))

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
            self, inputs, config, return_exceptions=return_exceptions, kwargs=kwargs
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
        outcomes = run_sync(
            lambda: run_batch(
                self, inputs, config, return_exceptions=return_exceptions, kwargs=kwargs
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
        outcomes = await run_batch(self, inputs, config, return_exceptions=True, kwargs=kwargs)
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
        outcomes = run_sync(
            lambda: run_batch(self, inputs, config, return_exceptions=True, kwargs=kwargs)
        )
        yield from as_completed_order(outcomes, return_exceptions=return_exceptions)

    # --- tools and structured output ---

    def bind_tools(
        self,
        tools: Sequence[_ToolLike],
        *,
        tool_choice: str | bool | dict[str, Any] | list[str] | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (functions, pydantic classes, `BaseTool`s, JSON schemas, Gemini tools).

        Args:
            tools: The tools; Gemini tool dicts (`{"google_search": {}}`) pass unchanged.
            tool_choice: `"auto"`, `"any"` (or `"required"`, `True`), `"none"`, a function
                name, or a list of function names.
            **kwargs: More call options to bind.
        """
        gemini_tools = tools_to_gemini(tools)
        if tool_choice is not None:
            names = function_names(gemini_tools)
            kwargs["tool_config"] = tool_choice_to_config(tool_choice, names)
        return self.bind(tools=gemini_tools, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """Return outputs parsed into `schema`; `abatch` stays one batch job.

        Args:
            schema: A pydantic class, `TypedDict`, JSON schema or OpenAI tool schema.
            method: `"json_schema"` (Gemini's `response_json_schema`), `"function_calling"`
                (a forced tool call) or `"json_mode"` (JSON without a schema).
            include_raw: Return `{"raw", "parsed", "parsing_error"}` instead of raising on
                parse errors.
            strict: Accepted for compatibility; Gemini always follows the schema.
            **kwargs: Not accepted (raise `ValueError`).
        """
        if kwargs:
            raise ValueError(f"unsupported with_structured_output arguments: {sorted(kwargs)}")
        return structured_output(
            self, schema, method=method, include_raw=include_raw, strict=strict
        )
