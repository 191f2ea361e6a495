"""`LMOutput` to `AIMessage` / `AIMessageChunk`, as langchain-google-genai 4.4 makes them.

For the same Gemini response, `output_to_message` returns what `ChatGoogleGenerativeAI.invoke`
returns: the content of `output_content.candidate_content`, `tool_calls`, `usage_metadata`
(`input_tokens` with tool-use prompt tokens, `output_tokens` with thoughts, Google's
`total_tokens`, cache reads, and reasoning tokens when there are any) and `response_metadata`
with `model_provider`, `finish_reason`, `model_name`, `safety_ratings` (`[]` when none),
`grounding_metadata` and `prompt_feedback` in langchain-google-genai's (snake_case) shape.

It adds, in documented keys: `finish_message` (for every finish reason, not only refusals),
`response_id`, `avg_logprobs` and `logprobs_result` (with `response_logprobs=True`),
`usage_details` (Google's whole `usageMetadata`: per-modality counts, tool-use prompt tokens),
`citation_metadata` and `url_context_metadata` (as Google sends them), and `is_batch`, with
`batch_job` and `request_key` for batch results. `model_name` falls back to the requested
model when Google names none. Pure functions, no I/O.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from google.genai import types
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call, tool_call_chunk
from pydantic import BaseModel

from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.langchain.output_content import SIGNATURES_KEY, candidate_content
from langchain_gemini_batch.schema import LMOutput, TokenUsage

__all__ = [
    "MODEL_PROVIDER",
    "SIGNATURES_KEY",
    "StreamChunks",
    "blocked_message",
    "message_as_chunk",
    "output_to_message",
    "usage_to_metadata",
]

MODEL_PROVIDER = "google_genai"
"""`response_metadata["model_provider"]`: LangChain's Gemini content-block translator."""
_GROUNDING_LISTS = (
    "grounding_supports",
    "grounding_chunks",
    "web_search_queries",
    "image_search_queries",
)
_RAW_DETAILS = {
    "finish_message": "finish_message",
    "avg_logprobs": "avg_logprobs",
    "logprobs_result": "logprobs_result",
    "citation_metadata": "citation_metadata",
    "url_context_metadata": "url_context_metadata",
    "structured_output_error": "structured_output_error",
}


def usage_to_metadata(usage: TokenUsage, total: int | None = None) -> UsageMetadata | None:
    """`TokenUsage` as LangChain's `usage_metadata` (None when every count is zero)."""
    total = usage.total_tokens if total is None else total
    if usage.input_tokens + usage.output_tokens + usage.cached_tokens + total <= 0:
        return None
    metadata = UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=total,
        input_token_details={"cache_read": usage.cached_tokens},
    )
    if usage.thinking_tokens > 0:
        metadata["output_token_details"] = {"reasoning": usage.thinking_tokens}
    return metadata


def _usage(output: LMOutput) -> UsageMetadata | None:
    if output.token_usage is None:
        return None
    raw = output.metadata.get("usage_metadata")
    total = int(raw.get("totalTokenCount", 0)) if isinstance(raw, dict) else None
    return usage_to_metadata(output.token_usage, total)


