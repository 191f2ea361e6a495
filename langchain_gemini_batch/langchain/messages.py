"""LangChain messages to the package's `Message`s (the way back is `langchain_output`).

Pure functions, no I/O. The inputs accepted are those LangChain chat models accept:
`SystemMessage`, `HumanMessage`, `AIMessage` (with `tool_calls`), `ToolMessage` and
`ChatMessage`; string or list content; multimodal blocks in the LangChain v1 standard shape
(`{"type": "image", "base64": ..., "mime_type": ...}`, `"url"`, `"file_id"`), the v0 shape
(`{"type": "image", "source_type": "base64", "data": ...}`), OpenAI's (`image_url`, `file`)
and langchain-google-genai's (`media`). Files are never downloaded: a URL is sent to Gemini as
`fileData` (Files API URIs, `gs://` and public URLs), data is sent inline.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.output import SIGNATURES_KEY
from langchain_gemini_batch.schema import (
    Attachment,
    Message,
    MessageContent,
    MessageRole,
    Thinking,
    ToolCall,
    ToolResult,
)

__all__ = ["messages_to_lm_input"]

_ROLES = {
    "system": MessageRole.SYSTEM,
    "human": MessageRole.USER,
    "user": MessageRole.USER,
    "ai": MessageRole.ASSISTANT,
    "assistant": MessageRole.ASSISTANT,
    "model": MessageRole.ASSISTANT,
}
_MEDIA_TYPES = frozenset({"image", "file", "audio", "video", "media", "text-plain"})
_TOOL_CALL_BLOCKS = frozenset(
    {"tool_use", "tool_call", "tool_call_chunk", "function_call", "invalid_tool_call"}
)
_FILES_API = "https://generativelanguage.googleapis.com/v1beta/"


class _Where:
    """Names the place of a block in a conversation, for errors."""

    def __init__(self, request_id: str | None) -> None:
        self.request_id = request_id
        self.position = ""
        self.block: int | None = None

    def fail(self, message: str) -> InvalidRequestError:
        block = f", content block {self.block}" if self.block is not None else ""
        return InvalidRequestError(f"{self.position}{block}: {message}", request_id=self.request_id)


def _decode_b64(data: str, where: _Where) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise where.fail("the block's data is not valid base64") from None


def _attachment_from_url(url: str, mime_type: str | None, where: _Where) -> Attachment:
    try:
        if url.startswith("data:"):
            return Attachment.from_data_url(url)
        if url.startswith("files/"):  # a Files API name; Gemini wants the file's URI
            url = _FILES_API + url
        return Attachment.from_url(url, mime_type)
    except ValueError as exc:
        raise where.fail(str(exc)) from None


def _openai_file(block: Mapping[str, Any], where: _Where) -> Attachment:
    file = block.get("file") or {}
    filename = file.get("filename")
    if file.get("file_data"):
        data = str(file["file_data"])
        if data.startswith("data:"):
            attachment = _attachment_from_url(data, None, where)
            return attachment.model_copy(update={"filename": filename})
        mime = block.get("mime_type") or "application/pdf"
        return Attachment(data=_decode_b64(data, where), mime_type=mime, filename=filename)
    if file.get("file_id"):
        return _attachment_from_url(str(file["file_id"]), block.get("mime_type"), where)
    raise where.fail("an OpenAI 'file' block needs file.file_data or file.file_id")


def _media(block: Mapping[str, Any], where: _Where) -> Attachment:
    """An image/file/audio/video block in any of the supported shapes."""
    if isinstance(block.get("file"), Mapping):
        return _openai_file(block, where)
    mime = block.get("mime_type")
    name = block.get("filename") or (block.get("extras") or {}).get("filename")
    source = block.get("source_type")
    if block.get("type") == "text-plain" and isinstance(block.get("text"), str):
        return Attachment(data=block["text"].encode(), mime_type=mime or "text/plain")
    raw = block.get("base64") if "base64" in block else block.get("data")
    if raw is not None and source in (None, "base64"):
        if isinstance(raw, bytes):
            data = raw
        elif str(raw).startswith("data:"):
            return _attachment_from_url(str(raw), None, where)
        else:
            data = _decode_b64(str(raw), where)
        if not mime:
            raise where.fail(f"a {block.get('type')!r} block with base64 data needs mime_type")
        return Attachment(data=data, mime_type=mime, filename=name)
    url = block.get("url") or block.get("file_uri")
    if url is None and source in ("url", "id"):
        url = block.get("url") or block.get("id")
    if url is None:
        url = block.get("file_id")
    if url is None:
        raise where.fail(
            f"a {block.get('type')!r} block needs base64 data, a url or a file_id "
            f"(keys given: {sorted(block)})"
        )
    return _attachment_from_url(str(url), mime, where)


def _image_url(block: Mapping[str, Any], where: _Where) -> Attachment:
    value = block.get("image_url")
    url = value.get("url") if isinstance(value, Mapping) else value
    if not isinstance(url, str) or not url:
        raise where.fail("an 'image_url' block needs image_url.url")
    return _attachment_from_url(url, None, where)


def _signature(value: object) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _thinking(block: Mapping[str, Any]) -> Thinking | None:
    text = block.get("thinking") if block.get("type") == "thinking" else block.get("reasoning")
    if not isinstance(text, str) or not text:
        return None
    signature = block.get("signature") or (block.get("extras") or {}).get("signature")
    return Thinking(thinking=text, signature=_signature(signature))


def _block(block: object, role: MessageRole, where: _Where) -> MessageContent | None:
    """One content block as `MessageContent`, or `None` when it carries nothing to send."""
    if isinstance(block, str):
        return block or None
    if not isinstance(block, Mapping):
        raise where.fail(f"a content block must be a str or a dict, got {type(block).__name__}")
    kind = block.get("type")
    if kind == "text" or (kind is None and "text" in block):
        return str(block.get("text") or "") or None
    if kind == "image_url":
        return _image_url(block, where)
    if kind in _MEDIA_TYPES:
        return _media(block, where)
    if kind in ("thinking", "reasoning") and role is MessageRole.ASSISTANT:
        return _thinking(block)
    if kind in _TOOL_CALL_BLOCKS and role is MessageRole.ASSISTANT:
        return None  # AIMessage.tool_calls is the source of truth for calls
    raise where.fail(
        f"unsupported content block type {kind!r} in a {role.value} message (supported: text, "
        "image_url, image, file, audio, video, media, text-plain"
        + (", thinking, reasoning)" if role is MessageRole.ASSISTANT else ")")
    )


def _contents(message: BaseMessage, role: MessageRole, where: _Where) -> list[MessageContent]:
    content = message.content
    blocks: Sequence[object] = [content] if isinstance(content, str) else content
    converted = []
    for index, block in enumerate(blocks):
        where.block = index if not isinstance(content, str) else None
        if item := _block(block, role, where):
            converted.append(item)
    where.block = None
    return converted


def _assistant(message: AIMessage, where: _Where) -> list[MessageContent]:
    contents = _contents(message, MessageRole.ASSISTANT, where)
    signatures = message.additional_kwargs.get(SIGNATURES_KEY) or {}
    for index, call in enumerate(message.tool_calls):
        call_id = call.get("id") or f"call_{index}"
        contents.append(
            ToolCall(
                id=call_id,
                name=call["name"],
                args=dict(call["args"]),
                signature=_signature(signatures.get(call_id)),
            )
        )
    return contents


def _tool_output(message: ToolMessage | FunctionMessage, where: _Where) -> Any:
    content = message.content
    if not isinstance(content, str):
        texts = []
        for block in content:
            text = block if isinstance(block, str) else None
            if isinstance(block, Mapping) and block.get("type", "text") == "text":
                text = str(block.get("text", ""))
            if text is None:
                raise where.fail("tool messages may hold text only")
            texts.append(text)
        content = "".join(texts)
    output: Any = content
    try:
        decoded = json.loads(content)
    except ValueError:
        decoded = None
    if isinstance(decoded, (dict, list)):
        output = decoded
    if getattr(message, "status", "success") == "error":
        return {"error": output}
    return output


def _system(message: BaseMessage, where: _Where) -> list[MessageContent]:
    contents = _contents(message, MessageRole.SYSTEM, where)
    if any(not isinstance(item, str) for item in contents):
        raise where.fail("a system message may hold text only")
    return contents


def messages_to_lm_input(
    messages: Sequence[BaseMessage], *, request_id: str | None = None
) -> list[Message]:
    """Convert a LangChain conversation into the package's `Message`s.

    Consecutive `ToolMessage`s become one user turn (Gemini wants every function response of
    a turn together). Empty messages (e.g. an `AIMessage` with no content) are left out.

    Args:
        messages: The conversation.
        request_id: Named in errors (the batch request this conversation belongs to).

    Returns:
        The messages, ready to be an `LMInput`.

    Raises:
        InvalidRequestError: A message type, role or content block is not supported; the
            message says which message and which block.
    """
    where = _Where(request_id)
    converted: list[Message] = []
    for index, message in enumerate(messages):
        where.position = f"message {index} ({message.type})"
        role: MessageRole
        if isinstance(message, (ToolMessage, FunctionMessage)):
            call_id = message.tool_call_id if isinstance(message, ToolMessage) else message.name
            result = ToolResult(
                id=call_id, output=_tool_output(message, where), name=message.name or None
            )
            previous = converted[-1] if converted else None
            if previous and previous.contents and isinstance(previous.contents[-1], ToolResult):
                converted[-1] = Message.user([*previous.contents, result])
            else:
                converted.append(Message.user(result))
            continue
        if isinstance(message, SystemMessage):
            role, contents = MessageRole.SYSTEM, _system(message, where)
        elif isinstance(message, HumanMessage):
            role, contents = MessageRole.USER, _contents(message, MessageRole.USER, where)
        elif isinstance(message, AIMessage):
            role, contents = MessageRole.ASSISTANT, _assistant(message, where)
        elif isinstance(message, ChatMessage) and message.role.lower() in _ROLES:
            role = _ROLES[message.role.lower()]
            contents = (
                _system(message, where)
                if role is MessageRole.SYSTEM
                else (_contents(message, role, where))
            )
        else:
            raise where.fail(
                f"unsupported message type {type(message).__name__}"
                + (f" with role {message.role!r}" if isinstance(message, ChatMessage) else "")
            )
        if contents:
            converted.append(Message(role=role, contents=contents))
    return converted
