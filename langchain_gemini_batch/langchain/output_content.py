"""A response's parts as `AIMessage` content, as langchain-google-genai 4.4 builds it.

Mirrors `langchain_google_genai.chat_models._parse_response_candidate`: text-only answers of
Gemini 2.x are a string (several text parts a list of strings), anything with thoughts,
signatures or files a list of blocks, and Gemini 3+ answers always a list; `thinking` blocks
carry their signature, text, image and server-tool blocks theirs in `extras["signature"]`;
code execution parts become `executable_code` / `code_execution_result` blocks, Gemini's
server tool parts `server_tool_call` / `server_tool_result` blocks; images are `image_url`
data URLs, audio a WAV file in `additional_kwargs["audio"]`; function calls are `tool_calls`
(with their signatures in `additional_kwargs[SIGNATURES_KEY]`). IDs Google does not send
are made from the request key and the part's position (langchain-google-genai draws random
ones), so a batch result reads the same every time. Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import io
import json
import wave
from dataclasses import dataclass, field
from typing import Any

from langchain_gemini_batch.langchain.settings import is_gemini_3_or_later
from langchain_gemini_batch.schema import LMOutput, LMOutputItem

__all__ = ["SIGNATURES_KEY", "CandidateContent", "candidate_content"]

SIGNATURES_KEY = "__gemini_function_call_thought_signatures__"
"""`additional_kwargs` key: tool-call ID to base64 `thoughtSignature` (langchain-google-genai's)."""

Content = str | list[str | dict[str, Any]]


@dataclass
class CandidateContent:
    """What one candidate's parts become in a message."""

    content: Content = ""
    additional_kwargs: dict[str, Any] = field(default_factory=dict)
    tool_calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """`(id, name, args)` of each function call, in order."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _integer_floats(value: Any) -> Any:
    """`2.0` as `2`, recursively (langchain-google-genai's `_convert_integer_like_floats`)."""
    if isinstance(value, dict):
        return {k: _integer_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integer_floats(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _wav(pcm: bytes) -> bytes:
    """Gemini's 24 kHz 16-bit mono PCM as a WAV file (as langchain-google-genai wraps it)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24000)
        wav.writeframes(pcm)
    return buffer.getvalue()


def _server_tool_name(tool_type: Any) -> str:
    return "media_processing" if tool_type is None else str(tool_type).lower()


def _signed(block: dict[str, Any], signature: str | None) -> dict[str, Any]:
    if signature:
        block.setdefault("extras", {})["signature"] = signature
    return block


class _Builder:
    def __init__(self, gemini_3: bool) -> None:
        self.gemini_3 = gemini_3
        self.content: Content | None = None
        self.result = CandidateContent()

    def add(self, item: str | dict[str, Any]) -> None:
        if self.content is None:
            self.content = item if isinstance(item, str) else [item]
        elif isinstance(self.content, str):
            self.content = [self.content, item]
        else:
            self.content.append(item)

    def has_thinking(self) -> bool:
        return isinstance(self.content, list) and any(
            isinstance(b, dict) and b.get("type") == "thinking" for b in self.content
        )

    def text(self, text: str, signature: str | None) -> None:
        if not text and not signature:
            return
        block = _signed({"type": "text", "text": text}, signature)
        if signature or self.gemini_3 or self.has_thinking():
            self.add(block)
        else:
            self.add(text)

    def part(self, item: LMOutputItem, where: str, streaming: bool) -> None:
        signature = _b64(item.signature) if item.signature else None
        value = item.output
        if item.type == "thinking":
            block: dict[str, Any] = {"type": "thinking", "thinking": value.thinking}
            if value.signature:
                block["signature"] = _b64(value.signature)
            self.add(block)
        elif item.type == "text":
            self.text(value if streaming else value.rstrip("\n"), signature)
        elif item.type == "executable_code" and value.get("code") and value.get("language"):
            code = {"type": "executable_code", "executable_code": value["code"]}
            self.add({**code, "language": value["language"], "id": f"{where}-code"})
        elif item.type == "code_execution_result" and value.get("output"):
            outcome = 1 if value.get("outcome") in (None, "OUTCOME_OK") else 2
            self.add(
                {
                    "type": "code_execution_result",
                    "code_execution_result": value["output"],
                    "outcome": outcome,
                    "tool_call_id": "",
                }
            )
        elif item.type == "server_tool_call":
            call: dict[str, Any] = {
                "type": "server_tool_call",
                "name": _server_tool_name(value.get("tool_type")),
                "id": value.get("id") or f"{where}-server",
                "args": dict(value.get("args") or {}),
            }
            self.add(_signed(call, signature))
        elif item.type == "server_tool_result":
            extras = {"block_type": _server_tool_name(value.get("tool_type"))}
            result: dict[str, Any] = {
                "type": "server_tool_result",
                "tool_call_id": value.get("id") or "",
                "status": "success",
                "output": dict(value.get("response") or {}),
                "extras": extras,
            }
            self.add(_signed(result, signature))
        elif item.type == "attachment":
            self.attachment(item, signature)
        elif item.type == "tool_call":
            own = value.signature  # a ToolCall built by hand carries it on the object
            self.function_call(item, signature or (_b64(own) if own else None))

    def attachment(self, item: LMOutputItem, signature: str | None) -> None:
        file = item.output
        if not file.data or not file.mime_type:
            return
        if file.mime_type.startswith("audio/"):
            self.result.additional_kwargs["audio"] = _wav(file.data)
        if file.mime_type.startswith("image/"):
            url = f"data:image/{file.mime_type[6:]};base64,{_b64(file.data)}"
            self.add(_signed({"type": "image_url", "image_url": {"url": url}}, signature))

    def function_call(self, item: LMOutputItem, signature: str | None) -> None:
        call = item.output
        args = _integer_floats(dict(call.args))
        self.result.additional_kwargs["function_call"] = {
            "name": call.name,
            "arguments": json.dumps(args),
        }
        self.result.tool_calls.append((call.id, call.name, args))
        if signature:
            self.result.additional_kwargs.setdefault(SIGNATURES_KEY, {})[call.id] = signature


def candidate_content(output: LMOutput, *, streaming: bool = False) -> CandidateContent:
    """The content, `additional_kwargs` and tool calls of an output's parts.

    Args:
        output: One response (its first candidate).
        streaming: A streamed chunk (text is not right-stripped, as in langchain-google-genai).
    """
    gemini_3 = is_gemini_3_or_later(output.metadata.get("model_version") or "")
    outputs = output.outputs
    if len(outputs) == 1 and not gemini_3:  # one plain text part: what most answers are
        only = outputs[0]
        if only.type == "text" and not only.signature:
            text = only.output if streaming else only.output.rstrip("\n")
            return CandidateContent(content=text)
    builder = _Builder(gemini_3)
    key = str(output.metadata.get("request_id") or "response")
    for index, item in enumerate(output.outputs):
        builder.part(item, f"{key}-{index}", streaming)
    result = builder.result
    result.content = (
        builder.content if builder.content is not None else ([] if builder.gemini_3 else "")
    )
    return result
