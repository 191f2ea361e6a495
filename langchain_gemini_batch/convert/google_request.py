"""`LMInput` to Gemini wire requests: the one request builder for online and batch calls.

`RequestBuilder.build(request_id, lm_input)` returns the REST `GenerateContentRequest` dict that
`models/{model}:generateContent` takes, that an inline batch item carries under `request`, and
that a JSONL batch line carries under `request`. Contents are converted here (fast, no pydantic);
the key spelling mirrors what the google-genai SDK itself puts on the wire (a test compares the
two). Shared settings are converted once by the SDK (`hyperparameters.build_config_part`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.schema import (
    Attachment,
    GeminiContents,
    LMInput,
    Message,
    MessageContent,
    MessageRole,
    Thinking,
    ToolCall,
    ToolResult,
)

__all__ = ["RequestBuilder", "to_wire_contents"]

_ROLE = {MessageRole.USER: "user", MessageRole.ASSISTANT: "model"}
_Part = dict[str, Any]


def _b64(data: bytes) -> str:
    # URL-safe, as google-genai encodes bytes (Google accepts both alphabets).
    return base64.urlsafe_b64encode(data).decode("ascii")


def _attachment_part(item: Attachment) -> _Part:
    if item.data is not None:
        return {"inlineData": {"data": _b64(item.data), "mime_type": item.mime_type}}
    return {"fileData": {"file_uri": item.url, "mime_type": item.mime_type}}


def _tool_call_part(item: ToolCall) -> _Part:
    part: _Part = {"functionCall": {"id": item.id, "args": item.args, "name": item.name}}
    if item.signature:
        part["thoughtSignature"] = _b64(item.signature)
    return part


def _tool_result_part(item: ToolResult, name: str) -> _Part:
    output = item.output
    response = output if isinstance(output, dict) else {"output": output}
    return {"functionResponse": {"id": item.id, "name": name, "response": response}}


def _thinking_part(item: Thinking) -> _Part:
    part: _Part = {"text": item.thinking, "thought": True}
    if item.signature:
        part["thoughtSignature"] = _b64(item.signature)
    return part


class _Converter:
    """Converts one request's messages, remembering tool-call names for tool results."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.call_names: dict[str, str] = {}

    def fail(self, message: str) -> InvalidRequestError:
        return InvalidRequestError(message, request_id=self.request_id)

    def part(self, item: object, position: str) -> _Part | None:
        if isinstance(item, str):
            return {"text": item} if item else None
        if isinstance(item, Attachment):
            return _attachment_part(item)
        if isinstance(item, ToolCall):
            self.call_names[item.id] = item.name
            return _tool_call_part(item)
        if isinstance(item, ToolResult):
            name = item.name or self.call_names.get(item.id)
            if not name:
                raise self.fail(
                    f"{position}: ToolResult {item.id!r} has no name and no earlier ToolCall "
                    "with that id names the function"
                )
            return _tool_result_part(item, name)
        if isinstance(item, Thinking):
            return _thinking_part(item)
        raise self.fail(
            f"{position}: unsupported content of type {type(item).__name__} "
            "(expected str, Attachment, ToolCall, ToolResult or Thinking)"
        )

    def parts(self, contents: list[MessageContent], position: str) -> list[_Part]:
        converted = (self.part(c, f"{position}, content {i}") for i, c in enumerate(contents))
        return [p for p in converted if p is not None]

    def messages(self, messages: list[Message]) -> tuple[list[_Part], list[_Part]]:
        contents: list[_Part] = []
        system: list[_Part] = []
        for index, message in enumerate(messages):
            position = f"message {index} ({message.role.value})"
            parts = self.parts(message.contents, position)
            if not parts:
                raise self.fail(f"{position} is empty")
            if message.role is MessageRole.SYSTEM:
                if any("text" not in p or p.get("thought") for p in parts):
                    raise self.fail(f"{position}: a system message may hold text only")
                system.extend(parts)
            else:
                contents.append({"parts": parts, "role": _ROLE[message.role]})
        return contents, system


