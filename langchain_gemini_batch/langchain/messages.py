"""A LangChain conversation as a Gemini request's `contents` and `systemInstruction`.

`to_gemini_contents` converts the messages exactly as langchain-google-genai 4.4 does
(`_parse_chat_history` and the helpers around it), so `ChatGeminiBatch` and
`ChatGoogleGenerativeAI` send the same request for the same conversation:

- the first message, when a `SystemMessage`, is the system instruction; later system
  messages are appended to it (dropped, with a warning, when there is none);
- an `AIMessage`'s tool calls become `functionCall` parts (no IDs, with the thought signatures
  kept in `additional_kwargs` or in `function_call_signature` blocks), followed by one user
  turn holding the `functionResponse` of each `ToolMessage` answering them, wherever those
  appear; media blocks in a `ToolMessage` are sent as parts beside its `functionResponse`;
- a string tool result that is JSON is sent decoded; anything that is not an object is sent
  as `{"output": ...}`;
- for Gemini 3+, a function call of the current turn without a thought signature gets
  Google's documented bypass value;
- empty human messages are left out, an empty AI turn is sent as an empty text part.

Differences: `ChatMessage`s with a known role are accepted (langchain-google-genai refuses
them); a conversation with nothing to send, a block that cannot be converted, or a tool result
whose function cannot be named is an `InvalidRequestError` naming the request, the message and
the block, before anything is sent. Pure functions, no I/O.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.language_models import is_openai_data_block
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    is_data_content_block,
)

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.ai_content import ai_content_parts, provider_kind
from langchain_gemini_batch.langchain.content_parts import (
    Part,
    b64,
    convert_blocks,
    decode_signature,
)
from langchain_gemini_batch.langchain.output import SIGNATURES_KEY
from langchain_gemini_batch.langchain.settings import is_gemini_3_or_later, uses_fixed_sampling
from langchain_gemini_batch.schema import GeminiContents

__all__ = ["SKIP_SIGNATURE", "to_gemini_contents"]

logger = logging.getLogger("langchain_gemini_batch")

SKIP_SIGNATURE = "skip_thought_signature_validator"
"""The thought signature Google documents for function calls replayed without their own."""

_CHAT_ROLES: dict[str, type[BaseMessage]] = {
    "system": SystemMessage,
    "human": HumanMessage,
    "user": HumanMessage,
    "ai": AIMessage,
    "assistant": AIMessage,
    "model": AIMessage,
}


class _Where:
    """Names the request and message a conversion error belongs to."""

    def __init__(self, request_id: str | None) -> None:
        self.request_id = request_id
        self.position = ""

    def fail(self, message: str) -> InvalidRequestError:
        return InvalidRequestError(f"{self.position}: {message}", request_id=self.request_id)


def _as_native(message: BaseMessage, where: _Where) -> BaseMessage:
    if isinstance(message, ChatMessage):
        kind = _CHAT_ROLES.get(message.role.lower())
        if kind is None:
            raise where.fail(f"unsupported ChatMessage role {message.role!r}")
        return kind(content=message.content, id=message.id, name=message.name)
    return message


def _tool_result_parts(
    message: ToolMessage | FunctionMessage, name: str | None, model: str | None
) -> list[Part]:
    """Media blocks of a tool message, then its `functionResponse` (lcgg's shape)."""
    name = message.name or name or message.additional_kwargs.get("name")
    if not name:
        raise ValueError("the tool result's function has no name (no matching tool call)")
    parts: list[Part] = []
    response: Any
    if isinstance(message.content, list):
        media = [
            b
            for b in message.content
            if isinstance(b, dict) and (is_data_content_block(b) or is_openai_data_block(b))
        ]
        parts.extend(convert_blocks(media, model))
        response = [b for b in message.content if not any(b is m for m in media)]
    else:
        try:
            response = json.loads(message.content)
        except json.JSONDecodeError:
            response = message.content
    wrapped = response if isinstance(response, dict) else {"output": response}
    parts.append({"functionResponse": {"name": name, "response": wrapped}})
    return parts


def _tool_responses(
    tool_messages: Sequence[ToolMessage], ai_message: AIMessage, model: str | None
) -> list[Part]:
    """The answers to an AI message's tool calls, in the order the tool messages came."""
    waiting = {call["id"]: call for call in ai_message.tool_calls}
    parts: list[Part] = []
    for message in tool_messages:
        if not waiting:
            break
        call = waiting.pop(message.tool_call_id, None)
        if call is not None:
            parts.extend(_tool_result_parts(message, call.get("name"), model))
    return parts


def _indexed_signatures(message: AIMessage) -> dict[int, Any]:
    """Legacy `function_call_signature` blocks, by the index of the tool call they sign."""
    if provider_kind(message.response_metadata.get("model_provider")) == "foreign":
        return {}
    if not isinstance(message.content, list):
        return {}
    signatures: dict[int, Any] = {}
    ordinal = 0
    for block in message.content:
        if not isinstance(block, Mapping) or block.get("type") != "function_call_signature":
            continue
        signature = block.get("signature")
        if not isinstance(signature, (str, bytes)) or not signature:
            continue
        index = block.get("index", ordinal)
        ordinal += 1
        if isinstance(index, int):
            signatures[index] = signature
    return signatures


def _call_parts(message: AIMessage) -> list[Part]:
    signatures: Mapping[Any, Any] = message.additional_kwargs.get(SIGNATURES_KEY, {})
    indexed = _indexed_signatures(message)
    parts: list[Part] = []
    for index, call in enumerate(message.tool_calls):
        part: Part = {"functionCall": {"args": call["args"], "name": call["name"]}}
        signature = decode_signature(signatures.get(call.get("id")) or indexed.get(index))
        if signature:
            part["thoughtSignature"] = b64(signature) if isinstance(signature, bytes) else signature
        parts.append(part)
    return parts


def _ai_parts(message: AIMessage, model: str | None) -> list[Part]:
    if raw := message.additional_kwargs.get("function_call"):
        return [{"functionCall": {"args": json.loads(raw["arguments"]), "name": raw["name"]}}]
    return ai_content_parts(message, model, exclude_function_calls=False)


def _patch_signatures(contents: list[dict[str, Any]]) -> None:
    """Gemini 3+: sign the first function call of each model turn since the last user text."""
    start = 0
    for index in range(len(contents) - 1, -1, -1):
        content = contents[index]
        if content["role"] != "user":
            continue
        parts = content["parts"]
        answered = any("functionResponse" in p for p in parts)
        if any(p.get("text") or p.get("inlineData") for p in parts) and not answered:
            start = index + 1
            break
    for content in contents[start:]:
        if content["role"] != "model":
            continue
        calls = [p for p in content["parts"] if "functionCall" in p]
        if calls and not calls[0].get("thoughtSignature"):
            calls[0]["thoughtSignature"] = SKIP_SIGNATURE


def _kept(messages: Sequence[BaseMessage], where: _Where) -> list[BaseMessage]:
    kept = []
    for position, message in enumerate(messages):
        where.position = f"message {position} ({message.type})"
        if isinstance(message, HumanMessage) and not message.content:
            warnings.warn(
                "HumanMessage with empty content was removed to prevent API error", stacklevel=4
            )
            continue
        kept.append(_as_native(message, where))
    return kept


def _history(
    messages: list[BaseMessage], model: str | None, merge_system: bool, where: _Where
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    system: dict[str, Any] | None = None
    contents: list[dict[str, Any]] = []
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    others = [(i, m) for i, m in enumerate(messages) if not isinstance(m, ToolMessage)]
    for index, (position, message) in enumerate(others):
        where.position = f"message {position} ({message.type})"
        if isinstance(message, SystemMessage):
            parts = convert_blocks(message.content, model)
            if index == 0:
                system = {"parts": parts}
            elif system is not None:
                system["parts"].extend(parts)
            else:
                logger.warning(
                    "%s is not first and there is no system instruction; left out", where.position
                )
            continue
        if isinstance(message, AIMessage) and message.tool_calls:
            parts = ai_content_parts(message, model, exclude_function_calls=True)
            contents.append({"parts": parts + _call_parts(message), "role": "model"})
            if answers := _tool_responses(tool_messages, message, model):
                contents.append({"parts": answers, "role": "user"})
            continue
        if isinstance(message, AIMessage):
            role, parts = "model", _ai_parts(message, model)
        elif isinstance(message, HumanMessage):
            role, parts = "user", convert_blocks(message.content, model)
            if index == 1 and merge_system and system is not None:
                parts, system = list(system["parts"]) + parts, None
        elif isinstance(message, FunctionMessage):
            role, parts = "user", _tool_result_parts(message, None, model)
        else:
            raise where.fail(f"unsupported message type {type(message).__name__}")
        if role == "model" and not parts:
            parts = [{"text": ""}]
        contents.append({"parts": parts, "role": role})
    return system, contents


def to_gemini_contents(
    messages: Sequence[BaseMessage],
    *,
    model: str,
    convert_system_message_to_human: bool = False,
    request_id: str | None = None,
) -> GeminiContents:
    """Convert a LangChain conversation into a Gemini request's contents.

    Args:
        messages: The conversation (normalized by LangChain, as `BaseChatModel` does).
        model: The model; Gemini 3+ and fixed-sampling models have rules of their own.
        convert_system_message_to_human: Merge a leading system message into the first
            human message (deprecated, as in langchain-google-genai).
        request_id: Named in errors (the batch request this conversation belongs to).

    Raises:
        InvalidRequestError: A message or block cannot be converted, the conversation has
            nothing to send, or a fixed-sampling model is given a prefilled model turn.
    """
    if convert_system_message_to_human:
        warnings.warn(
            "The 'convert_system_message_to_human' parameter is deprecated and will be removed "
            "in a future version. Use system instructions instead.",
            DeprecationWarning,
            stacklevel=2,
        )
    where = _Where(request_id)
    kept = _kept(messages, where)
    try:
        system, contents = _history(kept, model, convert_system_message_to_human, where)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        if isinstance(exc, InvalidRequestError):
            raise
        raise where.fail(str(exc)) from None
    if not contents:
        where.position = "the conversation"
        raise where.fail("has no user or assistant message to send")
    if uses_fixed_sampling(model) and contents[-1]["role"] == "model":
        where.position = "the conversation"
        raise where.fail(
            f"Model '{model}' does not support model prefilling. The final request turn must "
            "be a user message or a function response."
        )
    if is_gemini_3_or_later(model):
        _patch_signatures(contents)
    return GeminiContents._trusted({"contents": contents, "system_instruction": system})
