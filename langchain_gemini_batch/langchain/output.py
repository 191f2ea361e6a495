"""`LMOutput` to LangChain `AIMessage` / `AIMessageChunk`: content, tool calls, usage, metadata.

Pure functions, no I/O. Text-only outputs become string content; outputs with thoughts or
files become content blocks in langchain-google-genai's shape (`thinking`, `text`,
`image_url`), which LangChain's `google_genai` block translator reads (`content_blocks`).
Thought signatures of tool calls are kept in `additional_kwargs[SIGNATURES_KEY]` and sent back
by `langchain.messages_to_lm_input` on the next turn.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from google.genai import types
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call, tool_call_chunk

from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.schema import LMOutput, TokenUsage, ToolCall

__all__ = [
    "MODEL_PROVIDER",
    "SIGNATURES_KEY",
    "StreamChunks",
    "blocked_message",
    "output_to_message",
    "usage_to_metadata",
]

MODEL_PROVIDER = "google_genai"
"""`response_metadata["model_provider"]`: LangChain's Gemini content-block translator."""
SIGNATURES_KEY = "__gemini_function_call_thought_signatures__"
"""`additional_kwargs` key: tool-call ID to base64 `thoughtSignature` (langchain-google-genai's)."""


def usage_to_metadata(usage: TokenUsage) -> UsageMetadata:
    """`TokenUsage` as LangChain's `usage_metadata` (reasoning and cache-read details included)."""
    return UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
        input_token_details={"cache_read": usage.cached_tokens},
        output_token_details={"reasoning": usage.thinking_tokens},
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _content(output: LMOutput) -> str | list[str | dict[str, Any]]:
    """A plain string when the output is text only, else content blocks in output order."""
    if all(item.type in ("text", "tool_call", "structured") for item in output.outputs):
        return output.text
    blocks: list[str | dict[str, Any]] = []
    for item in output.outputs:
        if item.type == "text":
            blocks.append({"type": "text", "text": item.output})
        elif item.type == "thinking":
            block = {"type": "thinking", "thinking": item.output.thinking}
            if item.output.signature:
                block["signature"] = _b64(item.output.signature)
            blocks.append(block)
        elif item.type == "attachment":
            url = f"data:{item.output.mime_type};base64,{_b64(item.output.data or b'')}"
            blocks.append({"type": "image_url", "image_url": {"url": url}})
    return blocks


def _response_metadata(output: LMOutput, model: str, *, batch: bool) -> dict[str, Any]:
    meta = output.metadata
    metadata: dict[str, Any] = {
        **output.finish_details,
        "model_name": meta.get("model_version") or model,
        "model_provider": MODEL_PROVIDER,
    }
    if meta.get("response_id"):
        metadata["response_id"] = meta["response_id"]
    metadata["is_batch"] = batch
    if batch:
        metadata["batch_job"] = meta.get("batch_job")
        metadata["request_key"] = meta.get("request_id")
    return metadata


def _signatures(calls: list[ToolCall]) -> dict[str, Any]:
    signed = {call.id: _b64(call.signature) for call in calls if call.signature}
    return {SIGNATURES_KEY: signed} if signed else {}


def output_to_message(output: LMOutput, *, model: str, batch: bool = False) -> AIMessage:
    """Convert an `LMOutput` into an `AIMessage`.

    Args:
        output: One response.
        model: The requested model, reported when the response names no model version.
        batch: Whether the response came from a batch job (adds `batch_job`, `request_key`).

    Returns:
        The message: text `content` (content blocks when there are thoughts or files),
        `tool_calls`, `usage_metadata` and `response_metadata` (`finish_reason`,
        `model_name`, `model_provider`, `is_batch`, and for batches `batch_job` and
        `request_key`).
    """
    calls = output.tool_calls
    return AIMessage(
        content=_content(output),
        tool_calls=[tool_call(name=c.name, args=c.args, id=c.id) for c in calls],
        additional_kwargs=_signatures(calls),
        usage_metadata=usage_to_metadata(output.token_usage) if output.token_usage else None,
        response_metadata=_response_metadata(output, model, batch=batch),
    )


def _prompt_feedback(raw: Any) -> dict[str, Any]:
    """Google's `promptFeedback` as langchain-google-genai reports it (`model_dump()`)."""
    feedback: dict[str, Any] = types.GenerateContentResponsePromptFeedback.model_validate(
        raw
    ).model_dump()
    return feedback


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
        self._calls = 0
        self._latest: LMOutput | None = None
        self._list_content = False

    def chunk(self, output: LMOutput) -> AIMessageChunk:
        """The chunk for one streamed output."""
        self._latest = output
        calls = output.tool_calls
        call_chunks = [
            tool_call_chunk(
                name=call.name, args=json.dumps(call.args), id=call.id, index=self._calls + i
            )
            for i, call in enumerate(calls)
        ]
        self._calls += len(calls)
        usage = None
        if output.token_usage is not None:
            usage = usage_to_metadata(_minus(output.token_usage, self._usage))
            self._usage = output.token_usage
        content = _content(output)
        self._list_content = self._list_content or isinstance(content, list)
        return AIMessageChunk(
            content=content,
            tool_call_chunks=call_chunks,
            additional_kwargs=_signatures(calls),
            usage_metadata=usage,
            response_metadata={"model_provider": MODEL_PROVIDER},
        )

    def blocked(self, error: RequestFailedError) -> AIMessageChunk:
        """The chunk for a blocked prompt: empty, with the prompt feedback."""
        feedback = _prompt_feedback(error.prompt_feedback or {})
        return AIMessageChunk(
            content="",
            response_metadata={"model_provider": MODEL_PROVIDER, "prompt_feedback": feedback},
        )

    def last(self) -> AIMessageChunk:
        """The closing chunk: no content, the response metadata, `chunk_position="last"`."""
        latest = self._latest or LMOutput()
        metadata = _response_metadata(latest, self.model, batch=False)
        return AIMessageChunk(
            content=[] if self._list_content else "",
            response_metadata=metadata,
            chunk_position="last",
        )


def _minus(total: TokenUsage, before: TokenUsage) -> TokenUsage:
    return TokenUsage(
        input_tokens=max(0, total.input_tokens - before.input_tokens),
        output_tokens=max(0, total.output_tokens - before.output_tokens),
        thinking_tokens=max(0, total.thinking_tokens - before.thinking_tokens),
        cached_tokens=max(0, total.cached_tokens - before.cached_tokens),
    )