def _native_contents(
    request_id: str, lm_input: GeminiContents
) -> tuple[list[_Part], dict[str, Any] | None]:
    contents = lm_input.contents
    if not contents:
        raise InvalidRequestError(
            "the request has no user or assistant message", request_id=request_id
        )
    for index, content in enumerate(contents):
        if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
            raise InvalidRequestError(
                f"contents[{index}] is not a Gemini Content (a dict with a 'parts' list)",
                request_id=request_id,
            )
    return contents, lm_input.system_instruction


def to_wire_contents(request_id: str, lm_input: LMInput) -> tuple[list[_Part], list[_Part]]:
    """Convert one `LMInput` into wire `contents` and system-instruction parts.

    Args:
        request_id: The request's ID, named in every error.
        lm_input: A string, a list of `MessageContent`, or a list of `Message`.

    Returns:
        `(contents, system_parts)`.

    Raises:
        InvalidRequestError: The input is empty, mixes messages and bare contents, holds an
            unsupported content, a non-text system message, or has no user/assistant turn.
    """
    converter = _Converter(request_id)
    if isinstance(lm_input, GeminiContents):
        contents, system_content = _native_contents(request_id, lm_input)
        return contents, list((system_content or {}).get("parts") or [])
    if isinstance(lm_input, str):
        if not lm_input.strip():
            raise converter.fail("the prompt is an empty string")
        return [{"parts": [{"text": lm_input}], "role": "user"}], []
    if not isinstance(lm_input, list):
        raise converter.fail(
            f"expected a str, a list of Message or a list of MessageContent, "
            f"got {type(lm_input).__name__}"
        )
    if not lm_input:
        raise converter.fail("the request is an empty list")
    are_messages = [isinstance(item, Message) for item in lm_input]
    if all(are_messages):
        contents, system = converter.messages(lm_input)  # type: ignore[arg-type]
    elif any(are_messages):
        raise converter.fail("a request mixes Message objects and bare contents")
    else:
        parts = converter.parts(lm_input, "user message")  # type: ignore[arg-type]
        if not parts:
            raise converter.fail("the request holds only empty text")
        contents, system = [{"parts": parts, "role": "user"}], []
    if not contents:
        raise converter.fail("the request has no user or assistant message, only system ones")
    return contents, system


class RequestBuilder:
    """Builds wire `GenerateContentRequest` dicts with one set of settings.

    Args:
        config_part: The output of `hyperparameters.build_config_part` for the settings.
        structured: Whether responses are JSON to decode (`response_mime_type` is JSON).
    """

    def __init__(self, config_part: Mapping[str, Any], *, structured: bool = False) -> None:
        self.config_part = dict(config_part)
        self.structured = structured
        base_system = self.config_part.pop("systemInstruction", None)
        self._system_parts: list[_Part] = list(base_system["parts"]) if base_system else []

    def build(self, request_id: str, lm_input: LMInput) -> dict[str, Any]:
        """The wire request for one input.

        System messages in the input are appended to the configured `system_instruction`
        (configured text first). A `GeminiContents` system instruction is sent as given when
        no `system_instruction` is configured.

        Raises:
            InvalidRequestError: See `to_wire_contents`.
        """
        request: dict[str, Any]
        if isinstance(lm_input, GeminiContents) and not self._system_parts:
            contents, system_content = _native_contents(request_id, lm_input)
            request = {"contents": contents}
            if system_content is not None:
                request["systemInstruction"] = system_content
            request.update(self.config_part)
            return request
        contents, system = to_wire_contents(request_id, lm_input)
        request = {"contents": contents}
        system_parts = self._system_parts + system
        if system_parts:
            request["systemInstruction"] = {"parts": system_parts, "role": "user"}
        request.update(self.config_part)
        return request

    def jsonl_line(self, request_id: str, lm_input: LMInput) -> bytes:
        """One line of a batch input file: `{"key": ..., "request": ...}` and a newline."""
        return self.encode_line(request_id, self.build(request_id, lm_input))

    @staticmethod
    def encode_line(request_id: str, request: dict[str, Any]) -> bytes:
        """Encode a built request as one JSONL line (compact, UTF-8, newline-terminated)."""
        line = {"key": request_id, "request": request}
        return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