def _dumped(kind: type[BaseModel], raw: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = kind.model_validate(raw).model_dump()
    return dumped


def _prompt_feedback(raw: Any) -> dict[str, Any]:
    """Google's `promptFeedback` as langchain-google-genai reports it (`model_dump()`)."""
    return _dumped(types.GenerateContentResponsePromptFeedback, raw)


def _response_metadata(output: LMOutput, model: str, *, batch: bool) -> dict[str, Any]:
    meta = output.metadata
    finish = output.finish_details
    metadata: dict[str, Any] = {"model_provider": MODEL_PROVIDER}
    if finish.get("finish_reason"):
        metadata["finish_reason"] = finish["finish_reason"]
    metadata["model_name"] = meta.get("model_version") or model
    ratings = finish.get("safety_ratings") or []
    metadata["safety_ratings"] = [_dumped(types.SafetyRating, r) for r in ratings]
    if finish.get("grounding_metadata"):
        grounding = _dumped(types.GroundingMetadata, finish["grounding_metadata"])
        for name in _GROUNDING_LISTS:
            if name in grounding and grounding[name] is None:
                grounding[name] = []
        metadata["grounding_metadata"] = grounding
    if meta.get("prompt_feedback"):
        metadata["prompt_feedback"] = _prompt_feedback(meta["prompt_feedback"])
    if len(finish) > 1:  # more than `finish_reason`
        for name, key in _RAW_DETAILS.items():
            if finish.get(name) is not None:
                metadata[key] = finish[name]
    if meta.get("response_id"):
        metadata["response_id"] = meta["response_id"]
    if meta.get("usage_metadata") is not None:
        metadata["usage_details"] = meta["usage_metadata"]
    if meta.get("cost") is not None:
        metadata["cost"] = meta["cost"]
    metadata["is_batch"] = batch
    if batch:
        metadata["batch_job"] = meta.get("batch_job")
        metadata["request_key"] = meta.get("request_id")
    return metadata


def output_to_message(output: LMOutput, *, model: str, batch: bool = False) -> AIMessage:
    """Convert an `LMOutput` into the `AIMessage` langchain-google-genai makes of it.

    Args:
        output: One response.
        model: The requested model, reported when the response names no model version.
        batch: Whether the response came from a batch job (adds `batch_job`, `request_key`).
    """
    parts = candidate_content(output)
    fields: dict[str, Any] = {
        "content": parts.content,
        "tool_calls": [
            tool_call(name=name, args=args, id=id_) for id_, name, args in parts.tool_calls
        ],
        "additional_kwargs": parts.additional_kwargs,
        "usage_metadata": _usage(output),
        "response_metadata": _response_metadata(output, model, batch=batch),
    }
    fields_set = _plain_fields_set()
    if (
        fields_set is not None
        and isinstance(parts.content, str)
        and not parts.tool_calls
        and not parts.additional_kwargs
    ):
        # Text and nothing to normalise: the values are already what validation would make
        # of them (a unit test compares both ways), at half the cost of validating them.
        return AIMessage.model_construct(
            set(fields_set), type="ai", name=None, id=None, invalid_tool_calls=[], **fields
        )
    return AIMessage(**fields)


_AI_MESSAGE_FIELDS = frozenset(
    {"content", "additional_kwargs", "response_metadata", "type", "name", "id", "tool_calls",
     "invalid_tool_calls", "usage_metadata"}
)  # fmt: skip


@functools.cache
def _plain_fields_set() -> frozenset[str] | None:
    """The fields a validated plain `AIMessage` counts as set (`None`: build by validation).

    `None` when langchain-core's `AIMessage` has other fields than those this module sets.
    """
    if set(AIMessage.model_fields) != _AI_MESSAGE_FIELDS:
        return None
    message = AIMessage(
        content="", tool_calls=[], additional_kwargs={}, usage_metadata=None, response_metadata={}
    )
    return frozenset(message.model_fields_set)


def blocked_message(error: RequestFailedError, *, batch: bool) -> AIMessage:
    """The empty `AIMessage` langchain-google-genai returns for a blocked prompt."""
    metadata: dict[str, Any] = {"model_provider": MODEL_PROVIDER}
    metadata["prompt_feedback"] = _prompt_feedback(error.prompt_feedback or {})
    metadata["is_batch"] = batch
    if batch:
        metadata["batch_job"] = error.batch_job
        metadata["request_key"] = error.request_id
    return AIMessage("", response_metadata=metadata)


class StreamChunks:
    """Turns one stream's `LMOutput`s into `AIMessageChunk`s that add up to the `AIMessage`.

    Gemini reports running token totals on streamed chunks; each chunk here carries only its
    increase, so the sum of the chunks' `usage_metadata` is the response's usage. Metadata
    that must not be concatenated (`finish_reason`, `model_name`) rides on `last()` only.

    Args:
        model: The requested model, reported when the response names no model version.
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self._usage = TokenUsage()
        self._latest: LMOutput | None = None
        self._list_content = False
        self._next_index = 0
        self._open: tuple[str | None, int] = (None, -1)

    def _allocate(self, block_type: str | None) -> int:
        index = self._next_index
        self._next_index += 1
        self._open = (block_type, index)
        return index

    def _index(self, content: Any, call_chunks: list[Any]) -> None:
        """Give blocks the `index` that lets deltas merge (langchain-google-genai's rule)."""
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and "type" in block:
                kind = block["type"]
                same = kind == self._open[0] and kind in ("text", "thinking")
                block.setdefault("index", self._open[1] if same else self._allocate(kind))
        for call in call_chunks:
            if call.get("index") is None:
                call["index"] = self._allocate(None)

    def chunk(self, output: LMOutput) -> AIMessageChunk:
        """The chunk for one streamed output."""
        self._latest = output
        parts = candidate_content(output, streaming=True)
        call_chunks = [
            tool_call_chunk(name=name, args=json.dumps(args), id=id_, index=None)
            for id_, name, args in parts.tool_calls
        ]
        self._index(parts.content, call_chunks)
        usage = None
        if output.token_usage is not None:
            usage = usage_to_metadata(_minus(output.token_usage, self._usage))
            self._usage = output.token_usage
        self._list_content = self._list_content or isinstance(parts.content, list)
        kwargs = {k: v for k, v in parts.additional_kwargs.items() if k != "function_call"}
        return AIMessageChunk(
            content=parts.content,
            tool_call_chunks=call_chunks,
            additional_kwargs=kwargs,
            usage_metadata=usage,
            response_metadata={"model_provider": MODEL_PROVIDER},
        )

    def blocked(self, error: RequestFailedError) -> AIMessageChunk:
        """The chunk for a blocked prompt: empty, with the prompt feedback."""
        feedback = _prompt_feedback(error.prompt_feedback or {})
        metadata = {"model_provider": MODEL_PROVIDER, "prompt_feedback": feedback}
        return AIMessageChunk(content="", response_metadata=metadata)

    def last(self) -> AIMessageChunk:
        """The closing chunk: no content, the response metadata, `chunk_position="last"`."""
        latest = self._latest or LMOutput()
        metadata = _response_metadata(latest, self.model, batch=False)
        metadata.pop("usage_details", None)
        return AIMessageChunk(
            content=[] if self._list_content else "",
            response_metadata=metadata,
            chunk_position="last",
        )


def message_as_chunk(message: AIMessage) -> AIMessageChunk:
    """A whole message as the one (last) chunk of a stream, for answers from a batch job."""
    calls = [
        tool_call_chunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=i)
        for i, call in enumerate(message.tool_calls)
    ]
    return AIMessageChunk(
        content=message.content,
        additional_kwargs=message.additional_kwargs,
        response_metadata=message.response_metadata,
        usage_metadata=message.usage_metadata,
        tool_call_chunks=calls,
        id=message.id,
        chunk_position="last",
    )


def _minus(total: TokenUsage, before: TokenUsage) -> TokenUsage:
    return TokenUsage(
        input_tokens=max(0, total.input_tokens - before.input_tokens),
        output_tokens=max(0, total.output_tokens - before.output_tokens),
        thinking_tokens=max(0, total.thinking_tokens - before.thinking_tokens),
        cached_tokens=max(0, total.cached_tokens - before.cached_tokens),
    )
